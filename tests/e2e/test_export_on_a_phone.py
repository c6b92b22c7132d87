"""On a phone: the HTML export of every corpus issue is no wider than the
screen (a long link breaks rather than widen the page), and member code,
which scrolls sideways on the desk's pages, takes keyboard focus."""

import pytest
from django.conf import settings

from sections.markup import render_markdown
from talk.exports import html
from talk.importing import issue_import
from talk.snapshot import snapshot_build
from tests.talk.conftest import CORPUS, FILES

PHONE = {"width": 320, "height": 640}


@pytest.mark.parametrize("name", FILES)
def test_no_corpus_export_is_wider_than_a_phone(page, series, name):
    issue = issue_import(series=series, text=(CORPUS / name).read_text(encoding="utf-8"))
    page.set_viewport_size(PHONE)

    page.set_content(html.render(snapshot_build(issue)).decode())

    assert page.locator("main h1").count() == 1
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().width > 0)
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName + ' ' + e.textContent.slice(0, 60))"""
    )
    assert wide == [], wide
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_code_that_scrolls_takes_keyboard_focus(page):
    page.set_viewport_size(PHONE)
    # With the page's own style, where code scrolls sideways.
    style = (settings.BASE_DIR / "static" / "css" / "desk.css").read_text(encoding="utf-8")
    page.set_content(
        f"<style>{style}</style><a href='#'>before</a>"
        + render_markdown("```python\n" + "x = 1  # " + "long" * 60 + "\n```")
    )
    code = page.locator("pre")
    assert code.evaluate("e => e.scrollWidth > e.clientWidth")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")

    assert code.evaluate("e => e === document.activeElement")
