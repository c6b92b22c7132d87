"""The PDF export: Chinese laid out in an embedded CJK font, and nothing ever
fetched while rendering it."""

import logging
import os
import shutil
import socket
import subprocess
import urllib.request

import pytest

from talk.exports import html, pdf
from talk.snapshot import snapshot_build
from tests.talk.test_export_html import hostile_issue
from tests.talk.test_export_markdown import rich_issue

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")) and not os.environ.get("CI"),
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)
SECTION_TITLES = ["本期记录", "本周新闻", "本周推荐", "本周经典-optional", "Free Talk", "参考资料"]
# Every way a document could ask WeasyPrint to fetch something.
REACHING_OUT = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="stylesheet" href="http://example.com/style.css">
<style>
@import url("http://example.com/import.css");
@font-face { font-family: Remote; src: url("http://example.com/font.woff2"); }
body { background: url("file:///etc/passwd"); font-family: Remote, sans-serif; }
</style></head><body>
<h1>外部资源</h1>
<img src="file:///etc/passwd" alt="">
<img src="http://example.com/pixel.png" alt="">
<object data="file:///etc/passwd"></object>
<embed src="http://example.com/embed.svg">
</body></html>"""


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "issue.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_fonts(data: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    listing = subprocess.run(["pdffonts", path], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in listing.splitlines()[2:]]


@pytest.fixture
def watch_fetches(monkeypatch):
    """From the call on, every URL WeasyPrint asks for and every connection
    anything opens (the fetcher still refuses; this only watches). Called
    right before rendering, so the database work before it is left alone."""
    return lambda: _watch(monkeypatch)


def _watch(monkeypatch):
    asked, connected = [], []
    refuse = pdf.RefusingFetcher.fetch

    def watched_fetch(self, url, headers=None):
        asked.append(url)
        return refuse(self, url, headers)

    def no_connection(self, address):
        connected.append(address)
        raise OSError("the test allows no connection")

    monkeypatch.setattr(pdf.RefusingFetcher, "fetch", watched_fetch)
    monkeypatch.setattr(socket.socket, "connect", no_connection)
    return asked, connected


@needs_poppler
def test_it_lays_out_the_chinese_title_and_section_titles(issue, tmp_path):
    rich_issue(issue)

    data = pdf.render(snapshot_build(issue))

    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert "OpenLLM Talk 008" in text
    for title in SECTION_TITLES:
        assert title in text, title
    assert "【本期提要】：SuperCLUE-Open；文心盘古；chatlaw；" in text
    assert "Q1：" in text
    assert "LLaMA 只有几百个中文 token" in text


@needs_poppler
def test_it_embeds_a_cjk_font(issue, tmp_path):
    rich_issue(issue)

    fonts = pdf_fonts(pdf.render(snapshot_build(issue)), tmp_path)

    cjk = [row for row in fonts if "Noto-Sans-CJK" in row[0] or "Noto-Serif-CJK" in row[0]]
    assert cjk, fonts
    # pdffonts: name, type…, encoding, emb, sub, uni, object id
    assert all(row[-5] == "yes" for row in cjk), cjk


def test_the_fetcher_refuses_local_files_and_the_network():
    fetcher = pdf.RefusingFetcher()

    for url in ("file:///etc/passwd", "http://example.com", "https://example.com/a.css"):
        with pytest.raises(pdf.FetchRefused, match="fetches nothing"):
            fetcher.fetch(url)
        with pytest.raises(pdf.FetchRefused):
            fetcher(url)
    with pytest.raises(pdf.FetchRefused):
        fetcher.open(urllib.request.Request("data:text/plain,evil"))


@needs_poppler
def test_a_document_that_reaches_out_renders_without_fetching_anything(
    watch_fetches, caplog, tmp_path
):
    asked, connected = watch_fetches()

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = pdf.html_to_pdf(REACHING_OUT)

    assert set(asked) == {
        "http://example.com/style.css",
        "http://example.com/import.css",
        "http://example.com/font.woff2",
        "file:///etc/passwd",
        "http://example.com/pixel.png",
        "http://example.com/embed.svg",
    }
    assert connected == []
    assert (
        "FetchRefused: the PDF export fetches nothing; refused 'file:///etc/passwd'" in caplog.text
    )
    text = pdf_text(data, tmp_path)
    assert "外部资源" in text
    assert "root:" not in text


def test_the_export_asks_for_nothing_even_with_hostile_input(issue, watch_fetches):
    hostile_issue(issue)
    snapshot = snapshot_build(issue)
    asked, connected = watch_fetches()

    data = pdf.render(snapshot)

    assert data.startswith(b"%PDF-")
    assert asked == []
    assert connected == []
    assert b"<img" not in html.render(snapshot)
