"""Redis stopped in the middle of use, in a real browser against a real
uvicorn process and a Redis of the test's own (tests/redis_server.py, never
the machine's): members still post, the host still freezes and is told in
words that the files wait, /healthz says Redis is out; when Redis comes back
empty, open pages resume live updates by themselves and the exports render.

The figures printed (run with -s) are for the record; nothing asserts them.
"""

import hashlib
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from talk.exports.storage import absolute
from talk.models import Export
from tests.conftest import section_of
from tests.factories import UserFactory
from tests.processes import stop
from tests.redis_server import RedisServer

from .asgi_server import ROOT, AsgiServer, database_url, log_in_cookie
from .live_pages import MARK_PAGE, SAME_PAGE
from .test_live import PROPAGATION_MS, zh

pytestmark = pytest.mark.postgres  # the server process reads the test database

# The stream tries Redis again every 2 s; the page fetches what it missed.
BACK_MS = 10_000
# A worker and beat start, beat sends the sweep (every second here), the
# worker renders four files; the page polls the panel every 2 s.
EXPORTS_MS = 60_000
WAITING = "Waiting for the export worker: it starts by itself when the queue is back."


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(log=tmp_path / "redis.log")
    yield server
    server.stop()


@pytest.fixture
def serve(django_db_setup, tmp_path, issue, outages):
    running = []

    def start(redis_url: str, **env) -> AsgiServer:
        server = AsgiServer(redis_url=redis_url, log=tmp_path / "asgi.log", env=env).start()
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def open_issue(open_context, issue):
    def open_page(server: AsgiServer, user, state: str = "live"):
        context = open_context()
        log_in_cookie(context, server, user)
        page = context.new_page()
        page.goto(server.url + issue.get_absolute_url())
        expect(page.locator("#live-state")).to_have_attribute("data-state", state)
        page.evaluate(MARK_PAGE)
        return page

    return open_page


@pytest.fixture
def celery(tmp_path):
    """Celery processes (a worker, beat) started by the test, stopped by PID."""
    started = []

    def start(*args: str, env: dict) -> subprocess.Popen:
        log = tmp_path / f"celery-{len(started)}.log"
        command = [sys.executable, "-m", "celery", "-A", "tests.worker_app", *args]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process)


def add_item(page, section, title: str, url: str) -> None:
    """The add form stays open after a save, for the next entry."""
    form = page.locator(f"#add-item-{section.pk}")
    if form.get_attribute("open") is None:
        form.locator("> summary").click()
    page.locator(f"#section-{section.pk}-new-title").fill(title)
    page.locator(f"#section-{section.pk}-new-url").fill(url)
    form.locator("button[type=submit]").click()


def health(server: AsgiServer) -> tuple[int, bytes]:
    with urllib.request.urlopen(server.url + reverse("healthz"), timeout=5) as response:
        return response.status, response.read()


def test_it_keeps_posting_while_redis_is_down_and_goes_live_again_when_it_restarts_empty(
    transactional_db, issue, member, own_redis, serve, open_issue
):
    own_redis.start()
    server = serve(own_redis.url)
    news = section_of(issue, "news")
    reader = open_issue(server, UserFactory(alias="阿九"))
    writer = open_issue(server, member)
    titles = reader.locator(f"#section-{news.pk} .entry-title")
    # Events before the restart: the page's count is past the one a Redis
    # restarted empty starts again from.
    for n in range(3):
        add_item(writer, news, f"重启前{n}", f"https://example.com/before-{n}")
        expect(titles).to_have_count(n + 1, timeout=PROPAGATION_MS)

    own_redis.stop()

    state = reader.locator("#live-state")
    expect(state).to_have_attribute("data-state", "paused")
    expect(state).to_contain_text(zh("Updates paused: the server is catching up"))
    assert health(server) == (200, b"ok\nredis: unavailable\n")
    # A member's post (rate-limited, announced) is saved, not a 500.
    add_item(writer, news, "Redis 停了也能加", "https://example.com/during")
    expect(writer.locator(f"#section-{news.pk} .entry-title")).to_have_count(4)
    expect(writer.locator("#flash")).to_be_empty()

    own_redis.start()
    restarted = time.monotonic()

    # What was written meanwhile comes with the resync ...
    expect(titles.nth(3)).to_have_text("Redis 停了也能加", timeout=BACK_MS)
    caught_up = time.monotonic() - restarted
    expect(state).to_have_attribute("data-state", "live")
    assert health(server) == (200, b"ok\n")
    # ... and what is written after it comes as an event, numbered 1 again.
    added = time.monotonic()
    add_item(writer, news, "重启后加的", "https://example.com/after")
    expect(titles.nth(4)).to_have_text("重启后加的", timeout=PROPAGATION_MS)
    propagated = time.monotonic() - added

    assert reader.evaluate(SAME_PAGE), "no reload"
    print(
        f"\nRedis restarted empty: the open page caught up {caught_up:.2f} s later; "
        f"the next item reached it {propagated:.2f} s after it was added "
        f"({time.monotonic() - restarted:.2f} s after the restart)"
    )


def test_a_freeze_with_redis_down_answers_says_the_files_wait_and_they_render_once_it_is_back(
    transactional_db, issue, host, own_redis, serve, open_issue, celery, tmp_path, settings
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)  # where the test reads the files back
    # The server sends its tasks to a Redis that is not there yet.
    server = serve(own_redis.url, CELERY_TASK_ALWAYS_EAGER="0", MEDIA_ROOT=str(media))
    page = open_issue(server, host, state="paused")
    page.on("dialog", lambda dialog: dialog.accept())
    freeze = reverse("issue-lifecycle", args=[issue.series.slug, issue.code, "freeze"])

    sent = time.monotonic()
    with page.expect_response(lambda response: response.url.endswith(freeze)) as answer:
        page.locator("#freeze-form button[type=submit]").click()
    answered = time.monotonic() - sent

    assert answer.value.status == 200
    notes = page.locator("#issue-exports .export-note")
    expect(notes).to_have_count(4)
    expect(notes.first).to_have_text(zh(WAITING))
    expect(page.locator("#issue-exports")).not_to_contain_text("Error")
    rows = Export.objects.filter(revision__issue=issue)
    assert {(row.status, row.queued_at) for row in rows} == {("pending", None)}

    own_redis.start()
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": own_redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media),
        "EXPORT_SWEEP_SECONDS": "1",
    }
    celery("worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", env=env)
    celery("beat", "--loglevel=WARNING", f"--schedule={tmp_path / 'beat-schedule'}", env=env)
    back = time.monotonic()

    files = page.locator("#issue-exports a[download]")
    expect(files).to_have_count(4, timeout=EXPORTS_MS)
    rendered = time.monotonic() - back

    expect(notes).to_have_count(0)
    for export in rows.all():
        assert export.status == Export.Status.DONE
        assert hashlib.sha256(absolute(export.path).read_bytes()).hexdigest() == export.sha256
    print(
        f"\nfreeze with Redis down answered in {answered:.2f} s; with Redis back, a worker "
        f"and beat started, the four files were on the page {rendered:.1f} s later"
    )
