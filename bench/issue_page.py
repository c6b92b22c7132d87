"""Issue page benchmark: query counts and render times at two sizes, and the
throughput of item submission against a bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/issue_page.py

It creates a throwaway test database (like the test runner does), fills an
issue of 100 items and one of 1,000 items, each with 300 questions and their
answers, and prints:
- the page's query count for a logged-in member at each size (should match),
- p50/p95 of rendering the page at each size and their ratio (goal: <= 10x),
- item submissions per second through the real view (htmx, the new row back)
  against two baselines measured in the same run, the three taking turns in
  10 rounds of 20: a bare view that only passes the middleware (CSRF,
  session, login) and answers "ok", and a bare write that inserts the same
  row with no form, checks or fragment; and the ratios (goal against the
  bare view: >= 0.3x). This is one request at a time in this process (the
  test client): the cost of each request more than the throughput of a server;
- the same submission and bare view served as production serves them
  (uvicorn, one worker per core, on this benchmark's database) under 8
  concurrent connections from wrk (Debian's package), taking turns in 3
  rounds of 5 s: the throughput of each and their ratio. Skipped, with a
  word, when wrk is missing or the database is not PostgreSQL.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talk.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402
from serving import serving  # noqa: E402

from accounts.models import User  # noqa: E402
from sections.models import Answer, Item, Question, Vote  # noqa: E402
from talk.seed import ensure_openllm_talk  # noqa: E402
from talk.services import issue_create  # noqa: E402

RENDERS = 25
SUBMISSIONS = 200
ROUNDS = 10
QUESTIONS = 300
SERVED_ROUNDS = 3
SERVED_SECONDS = 5
SERVED_CONNECTIONS = 8
# A POST with the member's cookies and the CSRF token, as htmx sends it.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRFToken"] = "{token}"
wrk.headers["HX-Request"] = "true"
"""


@require_POST
def bare(request):
    return HttpResponse("ok")


@require_POST
@transaction.atomic
def bare_write(request, pk):
    """The same row written the shortest way: no form, no permission check,
    no rate limit, no fragment; what the app's own layers cost shows against it."""
    Item.objects.create(
        section_id=pk,
        kind=request.POST["kind"],
        subgroup=request.POST["subgroup"],
        title=request.POST["title"],
        url=request.POST["url"],
        body=request.POST["body"],
        author=request.user,
        submitted_by=request.user,
    )
    return HttpResponse("ok")


# The served app's modules: the project, and this folder (these URLs, and
# served_settings, which points the server at them).
PYTHONPATH = os.pathsep.join(
    str(p) for p in (Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent)
)

urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-write/<int:pk>/", bare_write),
    path("", include("desk.urls")),
]


def build(series, number: int, items: int, authors: list[User]):
    issue = issue_create(series=series, by=None, number=number)
    sections = {s.key: s for s in issue.sections.all()}
    item_sections = [sections[k] for k in ("news", "recommend", "classic", "practice")]
    Item.objects.bulk_create(
        Item(
            section=item_sections[n % 4],
            subgroup=(item_sections[n % 4].subgroups or [""])[
                n % max(1, len(item_sections[n % 4].subgroups))
            ],
            title=f"Item {n} with a title of ordinary length",
            url=f"https://example.com/{number}/{n}",
            body=f"A **summary** of item {n}, with a link https://example.org/{n} and a list:\n\n- one\n- two",
            author=authors[n % len(authors)],
            submitted_by=authors[n % len(authors)],
            position=n,
        )
        for n in range(items)
    )
    questions = Question.objects.bulk_create(
        Question(
            section=sections["free-talk"],
            subgroup=("线上讨论", "群里讨论")[n % 2],
            body=f"Question {n}: how does `attention` scale?",
            author=authors[n % len(authors)],
            submitted_by=authors[n % len(authors)],
            position=n,
        )
        for n in range(QUESTIONS)
    )
    Answer.objects.bulk_create(
        Answer(question=q, body=f"An answer to {n}.", author=authors[(n + 1) % len(authors)])
        for n, q in enumerate(questions)
    )
    Vote.objects.bulk_create(
        Vote(question=q, member=authors[(n + 2) % len(authors)]) for n, q in enumerate(questions)
    )
    return issue


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_page(client: Client, url: str) -> tuple[int, float, float]:
    client.get(url)  # warm caches (templates, Markdown)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - start)
    return len(queries), statistics.median(timings), percentile(timings, 0.95)


