"""Export benchmark: how long each format takes for a large issue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export.py

It creates a throwaway test database (like the test runner does), fills an
issue with 1,000 items (links, Markdown bodies, points, some code) and 300
questions with answers and replies, builds its snapshot once (nothing is
frozen) and prints the median time of each renderer over a few runs:
- Markdown, HTML and JSON, and Markdown + HTML together (goal: under 1 s),
- the PDF (goal: under 5 s) and the PDF of one published issue of the
  corpus (003), an issue's usual size (goal: under 1 s), by each renderer
  measured on the same HTML export, side by side: Typst, the desk's
  (docs/decisions.md says why), timed in a fresh worker process, the case
  the goal is about, and in a warm one; WeasyPrint, the desk's renderer
  before it; and Chromium (Playwright's page.pdf, JavaScript off, every
  request refused), when Chromium is installed, its start-up apart. With
  each: its size, pages and the kinds of font pdffonts finds in it (Type 3
  is glyphs drawn as pictures, not a font).
Markdown bodies and code blocks are cached by the sanitiser (sections.markup);
a worker that renders a revision starts cold, so the caches are emptied
before every run and the warm figure is printed beside it for comparison.
"""

import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talk.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from sections.markup import clear_caches  # noqa: E402
from sections.models import Answer, ChatLine, Item, Question  # noqa: E402
from talk.demo import CORPUS  # noqa: E402
from talk.exports import fonts, html, jsonfmt, markdown, pdf  # noqa: E402
from talk.importing import issue_import  # noqa: E402
from talk.seed import ensure_openllm_talk  # noqa: E402
from talk.services import issue_create  # noqa: E402
from talk.snapshot import snapshot_build  # noqa: E402

ITEMS = 1000
QUESTIONS = 300
RUNS = 5
PDF_RUNS = 3
CORPUS_ISSUE = "openllm-talk-003.txt"
CODE = "def rope(x, base=10000):\n    inv_freq = 1.0 / (base ** (torch.arange(0, 64, 2) / 64))\n    return x * inv_freq\n"


def build(series, authors: list[User]):
    issue = issue_create(series=series, by=None, number=8)
    sections = {s.key: s for s in issue.sections.all()}
    item_sections = [sections[k] for k in ("news", "recommend", "classic", "practice")]

    def subgroup(section, n):
        return section.subgroups[n % len(section.subgroups)] if section.subgroups else ""

    Item.objects.bulk_create(
        Item(
            section=item_sections[n % 4],
            subgroup=subgroup(item_sections[n % 4], n),
            title=f"第 {n} 条：LongNet 把序列长度扩展到 10 亿 Token",
            url=f"https://example.com/{n}",
            body=(
                f"**动机**：第 {n} 条的摘要，见 https://example.org/{n}。\n\n"
                "- 线性复杂度\n- 可以并行训练"
            ),
            points="扩张注意力\n对数依赖\n" if n % 3 == 0 else "",
            code=CODE if n % 10 == 0 else "",
            language="python" if n % 10 == 0 else "",
            author=authors[n % len(authors)],
            position=n,
        )
        for n in range(ITEMS)
    )
    questions = Question.objects.bulk_create(
        Question(
            section=sections["free-talk"],
            subgroup=("线上讨论", "群里讨论")[n % 2],
            body=f"问题 {n}：`attention` 的复杂度怎么随长度增长？",
            author=authors[n % len(authors)],
            position=n,
        )
        for n in range(QUESTIONS)
    )
    answers = Answer.objects.bulk_create(
        Answer(question=q, body=f"回答 {n}：O(n^2)，线性注意力另说。", author=authors[(n + 1) % 20])
        for n, q in enumerate(questions)
    )
    Answer.objects.bulk_create(
        Answer(question=a.question, parent=a, body=f"补充 {n}", author=authors[(n + 2) % 20])
        for n, a in enumerate(answers)
        if n % 3 == 0
    )
    ChatLine.objects.bulk_create(
        ChatLine(
            section=sections["chat"],
            speaker_name=f"群友{n % 7}",
            said_at=f"21:{n % 60:02d}",
            text=f"第 {n} 句",
            position=n,
        )
        for n in range(100)
    )
    return issue


def timed(render, snapshot, runs: int, *, cold: bool = True) -> float:
    timings = []
    for _ in range(runs):
        if cold:
            clear_caches()
        start = time.perf_counter()
        render(snapshot)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def markdown_and_html(snapshot) -> None:
    markdown.render(snapshot)
    html.render(snapshot)


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    series = ensure_openllm_talk()
    authors = [User.objects.create_user(alias=f"bench{n}", password="x") for n in range(20)]
    issue = build(series, authors)
    start = time.perf_counter()
    snapshot = snapshot_build(issue, revision=1)
    built = time.perf_counter() - start
    sizes = {name: len(render(snapshot)) for name, render in RENDERERS}

    print(f"database: {connection.vendor}; {ITEMS:,} items, {QUESTIONS} questions with answers")
    print(f"snapshot built in {built * 1000:.0f} ms (once; not part of the figures below)")
    print(
        f"median of {RUNS} runs, Markdown and code caches emptied before each (warm in brackets):"
    )
    for name, render in RENDERERS:
        cold, warm = timed(render, snapshot, RUNS), timed(render, snapshot, RUNS, cold=False)
        print(
            f"{name:>16}: {cold * 1000:7.0f} ms  ({warm * 1000:.0f} ms warm), {sizes[name] / 1024:,.0f} KiB"
        )
    both = timed(markdown_and_html, snapshot, RUNS)
    print(f"{'Markdown + HTML':>16}: {both * 1000:7.0f} ms  (goal < 1,000 ms)")
    corpus = issue_import(series=series, text=(CORPUS / CORPUS_ISSUE).read_text(encoding="utf-8"))
    typical = snapshot_build(corpus, revision=1)
    code = corpus.code.zfill(3)
    print(f"PDF, each renderer on the same HTML export (set in {fonts.cjk_font().name}):")
    for label, document, runs, goal in (
        (f"{ITEMS:,} items", snapshot, PDF_RUNS, 5),
        (f"corpus {code}", typical, RUNS, 1),
    ):
        data, alone, started = typst_in_a_fresh_process(document)
        print(
            f"{'Typst ' + label:>24}: {alone:5.2f} s in a fresh worker (goal < {goal} s;"
            f" {started:.2f} s with Python's start-up), {typst_in_a_warm_worker(document, runs):.2f} s"
            f" in a warm one; {len(data) / 1024:,.0f} KiB, {page_count(data)} pages,"
            f" fonts {font_kinds(data)}"
        )
        try:
            data = weasyprint_pdf(document)
        except OSError as error:  # its Pango is a Debian package
            print(f"{'WeasyPrint':>24}: cannot load ({str(error)[:80]}), not measured")
            continue
        took = timed(weasyprint_pdf, document, runs)
        print(
            f"{'WeasyPrint ' + label:>24}: {took:5.2f} s, {len(data) / 1024:,.0f} KiB,"
            f" {page_count(data)} pages, fonts {font_kinds(data)}"
        )
    print_chromium(snapshot, typical, code)


