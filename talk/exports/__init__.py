"""Renderers: a revision's snapshot (talk.snapshot) in, a file's bytes out.

They read nothing but the snapshot and write nothing, so the same revision
always renders the same Markdown, HTML and JSON, byte for byte.
"""

from . import html, jsonfmt, markdown, pdf
from .errors import RenderError

__all__ = ["MEDIA_TYPES", "RENDERERS", "RenderError", "render"]

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


def render(format: str, snapshot: dict) -> bytes:
    return RENDERERS[format](snapshot)
