"""Renderers: a revision's snapshot (talk.snapshot) in, a file's bytes out.

They read nothing but the snapshot and write nothing, so the same revision
always renders the same Markdown, HTML and JSON, byte for byte.
"""

from . import html, jsonfmt, markdown, pdf

RENDERERS = {
    "md": markdown.render,
    "html": html.render,
    "json": jsonfmt.render,
    "pdf": pdf.render,
}

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}


class RenderError(Exception):
    """The content cannot be rendered in this format (not a passing fault):
    the export is marked failed with this message instead of retried."""


def render(format: str, snapshot: dict) -> bytes:
    return RENDERERS[format](snapshot)