# The chosen renderer as a worker runs it the first time: a process that has
# read no font yet and laid out nothing (Typst keeps what it laid out, so a
# second render of one document in a process costs next to nothing).
RENDER_ONCE = """
import json, sys, time
import django
django.setup()
from talk.exports import pdf
snapshot = json.loads(open(sys.argv[1], encoding="utf-8").read())
start = time.perf_counter()
data = pdf.render(snapshot)
took = time.perf_counter() - start
open(sys.argv[2], "wb").write(data)
print(took)
"""


def typst_in_a_fresh_process(snapshot) -> tuple[bytes, float, float]:
    """The PDF, the median time of its render and of the whole process."""
    renders, processes = [], []
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "snapshot.json", Path(folder) / "issue.pdf"
        source.write_text(json.dumps(snapshot), encoding="utf-8")
        for _ in range(PDF_RUNS):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", RENDER_ONCE, source, target],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            processes.append(time.perf_counter() - start)
            renders.append(float(done.stdout.split()[-1]))
        return target.read_bytes(), statistics.median(renders), statistics.median(processes)


def typst_in_a_warm_worker(snapshot, runs: int) -> float:
    """A worker that has made PDFs before, given a document it has not seen
    (its title changed per run, so nothing is reused whole)."""
    pdf.render(snapshot)
    timings = []
    for run in range(runs):
        changed = {**snapshot, "title": f"{snapshot['title']} ({run})"}
        clear_caches()
        start = time.perf_counter()
        pdf.render(changed)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def weasyprint_pdf(snapshot) -> bytes:
    """The HTML export laid out by WeasyPrint (the desk's renderer until
    Typst replaced it), every fetch refused, tagged, set in the system's
    fonts (on a machine without Noto CJK, its Chinese are boxes)."""
    # Its notes (each step, a glyph missing, fontTools subsetting) are not
    # figures; its import already parses stylesheets.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class Refusing(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"refused {url}")

    document = html.render(snapshot).decode()
    return HTML(string=document, url_fetcher=Refusing()).write_pdf(pdf_tags=True)


def print_chromium(snapshot, typical, code: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("Chromium: not installed, not measured")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        start = time.perf_counter()
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(java_script_enabled=False)
        context.route("**/*", lambda route: route.abort())
        launched = time.perf_counter() - start

        def printed(document) -> bytes:
            page = context.new_page()
            page.set_content(html.render(document).decode(), wait_until="load")
            data = page.pdf(format="A4", print_background=True, tagged=True, outline=True)
            page.close()
            return data

        for label, document, runs in (
            (f"{ITEMS:,} items", snapshot, PDF_RUNS),
            (f"corpus {code}", typical, RUNS),
        ):
            data = printed(document)
            took = timed(printed, document, runs)
            print(
                f"{'Chromium ' + label:>24}: {took:5.2f} s, {len(data) / 1024:,.0f} KiB,"
                f" {page_count(data)} pages, fonts {font_kinds(data)}"
            )
        print(f"{'Chromium start':>24}: {launched:5.2f} s (once per worker)")
        browser.close()


def font_kinds(data: bytes) -> str:
    """The kinds of font pdffonts lists (Type 3 is glyphs drawn, not a font)."""
    if not shutil.which("pdffonts"):
        return "? (pdffonts is not installed)"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        listing = subprocess.run(["pdffonts", file.name], capture_output=True, text=True).stdout
    # A name (no spaces) may run into the next column; the kind follows it.
    kinds = [
        re.split(r"\s{2,}", line[len(line.split()[0]) :].strip())[0]
        for line in listing.splitlines()[2:]
        if line.strip()
    ]
    return ", ".join(f"{kind} x{kinds.count(kind)}" for kind in sorted(set(kinds)))


def page_count(data: bytes) -> str:
    """The PDF's page count, as poppler's pdfinfo reads it (WeasyPrint packs
    its page objects into compressed streams, out of reach of a regex)."""
    if not shutil.which("pdfinfo"):
        return "? (pdfinfo is not installed)"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True)
    return re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1)


RENDERERS = (("Markdown", markdown.render), ("HTML", html.render), ("JSON", jsonfmt.render))


if __name__ == "__main__":
    main()
