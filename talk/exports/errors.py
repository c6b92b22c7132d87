class RenderError(Exception):
    """The content cannot be rendered in this format (not a passing fault):
    the export is marked failed with this message instead of retried."""
