"""The standalone HTML export."""

from django.utils.html import escape


def render(snapshot: dict) -> bytes:
    return f"<!doctype html><title>{escape(snapshot['title'])}</title><h1>{escape(snapshot['title'])}</h1>\n".encode()
