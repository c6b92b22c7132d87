"""The PDF export: Chinese laid out in an embedded CJK font (the system's, or
the bundled one where the system has none), never in boxes, and nothing but
that font's file ever fetched while rendering it."""

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import noto_cjk_sans_otc
import pytest
from fontTools import subset

from talk.checks import pdf_font_check
from talk.exports import fonts, html, pdf
from talk.importing import issue_import
from talk.snapshot import snapshot_build
from tests.talk.conftest import CORPUS
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


ROOT = Path(__file__).resolve().parents[2]
BUNDLED = fonts.CJKFont("bundled", Path(str(noto_cjk_sans_otc.FONT_PATH)))
# fontconfig with no font folder at all: a machine without a single font.
NO_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
# Run in a process of its own: fontconfig is read once WeasyPrint is loaded.
RENDER_ALONE = """
import json, sys
import django
django.setup()
from django.core import checks
from talk.exports import fonts, pdf
report = {
    "families": sorted(fonts.system_families()),
    "checks": [message.id for message in checks.run_checks()],
    "error": "",
}
try:
    data = pdf.render(json.loads(open(sys.argv[1], encoding="utf-8").read()))
    open(sys.argv[2], "wb").write(data)
except fonts.NoCJKFont as error:
    report["error"] = str(error)
print(json.dumps(report))
"""


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