def throughputs(posts: dict) -> dict:
    """Requests per second of each kind of post. The kinds take turns in short
    rounds, so that a slow spell of the machine weighs on all of them alike."""
    for post in posts.values():
        for _ in range(10):
            post()
    elapsed = dict.fromkeys(posts, 0.0)
    for _ in range(ROUNDS):
        for name, post in posts.items():
            start = time.perf_counter()
            for _ in range(SUBMISSIONS // ROUNDS):
                post()
            elapsed[name] += time.perf_counter() - start
    return {name: SUBMISSIONS / seconds for name, seconds in elapsed.items()}


def main() -> None:
    # No setup_test_environment(): its instrumented template rendering would
    # slow every render down and measure the test harness, not the page.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            ROOT_URLCONF=__name__, POSTS_PER_MINUTE=10**9, DEBUG=False, ALLOWED_HOSTS=["testserver"]
        ):
            run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    series = ensure_openllm_talk()
    authors = [User.objects.create_user(alias=f"bench{n}", password="x") for n in range(20)]
    reader = authors[0]
    small = build(series, 100, 100, authors)
    large = build(series, 1000, 1000, authors)

    client = Client()
    client.force_login(reader)
    print(f"database: {connection.vendor}; {RENDERS} renders per size, logged in")
    results = {}
    for label, issue in (("100 items", small), ("1,000 items", large)):
        queries, p50, p95 = measure_page(client, issue.get_absolute_url())
        results[label] = p50
        print(
            f"{label:>12} + {QUESTIONS} questions: {queries} queries, p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
        )
    print(
        f"render ratio 1,000 / 100 items (p50): {results['1,000 items'] / results['100 items']:.2f}x (goal <= 10x)"
    )

    poster = Client(enforce_csrf_checks=True)
    poster.force_login(reader)
    poster.get(small.get_absolute_url())
    token = poster.cookies["csrftoken"].value
    news = small.sections.get(key="news")
    headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_HX_REQUEST": "true"}
    form = {
        "kind": "entry",
        "subgroup": "学术",
        "title": "Benchmark",
        "url": "https://example.com/b",
        "body": "x",
    }

    def submit():
        response = poster.post(f"/sections/{news.pk}/items/", form, **headers)
        assert response.status_code == 200, response.status_code

    def bare_post():
        response = poster.post("/bench/bare/", form, **headers)
        assert response.status_code == 200, response.status_code

    def bare_write_post():
        response = poster.post(f"/bench/bare-write/{news.pk}/", form, **headers)
        assert response.status_code == 200, response.status_code

    rates = throughputs({"bare": bare_post, "write": bare_write_post, "submit": submit})
    print("one request at a time, in this process:")
    bare_rate, write_rate, submit_rate = rates["bare"], rates["write"], rates["submit"]
    print(f"bare view (no-op, same middleware): {bare_rate:.0f} requests/s")
    print(f"bare write (the same INSERT, no form, checks or fragment): {write_rate:.0f} requests/s")
    print(f"item submission through the desk (htmx, new row back): {submit_rate:.0f} requests/s")
    print(f"submission / bare view: {submit_rate / bare_rate:.2f}x (goal >= 0.3x)")
    print(f"submission / bare write: {submit_rate / write_rate:.2f}x")

    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in poster.cookies.items())
    served = served_throughputs(
        {"bare": "/bench/bare/", "submit": f"/sections/{news.pk}/items/"},
        WRK_SCRIPT.format(body=urlencode(form), cookie=cookie, token=token),
    )
    if served:
        print(
            f"served (uvicorn, {os.cpu_count()} workers, {SERVED_CONNECTIONS} connections):"
            f" bare view {served['bare']:.0f} requests/s, submission {served['submit']:.0f}/s,"
            f" submission / bare view {served['submit'] / served['bare']:.2f}x (goal >= 0.3x)"
        )


def served_throughputs(paths: dict[str, str], script: str) -> dict[str, float] | None:
    """Requests per second of each path, served by uvicorn and loaded by wrk;
    the median of the rounds. None (said why) when it cannot be measured."""
    if not shutil.which("wrk"):
        print("served: skipped (wrk is not installed: apt-get install wrk)")
        return None
    if connection.vendor != "postgresql":
        print("served: skipped (the server shares the database: PostgreSQL only)")
        return None
    rates: dict[str, list[float]] = {name: [] for name in paths}
    settings = {"DJANGO_SETTINGS_MODULE": "served_settings", "PYTHONPATH": PYTHONPATH}
    with (
        tempfile.NamedTemporaryFile("w", suffix=".lua") as lua,
        tempfile.TemporaryFile() as log,
        serving(log, env=settings, workers=os.cpu_count() or 1) as (_pid, port),
    ):
        lua.write(script)
        lua.flush()
        for _ in range(SERVED_ROUNDS):
            for name, path in paths.items():
                rates[name].append(wrk(f"http://127.0.0.1:{port}{path}", lua.name))
    return {name: statistics.median(values) for name, values in rates.items()}


def wrk(url: str, script: str) -> float:
    command = ["wrk", "-t2", f"-c{SERVED_CONNECTIONS}", f"-d{SERVED_SECONDS}s", "-s", script, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    # Every answer must be the real one: a refused post is quick and would flatter.
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered with errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


if __name__ == "__main__":
    main()
