"""Search benchmark: a large archive searched through the index, against a
plain `icontains` scan of the same content.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search.py

It creates a throwaway test database (like the test runner does) and fills
an archive of 500 issues, each with 100 items and 30 questions with an
answer each, their text drawn from the eight corpus issues (their lines,
shuffled the same way on every run). It prints:
- the time to index it all (search.indexing.rebuild; then ANALYZE, as
  autovacuum would soon do) and the index's size
  (PostgreSQL: the table, its TOAST and each of its indexes),
- p50/p95 of 20 queries (Chinese, English, mixed, one and two characters, a
  link, full width, nothing), each run ROUNDS times through
  search.selectors.search (goal: p95 < 100 ms), by relevance and newest first,
- the same queries as a plain scan: `icontains` over the items' title, body
  and link, the questions', answers' and chat lines' text, newest first,
  the naive way a search would be written; and the ratio (goal >= 20x),
- the issue page's query count for a logged-in member, against the number
  tests/talk/test_issue_page.py pins (the header's search box adds none),
- EXPLAIN ANALYZE of the slowest query, for where its time goes.
The queries take turns with the scans in each round, so a slow spell of the
machine weighs on both alike.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# A name of its own, so a test run at the same time keeps its database.
os.environ["TEST_DATABASE_NAME"] = "test_bench_search"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talk.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from search import selectors  # noqa: E402
from search.indexing import rebuild  # noqa: E402
from search.models import Entry  # noqa: E402
from sections.models import Answer, ChatLine, Item, PostStatus, Question  # noqa: E402
from talk.demo import CORPUS  # noqa: E402
from talk.models import Issue  # noqa: E402
from talk.seed import ensure_openllm_talk  # noqa: E402
from talk.services import issue_create  # noqa: E402

ISSUES = 500
ITEMS = 100
QUESTIONS = 30
ROUNDS = 10
LIMIT = selectors.LIMIT
PINNED_PAGE_QUERIES = 12  # tests/talk/test_issue_page.py, for a member
QUERIES = [
    "位置编码",
    "长度外推",
    "LoRA",
    "lora 融合",
    "C-Eval",
    "RLHF 数据",
    "羡鱼",
    "7B",
    "70b",
    "zhuanlan.zhihu.com/p/640522290",
    "ＬｏＲＡ",
    "NTK-Aware",
    "attention mask",
    "llama2 汉化",
    "量化",
    "模型",  # in most rows
    "的",  # in nearly every row: one character, the commonest
    "鱼",
    "reward model",
    "xyzzy",  # nothing
]


def corpus_lines() -> tuple[list[str], list[str]]:
    """The corpus' lines of some length, and its links, shuffled alike on every run."""
    lines, links = [], []
    for path in sorted(CORPUS.glob("openllm-talk-*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("http"):
                links.append(line)
            elif len(line) >= 6:
                lines.append(line)
    shuffle = random.Random(2023).shuffle
    shuffle(lines)
    shuffle(links)
    return lines, links


def build(series, authors: list[User]) -> None:
    lines, links = corpus_lines()
    at = 0

    def text(n: int) -> str:
        nonlocal at
        chosen = [lines[(at + k) % len(lines)] for k in range(n)]
        at += n
        return "\n".join(chosen)

    for number in range(1, ISSUES + 1):
        issue = issue_create(series=series, by=None, number=number)
        sections = {s.key: s for s in issue.sections.all()}
        item_sections = [sections[k] for k in ("news", "recommend", "classic", "practice")]
        items = Item.objects.bulk_create(
            Item(
                section=item_sections[n % 4],
                title=text(1),
                url=links[(number * ITEMS + n) % len(links)],
                body=text(2),
                author=authors[n % len(authors)],
                submitted_by=authors[n % len(authors)],
                position=n,
            )
            for n in range(ITEMS)
        )
        questions = Question.objects.bulk_create(
            Question(
                section=sections["free-talk"],
                body=text(1),
                author=authors[n % len(authors)],
                submitted_by=authors[n % len(authors)],
                position=n,
            )
            for n in range(QUESTIONS)
        )
        Answer.objects.bulk_create(
            Answer(question=q, body=text(2), author=authors[(n + 1) % len(authors)])
            for n, q in enumerate(questions)
        )
        assert len(items) == ITEMS


def scan(series, text: str) -> list:
    """The naive search: the query as one substring of every content column,
    newest issue first, as many rows as the search shows."""
    newest = ("-section__issue__meeting_at", "-section__issue__number", "position", "id")
    in_series = Q(section__issue__series=series)
    found: list = []
    found += Item.objects.filter(
        in_series & (Q(title__icontains=text) | Q(body__icontains=text) | Q(url__icontains=text))
    ).order_by(*newest)[: LIMIT + 1]
    found += Question.objects.filter(
        in_series, body__icontains=text, status=PostStatus.VISIBLE
    ).order_by(*newest)[: LIMIT + 1]
    found += Answer.objects.filter(
        question__section__issue__series=series, body__icontains=text, status=PostStatus.VISIBLE
    ).order_by("-question__section__issue__meeting_at", "-question__section__issue__number", "id")[
        : LIMIT + 1
    ]
    found += ChatLine.objects.filter(in_series, text__icontains=text).order_by(*newest)[: LIMIT + 1]
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    series = ensure_openllm_talk()
    authors = [User.objects.create_user(alias=f"bench{n}", password="x") for n in range(20)]
    reader = authors[0]
    start = time.perf_counter()
    build(series, authors)
    print(
        f"database: {connection.vendor}; {ISSUES} issues x ({ITEMS} items + {QUESTIONS} questions"
        f" with an answer), built in {time.perf_counter() - start:.0f} s"
    )

    start = time.perf_counter()
    rows = rebuild()
    print(f"rebuild: {rows} rows in {time.perf_counter() - start:.1f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a load this size (PostgreSQL 13 on
        # vacuums after inserts too): without the statistics the planner
        # guesses one row for every match; without the visibility map an
        # index-only scan reads the table too.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print_size()

    timings: dict[str, list[float]] = {"relevance": [], "newest": [], "scan": []}
    slowest: dict[str, tuple[float, str]] = {}
    counts: dict[str, int] = {}
    for text in QUERIES:  # warm up: plans, caches
        counts[text] = selectors.search(series=series, viewer=reader, text=text).count
        scan(series, text)
    for _ in range(ROUNDS):
        for text in QUERIES:
            for order in ("relevance", "newest"):
                start = time.perf_counter()
                selectors.search(series=series, viewer=reader, text=text, order=order)
                took = time.perf_counter() - start
                timings[order].append(took)
                if took > slowest.get(order, (0.0, ""))[0]:
                    slowest[order] = (took, text)
            start = time.perf_counter()
            scan(series, text)
            timings["scan"].append(time.perf_counter() - start)

    print(f"{len(QUERIES)} queries x {ROUNDS} rounds, logged in; hits (of {LIMIT} at most):")
    print("  " + ", ".join(f"{text} {counts[text]}" for text in QUERIES))
    p95 = {name: percentile(values, 0.95) for name, values in timings.items()}
    for name, values in timings.items():
        goal = " (goal: p95 < 100 ms)" if name != "scan" else ""
        print(
            f"{name:>10}: p50 {ms(statistics.median(values))}, p95 {ms(p95[name])},"
            f" max {ms(max(values))}{goal}"
        )
    for order in ("relevance", "newest"):
        took, text = slowest[order]
        print(f"   slowest {order}: {text!r} {ms(took)}")
    print(
        f"scan / search p95: relevance {p95['scan'] / p95['relevance']:.1f}x,"
        f" newest {p95['scan'] / p95['newest']:.1f}x (goal >= 20x)"
    )

    print_page_queries(series, reader)
    if connection.vendor == "postgresql":
        explain(series, reader, slowest["relevance"][1])


def print_size() -> None:
    if connection.vendor != "postgresql":
        print("index size: PostgreSQL only")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('search_entry'), pg_total_relation_size('search_entry'),"
            " pg_indexes_size('search_entry')"
        )
        table, total, indexes = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index"
            " WHERE indrelid = 'search_entry'::regclass ORDER BY 2 DESC"
        )
        each = cursor.fetchall()
    mb = 1024 * 1024
    print(
        f"index size: {total / mb:.0f} MB in all: table {table / mb:.0f} MB,"
        f" TOAST {(total - table - indexes) / mb:.0f} MB, indexes {indexes / mb:.0f} MB"
        f" ({', '.join(f'{name} {size / mb:.1f}' for name, size in each)})"
    )


def print_page_queries(series, reader: User) -> None:
    issue = Issue.objects.get(series=series, number=ISSUES)
    client = Client()
    client.force_login(reader)
    client.get(issue.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(issue.get_absolute_url())
    assert response.status_code == 200, response.status_code
    print(
        f"issue page for a member ({ITEMS} items, {QUESTIONS} questions): {len(queries)} queries"
        f" (pinned in tests/talk/test_issue_page.py: {PINNED_PAGE_QUERIES})"
    )


def explain(series, reader: User, text: str) -> None:
    captured = []

    def keep(execute, sql, params, many, context):
        if Entry._meta.db_table in sql and sql.lstrip().startswith("SELECT"):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        selectors.search(series=series, viewer=reader, text=text, order="relevance")
    sql, params = captured[0]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"EXPLAIN ANALYZE of the slowest, {text!r} by relevance:")
    for line in plan:
        print("   " + line)


if __name__ == "__main__":
    main()
