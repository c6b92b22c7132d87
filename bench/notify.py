"""Notifications benchmark: "the next issue is open" to 2,000 members (inbox
and email on) and 7 chat bots, one per platform.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/notify.py

It creates a throwaway test database with 2,000 members who opted in to the
news by inbox and email, and the series' 7 bots, each pointed at a real HTTP
receiver on 127.0.0.1 answering as its platform does; a real SMTP server
(aiosmtpd) takes the mail. It prints:
- the request's own time (the host's "open the next issue" through the real
  view, the test client in this process), median of 8 rounds, with the
  notifications on and, taking turns with them, off (the outbox's receiver
  disconnected): the difference is what telling costs the request (goal:
  < 20 ms). No worker runs meanwhile, so the workers' load does not weigh on
  either; the queued work is dropped after;
- the queries of one fan-out at 200 and at 2,000 recipients (goal: the same
  number), and of one email and one bot delivery;
- with 4 real Celery workers (4 processes each, Redis database 14): the time
  from the request to the first and to the last of the 2,007 deliveries, and
  the deliveries per second.
The database, the workers and the Redis keys are gone at the end.
"""

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
os.environ["TEST_DATABASE_NAME"] = "test_bench_notify"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ["NOTIFY_WEBHOOK_ALLOW_PRIVATE"] = "1"
os.environ["NOTIFY_WEBHOOK_HTTPS_ONLY"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talk.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from notify import outbox  # noqa: E402
from notify.bots import Platform  # noqa: E402
from notify.kinds import Email, Kind  # noqa: E402
from notify.models import Bot, Delivery, DeliveryStatus, Event, Notice, Preference  # noqa: E402
from notify.services import delivery_send, event_fan_out  # noqa: E402
from sections import events  # noqa: E402
from talk.celery import app  # noqa: E402
from talk.models import Issue  # noqa: E402
from talk.seed import ensure_openllm_talk  # noqa: E402
from talk.services import issue_create  # noqa: E402
from tests.notify.receivers import Answer, Receiver  # noqa: E402
from tests.notify.smtp import SMTPServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 2000
ROUNDS = 8
WORKERS = 2
CONCURRENCY = 4
GOAL_MS = 20
FAN_OUT_SECONDS: dict[int, float] = {}
# What each platform answers when all is well.
SUCCESS = {
    Platform.WECOM: Answer.json({"errcode": 0, "errmsg": "ok"}),
    Platform.FEISHU: Answer.json({"code": 0, "msg": "success"}),
    Platform.DINGTALK: Answer.json({"errcode": 0, "errmsg": "ok"}),
    Platform.SLACK: Answer(body=b"ok"),
    Platform.DISCORD: Answer(status=204),
    Platform.TELEGRAM: Answer.json({"ok": True, "result": {}}),
    Platform.GENERIC: Answer(),
}


def members(count: int) -> list[User]:
    password = make_password(None)
    users = User.objects.bulk_create(
        User(alias=f"member{n}", email=f"member{n}@example.org", password=password)
        for n in range(count)
    )
    Preference.objects.bulk_create(
        Preference(user=user, kind=Kind.ISSUE_OPENED, inbox=True, email=Email.IMMEDIATELY)
        for user in users
    )
    return users


def bots(series, receivers: dict[str, Receiver]) -> None:
    for platform, receiver in receivers.items():
        Bot.objects.create(
            series=series,
            platform=platform,
            name=platform,
            url=f"{receiver.url}/{platform}",
            secret="bench-secret" if platform in (Platform.TELEGRAM, Platform.GENERIC) else "",
            chat_id="-100" if platform == Platform.TELEGRAM else "",
        )


def met(issue: Issue) -> Issue:
    """The latest issue met two days ago: the next one may open."""
    Issue.objects.filter(pk=issue.pk).update(
        meeting_at=timezone.now() - timezone.timedelta(days=2), status="frozen"
    )
    return issue


def open_next(client: Client, issue: Issue) -> tuple[float, Issue]:
    url = reverse("issue-open-next", args=[issue.series.slug, issue.code])
    start = time.perf_counter()
    response = client.post(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    opened = Issue.objects.get(series=issue.series, number=issue.number + 1)
    return elapsed, opened


def request_times(client: Client, latest: Issue) -> tuple[list[float], list[float], Issue]:
    on, off = [], []
    for round_number in range(ROUNDS):
        for telling in (round_number % 2 == 0, round_number % 2 == 1):
            if not telling:
                events.noteworthy.disconnect(dispatch_uid="notify.outbox")
            try:
                elapsed, latest = open_next(client, met(latest))
            finally:
                events.noteworthy.connect(outbox.record, dispatch_uid="notify.outbox")
            (on if telling else off).append(elapsed)
    return on, off, latest


def fan_out_queries(series, latest: Issue, count: int) -> int:
    """Queries of one fan-out when `count` members opted in."""
    Preference.objects.filter(user__alias__in=[f"member{n}" for n in range(count, MEMBERS)]).update(
        inbox=False, email=Email.NEVER
    )
    event = Event.objects.create(kind=Kind.ISSUE_OPENED, series=series, issue=latest)
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        deliveries = event_fan_out(event_id=event.pk)
    FAN_OUT_SECONDS[count] = time.perf_counter() - start
    Preference.objects.update(inbox=True, email=Email.IMMEDIATELY)
    assert len([d for d in deliveries if d.recipient_id]) == count, len(deliveries)
    Event.objects.filter(pk=event.pk).delete()
    return len(queries)


def delivery_queries(series, latest: Issue, smtp: SMTPServer) -> tuple[int, int]:
    settings.MAILERS = smtp.mailers()
    event = Event.objects.create(kind=Kind.ISSUE_OPENED, series=series, issue=latest)
    event_fan_out(event_id=event.pk)
    counts = []
    for condition in ({"recipient__isnull": False}, {"bot__isnull": False}):
        delivery = Delivery.objects.filter(event=event, **condition).first()
        with CaptureQueriesContext(connection) as queries:
            delivery_send(delivery_id=delivery.pk)
        counts.append(len(queries))
    Event.objects.filter(pk=event.pk).delete()
    return counts[0], counts[1]


@contextlib.contextmanager
def workers(queue: str, smtp: SMTPServer, logs: Path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_QUEUE": queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_TLS": "0",
    }
    processes = []
    for n in range(WORKERS):
        command = [sys.executable, "-m", "celery", "-A", "tests.worker_app", "worker"]
        command += ["-Q", queue, f"--concurrency={CONCURRENCY}", "--loglevel=WARNING"]
        command += [
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench{n}@%h",
        ]
        log = (logs / f"worker-{n}.log").open("wb")
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_workers(queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= WORKERS:
            return
    raise SystemExit("The workers did not start; see their logs.")


def last_delivery(client, latest: Issue, smtp: SMTPServer, receivers, queue: str, logs: Path):
    with workers(queue, smtp, logs):
        wait_for_workers(queue)
        smtp.inbox.messages.clear()
        for receiver in receivers.values():
            receiver.requests.clear()
        start = time.monotonic()
        _elapsed, opened = open_next(client, met(latest))
        first = None
        deadline = start + 600
        total = MEMBERS + len(receivers)
        while time.monotonic() < deadline:
            arrived = len(smtp.inbox.messages) + sum(len(r.requests) for r in receivers.values())
            if arrived and first is None:
                first = time.monotonic() - start
            if arrived >= total:
                break
            time.sleep(0.05)
        last = time.monotonic() - start
    statuses = dict(
        Delivery.objects.filter(event__issue=opened)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return first, last, arrived, total, statuses


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("The workers share the benchmark's database: set DATABASE_URL to PostgreSQL.")
    started = time.monotonic()
    queue = f"bench-notify-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with SMTPServer() as smtp, contextlib.ExitStack() as stack:
            receivers = {p: stack.enter_context(Receiver()) for p in SUCCESS}
            for platform, receiver in receivers.items():
                receiver.default = SUCCESS[platform]
            run(smtp, receivers, queue)
    finally:
        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"total time: {time.monotonic() - started:.1f} s"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def run(smtp: SMTPServer, receivers: dict[str, Receiver], queue: str) -> None:
    series = ensure_openllm_talk()
    members(MEMBERS)
    bots(series, receivers)
    admin = User.objects.create_user(alias="bench-admin", password="x", is_staff=True)
    client = Client()
    client.force_login(admin)
    latest = issue_create(series=series, by=None, number=100)
    print(
        f"{MEMBERS:,} members opted in (inbox and email), {len(receivers)} bots, one per platform"
    )

    on, off, latest = request_times(client, latest)
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)
    Event.objects.all().delete()
    on_ms, off_ms = statistics.median(on) * 1000, statistics.median(off) * 1000
    print(
        f"the request (open the next issue), median of {ROUNDS}:"
        f" {on_ms:.1f} ms telling, {off_ms:.1f} ms not;"
        f" telling costs it {on_ms - off_ms:+.1f} ms (goal < {GOAL_MS} ms)"
    )

    small, large = fan_out_queries(series, latest, 200), fan_out_queries(series, latest, MEMBERS)
    print(
        f"queries of one fan-out: {small} at 200 recipients, {large} at {MEMBERS:,} (goal: equal);"
        f" it takes {FAN_OUT_SECONDS[200]:.2f} s and {FAN_OUT_SECONDS[MEMBERS]:.2f} s,"
        " each send handed to the queue included"
    )
    email, bot = delivery_queries(series, latest, smtp)
    print(f"queries of one delivery: {email} for an email, {bot} for a bot")
    # Their sends went to the queue: dropped, or the workers would start on them.
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)
    Event.objects.all().delete()
    Notice.objects.all().delete()

    with tempfile.TemporaryDirectory() as logs:
        first, last, arrived, total, statuses = last_delivery(
            client, latest, smtp, receivers, queue, Path(logs)
        )
        if arrived < total:
            print((Path(logs) / "worker-0.log").read_text()[-2000:])
    print(
        f"with {WORKERS} workers x {CONCURRENCY}: first delivery after {first or 0:.2f} s,"
        f" the last ({arrived:,} of {total:,} arrived) after {last:.1f} s,"
        f" {arrived / last:,.0f} deliveries/s; rows: {statuses}"
    )
    sent = statuses.get(DeliveryStatus.SENT, 0)
    if sent != total:
        print(f"NOT ALL SENT: {sent} of {total}")


if __name__ == "__main__":
    main()
