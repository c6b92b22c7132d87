"""Importing an issue from the community's published text, or from Markdown.

`parse` reads the text into plain data; `service.issue_import` writes it.
docs/importing.md says what is recognised.
"""

from .parse import parse_issue
from .service import ImportRefused, import_series, issue_import

__all__ = ["ImportRefused", "import_series", "issue_import", "parse_issue"]
