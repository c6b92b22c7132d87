"""The PDF export: Chinese laid out in an embedded CJK font (the system's, or
the bundled one where the system has none), never in boxes; page numbers and
working links; and nothing a document holds ever read as Typst markup, nor
any file or URL fetched while rendering it."""

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import noto_cjk_sans_otc
import pytest
import typst
from fontTools import subset

from talk.checks import pdf_font_check
from talk.exports import fonts, html, pdf
from talk.exports.tree import document_tree
from talk.importing import issue_import
from talk.snapshot import snapshot_build
from tests.talk.conftest import CORPUS, FILES
from tests.talk.test_export_html import hostile_issue
from tests.talk.test_export_markdown import rich_issue

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")) and not os.environ.get("CI"),
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)
SECTION_TITLES = ["本期记录", "本周新闻", "本周推荐", "本周经典-optional", "Free Talk", "参考资料"]
# Every way an HTML page could ask a renderer to fetch something.
REACHING_OUT = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="stylesheet" href="http://example.com/style.css">
<style>
@import url("http://example.com/import.css");
body { background: url("file:///etc/passwd"); }
</style></head><body><main>
<h1>外部资源</h1>
<img src="file:///etc/passwd" alt="">
<img src="http://example.com/pixel.png" alt="">
<object data="file:///etc/passwd"></object>
<embed src="http://example.com/embed.svg">
</main></body></html>"""
# Typst markup that would read a file, fetch a package or make a link, were
# a member's text ever pasted into the template.
TYPST_CODE = [
    '#read("/etc/passwd")',
    '#image("/etc/hostname")',
    '#import "@preview/cetz:0.3.4"',
    '#link("javascript:alert(1)")[点我]',
    "#{ panic() }",
]
BUNDLED = fonts.CJKFont("bundled", (Path(str(noto_cjk_sans_otc.FONT_PATH)),))


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


def embedded_cjk(rows: list[list[str]]) -> list[list[str]]:
    """The fonts of pdffonts' listing that are Noto Sans CJK faces, after
    checking each is embedded (name, type…, encoding, emb, sub, uni, id)."""
    cjk = [row for row in rows if re.search(r"NotoSans(Mono)?CJK", row[0])]
    assert all(row[-5] == "yes" for row in cjk), cjk
    return cjk


@needs_poppler
def test_it_embeds_a_cjk_font(issue, tmp_path):
    rich_issue(issue)

    rows = pdf_fonts(pdf.render(snapshot_build(issue)), tmp_path)

    assert embedded_cjk(rows), rows
    # Glyphs drawn as pictures (Type 3) would be no text to search or copy.
    assert not [row for row in rows if "Type 3" in " ".join(row)], rows


@needs_poppler
def test_pages_are_numbered_and_links_work(issue, tmp_path):
    rich_issue(issue)
    path = tmp_path / "issue.pdf"
    path.write_bytes(pdf.render(snapshot_build(issue)))

    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True, text=True
    ).stdout.split("\f")
    urls = subprocess.run(["pdfinfo", "-url", path], capture_output=True, check=True, text=True)

    count = len([page for page in pages if page.strip()])
    for number, page in enumerate(pages[:count], start=1):
        assert re.search(rf"^{number} ?/ ?{count}$", page, re.M), page[-200:]
    links = {line.split()[-1] for line in urls.stdout.splitlines()[1:] if line.strip()}
    item_urls = set(issue.sections.values_list("items__url", flat=True)) - {None, ""}
    assert item_urls
    assert item_urls <= links, (item_urls, links)
    assert all(link.startswith(("http://", "https://", "mailto:")) for link in links), links


@needs_poppler
@pytest.mark.parametrize("font", [None, BUNDLED], ids=["found", "bundled"])
def test_a_document_that_reaches_out_renders_without_fetching_anything(tmp_path, font):
    data = pdf.html_to_pdf(REACHING_OUT, font)

    text = pdf_text(data, tmp_path)
    assert "外部资源" in text
    assert "root:" not in text


@needs_poppler
def test_typst_markup_in_member_text_is_shown_as_typed(issue, tmp_path):
    hostile_issue(issue)
    section = issue.sections.get(key="news")
    for code in TYPST_CODE:
        section.items.create(title=code, body=code, code=code, language="typst")
    snapshot = snapshot_build(issue)

    data = pdf.render(snapshot)

    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    for code in TYPST_CODE:
        assert code in text, code
    assert "root:" not in text
    assert b"<img" not in html.render(snapshot)


def test_the_compiler_reads_no_file_outside_its_empty_root():
    # What the template could do, were markup ever to reach it: the
    # compiler's root is an empty folder. (Package imports are not tried
    # here: one would go to the network; the template has none.)
    compiler = pdf._compiler(fonts.cjk_font())

    for source in ('#read("/etc/passwd")', '#read("../../etc/passwd")', '#image("x.png")'):
        with pytest.raises(typst.TypstError):
            compiler.compile(input=source.encode(), format="pdf")
    # The folders it was given as its root and its packages' stay empty.
    roots = list(Path(tempfile.gettempdir()).glob("desk-pdf-root-*"))
    assert roots
    assert not [root for root in roots if any(root.iterdir())]


# Where the font comes from


@pytest.fixture
def no_system_fonts(monkeypatch, settings):
    """A machine without a single font installed."""
    monkeypatch.setattr(fonts, "system_fonts", dict)
    settings.PDF_CJK_FONT = ""


@needs_poppler
def test_without_system_fonts_it_embeds_the_bundled_font(issue, tmp_path, no_system_fonts):
    rich_issue(issue)

    data = pdf.render(snapshot_build(issue))

    assert fonts.cjk_font().name.startswith("Noto Sans CJK SC (noto-cjk-sans-otc ")
    assert pdf_font_check(None) == []
    rows = pdf_fonts(data, tmp_path)
    # Typst is given that collection alone: every font in the PDF is one of its faces.
    assert rows
    assert embedded_cjk(rows) == rows, rows
    text = pdf_text(data, tmp_path)
    for title in SECTION_TITLES:
        assert title in text, title
    assert "LLaMA 只有几百个中文 token" in text


def test_with_no_cjk_font_at_all_it_makes_no_pdf_and_the_check_warns(
    issue, tmp_path, no_system_fonts, settings, caplog
):
    rich_issue(issue)
    snapshot = snapshot_build(issue)
    # A font is found, but it has no Chinese: the PDF would be boxes. The
    # Latin letters of the bundled collection make one on any machine.
    latin = tmp_path / "latin-only.otf"
    subset.main(
        [str(noto_cjk_sans_otc.FONT_PATH), "--font-number=2", "--unicodes=U+0020-007E",
         f"--output-file={latin}"]
    )  # fmt: skip
    settings.PDF_CJK_FONT = str(latin)

    with caplog.at_level(logging.INFO), pytest.raises(fonts.NoCJKFont, match="fonts-noto-cjk"):
        pdf.render(snapshot)
    assert pdf_font_check(None) == []
    # Nothing flooded the log: not one line per character.
    assert len(caplog.records) < 10, caplog.text

    settings.PDF_CJK_FONT = str(tmp_path / "missing.ttc")
    with pytest.raises(fonts.NoCJKFont, match="fonts-noto-cjk"):
        pdf.render(snapshot)
    assert [warning.id for warning in pdf_font_check(None)] == ["talk.W001"]


def test_it_refuses_to_lay_out_boxes_when_it_finds_no_cjk_font(issue, monkeypatch, settings):
    monkeypatch.setattr(fonts, "system_fonts", dict)
    settings.PDF_CJK_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"

    with pytest.raises(fonts.NoCJKFont, match="fonts-noto-cjk"):
        pdf.render(snapshot_build(issue))
    (warning,) = pdf_font_check(None)
    assert warning.id == "talk.W001"
    assert "PDF_CJK_FONT" in warning.hint


def test_it_prefers_the_system_font_then_the_bundled_one(monkeypatch, settings, tmp_path):
    settings.PDF_CJK_FONT = ""
    regular, bold = tmp_path / "NotoSansCJK-Regular.ttc", tmp_path / "NotoSansCJK-Bold.ttc"
    found = {"DejaVu Sans": [tmp_path / "DejaVuSans.ttf"], "Noto Sans CJK SC": [regular, bold]}
    monkeypatch.setattr(fonts, "system_fonts", lambda: found)
    assert fonts.cjk_font() == fonts.CJKFont("Noto Sans CJK SC (system)", (regular, bold))

    monkeypatch.setattr(fonts, "system_fonts", lambda: {"DejaVu Sans": found["DejaVu Sans"]})
    bundled = fonts.cjk_font()
    assert bundled.file == BUNDLED.file
    assert bundled.name.startswith("Noto Sans CJK SC (noto-cjk-sans-otc ")
    assert pdf_font_check(None) == []


def test_characters_no_font_has_are_one_warning_not_one_each(caplog):
    with caplog.at_level(logging.WARNING):
        paragraphs = "<p>中文 \U000f0000\U000f0001 \U000f0000</p>" * 50
        data = pdf.html_to_pdf(f'<html lang="zh-Hans"><main>{paragraphs}</main></html>')

    assert data.startswith(b"%PDF-")
    assert [record.getMessage() for record in caplog.records] == [
        "The PDF shows 2 characters that no font has as boxes: \U000f0000\U000f0001"
    ]


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


def texts(nodes: list) -> list[str]:
    """Each run of text of the tree, as the HTML export shows it."""
    return [
        piece for node in nodes for piece in ([node] if isinstance(node, str) else texts(node["k"]))
    ]


def bare(text: str) -> str:
    return "".join(text.split()).replace("-", "")


@needs_poppler
@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_shows_every_text_of_the_html_export(imported, tmp_path):
    data = pdf.html_to_pdf(imported["html"])

    # Line breaks and page footers ("3 / 7") are the PDF's own, not text;
    # and pdftotext takes a "-" that ends a line for a hyphen and drops it.
    lines = pdf_text(data, tmp_path).splitlines()
    shown = "".join(bare(line) for line in lines if not re.fullmatch(r"\s*\d+ ?/ ?\d+\s*", line))
    runs = [bare(run) for run in texts(document_tree(imported["html"])["body"])]
    missing = [run for run in runs if run and run not in shown]
    assert missing == [], missing[:5]