def render_without_system_fonts(snapshot: dict, tmp_path, **env) -> tuple[dict, bytes, str]:
    """Render the snapshot in a process whose fontconfig knows no font: what
    it reported, the PDF (b"" when none was made) and what it logged."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_FONTS_CONF.format(cache=tmp_path / "fontconfig-cache"))
    source, target = tmp_path / "snapshot.json", tmp_path / "alone.pdf"
    source.write_text(json.dumps(snapshot), encoding="utf-8")
    target.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", RENDER_ALONE, source, target],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talk.settings",
            "FONTCONFIG_FILE": str(conf),
            "PDF_CJK_FONT": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = target.read_bytes() if target.exists() else b""
    return json.loads(done.stdout.splitlines()[-1]), data, done.stderr


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
def test_it_is_tagged_for_screen_readers(issue, tmp_path):
    rich_issue(issue)
    path = tmp_path / "tagged.pdf"
    path.write_bytes(pdf.render(snapshot_build(issue)))

    info = subprocess.run(["pdfinfo", path], capture_output=True, check=True, text=True).stdout

    assert re.search(r"^Tagged:\s+yes$", info, re.M), info


@needs_poppler
def test_it_embeds_a_cjk_font(issue, tmp_path):
    rich_issue(issue)

    rows = pdf_fonts(pdf.render(snapshot_build(issue)), tmp_path)

    cjk = [row for row in rows if "Noto-Sans-CJK" in row[0] or "Noto-Serif-CJK" in row[0]]
    assert cjk, rows
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


def test_the_fetcher_reads_the_font_file_and_nothing_beside_it(tmp_path):
    font, beside = tmp_path / "font.ttc", tmp_path / "secret.txt"
    font.write_bytes(b"ttcf-font")
    beside.write_text("secret")
    fetcher = pdf.RefusingFetcher(font)

    assert fetcher.fetch(font.as_uri()).read() == b"ttcf-font"
    for url in (
        beside.as_uri(),
        f"{font.as_uri()}?x",
        f"{tmp_path.as_uri()}/./font.ttc",
        "file:///etc/passwd",
        "http://example.com/font.ttc",
        f"http://example.com{font}",
    ):
        with pytest.raises(pdf.FetchRefused, match="fetches nothing"):
            fetcher.fetch(url)


@needs_poppler
@pytest.mark.parametrize("font", [None, BUNDLED], ids=["found", "bundled"])
def test_a_document_that_reaches_out_renders_without_fetching_anything(
    watch_fetches, caplog, tmp_path, font
):
    bundled_url = Path(str(noto_cjk_sans_otc.FONT_PATH)).as_uri()
    beside = Path(str(noto_cjk_sans_otc.FONT_PATH)).with_name("__init__.py").as_uri()
    document = REACHING_OUT.replace(
        "</body>", f'<img src="{beside}" alt=""><img src="{bundled_url}?x" alt=""></body>'
    )
    asked, connected = watch_fetches()

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = pdf.html_to_pdf(document, font)

    assert set(asked) - {bundled_url} == {
        "http://example.com/style.css",
        "http://example.com/import.css",
        "http://example.com/font.woff2",
        "file:///etc/passwd",
        "http://example.com/pixel.png",
        "http://example.com/embed.svg",
        beside,
        f"{bundled_url}?x",
    }
    assert connected == []
    assert (
        "FetchRefused: the PDF export fetches nothing; refused 'file:///etc/passwd'" in caplog.text
    )
    assert f"refused {beside!r}" in caplog.text
    text = pdf_text(data, tmp_path)
    assert "外部资源" in text
    assert "root:" not in text
    assert "FONT_PATH" not in text


def test_the_export_asks_for_nothing_but_its_font_even_with_hostile_input(issue, watch_fetches):
    hostile_issue(issue)
    snapshot = snapshot_build(issue)
    font = fonts.cjk_font()
    asked, connected = watch_fetches()

    data = pdf.render(snapshot)

    assert data.startswith(b"%PDF-")
    assert asked == ([font.file.as_uri()] if font.file else [])
    assert connected == []
    assert b"<img" not in html.render(snapshot)


# Where the font comes from


@needs_poppler
def test_without_system_fonts_it_embeds_the_bundled_font(issue, tmp_path):
    rich_issue(issue)

    report, data, logged = render_without_system_fonts(snapshot_build(issue), tmp_path)

    assert report == {"families": [], "checks": [], "error": ""}
    rows = pdf_fonts(data, tmp_path)
    assert [row[0].split("+")[1] for row in rows] == ["Noto-Sans-CJK-bundled"], rows
    assert all(row[-5] == "yes" for row in rows), rows
    text = pdf_text(data, tmp_path)
    for title in SECTION_TITLES:
        assert title in text, title
    assert "LLaMA 只有几百个中文 token" in text
    assert ".notdef" not in logged


@needs_poppler
def test_with_no_cjk_font_at_all_it_makes_no_pdf_and_the_check_warns(issue, tmp_path):
    rich_issue(issue)
    # A font is found, but it has no Chinese: the PDF would be boxes. The
    # Latin letters of the bundled collection make one on any machine.
    latin = tmp_path / "latin-only.otf"
    subset.main(
        [str(noto_cjk_sans_otc.FONT_PATH), "--font-number=2", "--unicodes=U+0020-007E",
         f"--output-file={latin}"]
    )  # fmt: skip

    latin_only, data, logged = render_without_system_fonts(
        snapshot_build(issue), tmp_path, PDF_CJK_FONT=str(latin)
    )
    missing, _data, _logged = render_without_system_fonts(
        snapshot_build(issue), tmp_path, PDF_CJK_FONT=str(tmp_path / "missing.ttc")
    )

    assert "fonts-noto-cjk" in latin_only["error"]
    assert (data, latin_only["checks"]) == (b"", [])
    # Nothing flooded the console: not one line per character.
    assert ".notdef" not in logged
    assert len(logged.splitlines()) < 10, logged
    assert "fonts-noto-cjk" in missing["error"]
    assert missing["checks"] == ["talk.W001"]


def test_it_refuses_to_lay_out_boxes_when_it_finds_no_cjk_font(issue, monkeypatch, settings):
    monkeypatch.setattr(fonts, "system_families", set)
    settings.PDF_CJK_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"

    with pytest.raises(fonts.NoCJKFont, match="fonts-noto-cjk"):
        pdf.render(snapshot_build(issue))
    (warning,) = pdf_font_check(None)
    assert warning.id == "talk.W001"
    assert "PDF_CJK_FONT" in warning.hint


def test_it_prefers_the_system_font_then_the_bundled_one(monkeypatch, settings):
    settings.PDF_CJK_FONT = ""
    monkeypatch.setattr(fonts, "system_families", lambda: {"DejaVu Sans", "Noto Sans CJK SC"})
    assert fonts.cjk_font() == fonts.CJKFont("Noto Sans CJK SC (system)")

    monkeypatch.setattr(fonts, "system_families", lambda: {"DejaVu Sans"})
    bundled = fonts.cjk_font()
    assert bundled.file == BUNDLED.file
    assert bundled.name.startswith("Noto Sans CJK SC (noto-cjk-sans-otc ")
    assert pdf_font_check(None) == []


def test_characters_no_font_has_are_one_warning_not_one_each(caplog):
    with caplog.at_level(logging.WARNING):
        # In a language, as the exports are: a tagged PDF without one is warned of.
        paragraphs = "<p>中文 \U000f0000\U000f0001 \U000f0000</p>" * 50
        data = pdf.html_to_pdf(f'<html lang="zh-Hans">{paragraphs}</html>')

    assert data.startswith(b"%PDF-")
    assert [record.getMessage() for record in caplog.records] == [
        "The PDF shows 2 characters that no font has as boxes: \U000f0000\U000f0001"
    ]


def test_a_machine_without_harfbuzz_subset_hears_nothing_of_it(monkeypatch, caplog):
    # Without libharfbuzz-subset (a bare Debian), WeasyPrint subsets fonts
    # with fontTools and says so for every font of every PDF; the file is the
    # same, so the console is spared the note.
    write_pdf = pdf.HTML.write_pdf

    def as_without_harfbuzz(self, *args, **kwargs):
        logging.getLogger("weasyprint").warning(
            'Using fontTools instead of HarfBuzz-Subset for font "%s". This will be '
            "unsupported in future versions of WeasyPrint.",
            "DejaVu Serif",
        )
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(pdf.HTML, "write_pdf", as_without_harfbuzz)
    with caplog.at_level(logging.WARNING):
        data = pdf.html_to_pdf('<html lang="zh-Hans"><p>中文</p></html>')

    assert data.startswith(b"%PDF-")
    assert caplog.records == []


@needs_poppler
def test_no_list_number_stands_on_a_line_of_its_own(series, tmp_path):
    # Corpus 003 has entries that open with their text, no title: "1." sat
    # alone above them.
    text = (CORPUS / "openllm-talk-003.txt").read_text(encoding="utf-8")
    issue = issue_import(series=series, text=text)

    lines = pdf_text(pdf.render(snapshot_build(issue)), tmp_path).splitlines()

    alone = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*\d+\.\s*", line)]
    assert alone == [], [lines[i - 2 : i + 3] for i in alone]
    assert any(re.match(r"\s*1\. \S", line) for line in lines)
