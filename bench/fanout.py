"""Live updates benchmark: the delay from commit to receipt at 1,000 open
pages, on a quiet machine and with one core kept busy by another process,
and the server's memory per open page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/fanout.py

It creates a throwaway test database (like the test runner does) with a
member and, for each of the two runs, an issue, and starts a real server as production does (uvicorn,
one process) on a free port of 127.0.0.1, with live events in Redis database
14. It opens 1,000 Server-Sent-Events streams on the issue and, once all have
said hello, submits items through the services from this process, 100 ms
apart for a keep-alive period and a second (160 items). Each event carries the time it was published (after the commit); each
stream notes when it arrived. A stream refused before its hello is tried
again after 1 s, 2 s, 4 s..., as the page does. It prints:
- how many streams opened, how long that took and what refused them,
- the server's threads, open files and database connections with them open,
- the server's CPU and the presence events each stream received meanwhile,
- the events expected (sequenced events x streams) and received,
- p50/p95/max of the delay over all (stream, event) pairs (goal: p95 < 0.5 s),
- the same for the baseline, one plain Redis subscriber on the issue's channel
  in this process (what the pub/sub hop alone costs here), and the ratio,
- the server's RSS before and after the streams opened, and per stream,
- what the server logged (a Redis error would show there),
once for the quiet machine and once while another process keeps a core busy.
The server, the database and the Redis keys it made are gone at the end, also
after an error or Ctrl-C.
"""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# A Redis database of its own: the keys it makes are deleted at the end.
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
# A name of its own, so a test run at the same time keeps its database.
os.environ["TEST_DATABASE_NAME"] = "test_bench_fanout"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talk.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django

django.setup()

import redis  # noqa: E402
import redis.asyncio  # noqa: E402
from django.db import DatabaseError, connection, connections  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from serving import log_lines, serving  # noqa: E402

from accounts.models import User  # noqa: E402
from sections.models import Section  # noqa: E402
from sections.services import item_submit  # noqa: E402
from talk.live.broker import broker  # noqa: E402
from talk.live.stream import KEEPALIVE_SECONDS  # noqa: E402
from talk.seed import ensure_openllm_talk  # noqa: E402
from talk.services import issue_create  # noqa: E402

REDIS_URL = os.environ["REDIS_URL"]
SUBSCRIBERS = 1000
WRITE_GAP = 0.1
# The writes last a little longer than a keep-alive period, so that every
# stream's presence refresh (Redis round trips; an event for every stream if
# someone came or went) falls among them: a load that is always there.
WRITES = round((KEEPALIVE_SECONDS + 1) / WRITE_GAP)
GOAL_P95 = 0.5
# Every wait is bounded: a server that cannot keep up makes a short run with
# missing events, never a hung one.
HELLO_TIMEOUT = 30.0
QUIET_SECONDS = 0.5
QUIET_TIMEOUT = 10.0
DELIVERY_TIMEOUT = 5.0
# Set when the run ends early (an error, Ctrl-C): the writes' thread stops.
STOP_WRITING = threading.Event()
# Lines of a traceback that say nothing of what went wrong.
TRACEBACK_FRAMING = ("Traceback", "The above exception", "During handling", "+", "|")


class Listener:
    """What one subscriber received: the delay of each sequenced event."""

    def __init__(self) -> None:
        self.hello = False
        self.error = ""
        self.refusals: list[str] = []
        self.delays: dict[int, float] = {}
        self.presence = 0
        self.last_at = 0.0

    def receive(self, payload: dict, now: float) -> None:
        self.last_at = now
        if payload.get("kind") == "hello":
            self.hello = True
        elif payload.get("kind") == "presence":
            self.presence += 1
        elif "seq" in payload and "at" in payload:
            self.delays[payload["seq"]] = now - payload["at"]


async def open_stream(port: int, path: str, listener: Listener) -> None:
    """A stream that fails before its hello is tried again after 1 s, then
    2 s, 4 s..., as static/js/live.js does; each refusal is kept."""
    pause = 1.0
    while True:
        await read_stream(port, path, listener)
        if listener.hello:
            return
        listener.refusals.append(listener.error)
        listener.error = ""
        await asyncio.sleep(pause)
        pause = min(pause * 2, 15.0)


async def read_stream(port: int, path: str, listener: Listener) -> None:
    """One page's EventSource, by hand: HTTP/1.1, chunked, `data:` lines."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        listener.error = f"connect: {exc!r}"
        return
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        writer.write(request.encode())
        status = (await reader.readline()).decode().strip()
        headers = []
        while line := (await reader.readline()).strip():
            headers.append(line.decode().lower())
        if not status.startswith("HTTP/1.1 200"):
            listener.error = status or "connection closed before a response"
            return
        if "transfer-encoding: chunked" not in headers:
            listener.error = "response not chunked"
            return
        buffer = b""
        while size := int((await reader.readline()).split(b";")[0] or b"0", 16):
            buffer += await reader.readexactly(size)
            await reader.readexactly(2)
            now = time.time()
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.startswith(b"data: "):
                    listener.receive(json.loads(line[6:]), now)
        listener.error = "stream ended"
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        listener.error = repr(exc)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_broker(issue_id: int, listener: Listener, subscribed: asyncio.Event) -> None:
    """The baseline: the broker's own subscription (Redis pub/sub on the
    issue's channel) in this process, without the server in between."""
    async with broker().subscription(issue_id) as subscription:
        subscribed.set()
        while True:
            message = await subscription.next(timeout=1.0)
            if message is not None:
                listener.receive(json.loads(message), time.time())


async def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def rss_kib(pid: int) -> int:
    return int(proc_status(pid)["VmRSS"].split()[0])


def cpu_seconds(pid: int) -> float:
    # utime and stime, the 14th and 15th fields, after the command's ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_load(pid: int) -> str:
    threads = proc_status(pid)["Threads"].strip()
    files = len(os.listdir(f"/proc/{pid}/fd"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
            [database] = cursor.fetchone()
    except DatabaseError as exc:
        database = f"? ({exc})"
    return f"{threads} threads, {files} open files, {database} database connections"


def report_log(log) -> None:
    """The server logs warnings and errors only: each message and the last
    line of each traceback (chained exceptions too), counted."""
    said = [line for line in log_lines(log) if line and not line[0].isspace()]
    said = [line for line in said if not line.startswith(TRACEBACK_FRAMING)]
    if said:
        print("server log:")
        print_counts(said)


@contextlib.contextmanager
def redis_keys_removed() -> Iterator[None]:
    """Delete, at the end, every key the run made (sequence, presence, rate limits)."""
    client = redis.Redis.from_url(REDIS_URL)
    before = set(client.scan_iter())
    try:
        yield
    finally:
        made = set(client.scan_iter()) - before
        if made:
            client.delete(*made)
        client.close()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("The server shares the benchmark's database: set DATABASE_URL to PostgreSQL.")
    started = time.monotonic()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with redis_keys_removed(), override_settings(POSTS_PER_MINUTE=10**9):
            run()
    finally:
        drop_database(old_name)
    # The server, this script and anything else running share the cores.
    print(
        f"total time: {time.monotonic() - started:.1f} s"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


@contextlib.contextmanager
def competing_load(busy: bool) -> Iterator[None]:
    """Other work on the machine: a process that keeps one core busy."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def drop_database(old_name: str) -> None:
    # A session left open (the writes' thread after a second Ctrl-C) would
    # refuse the drop; the database is ours alone.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connections.close_all()
    connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    series = ensure_openllm_talk()
    member = User.objects.create_user(alias="fanout", password="x")
    # The writes run in a thread of their own (the ORM is synchronous).
    writer = ThreadPoolExecutor(1)
    try:
        for number, busy in ((1, False), (2, True)):
            issue = issue_create(series=series, by=None, number=number)
            section_id = issue.sections.get(key="news").pk
            path = reverse("issue-events", args=[series.slug, issue.code])
            print(f"--- {'one core kept busy by another process' if busy else 'quiet machine'}")
            # The database connections counted below are then the server's alone.
            connection.close()
            with tempfile.TemporaryFile() as log, competing_load(busy):
                with serving(log, env={"REDIS_URL": REDIS_URL}) as (pid, port):
                    asyncio.run(measure(pid, port, path, issue.pk, section_id, member, writer))
                report_log(log)
    finally:
        # Before the keys and the database go: no write may come after.
        STOP_WRITING.set()
        writer.submit(connections.close_all)  # its connection lives in its thread
        writer.shutdown()


async def measure(
    pid: int,
    port: int,
    path: str,
    issue_id: int,
    section_id: int,
    member,
    writer: ThreadPoolExecutor,
) -> None:
    # A first stream loads what every stream uses (Redis client, the view's
    # code paths), so the memory measured after is what the streams hold.
    warm = Listener()
    warm_task = asyncio.create_task(read_stream(port, path, warm))
    await wait_until(lambda: warm.hello or warm.error, HELLO_TIMEOUT)
    warm_task.cancel()
    await asyncio.gather(warm_task, return_exceptions=True)
    if not warm.hello:
        print(f"the first stream failed: {warm.error or 'no hello'}")
        return
    await asyncio.sleep(0.5)
    rss_before = rss_kib(pid)

    baseline = Listener()
    subscribed = asyncio.Event()
    streams = [Listener() for _ in range(SUBSCRIBERS)]
    tasks = [asyncio.create_task(read_broker(issue_id, baseline, subscribed))]
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(subscribed.wait(), HELLO_TIMEOUT)
        opening = time.monotonic()
        tasks += [asyncio.create_task(open_stream(port, path, s)) for s in streams]
        await wait_until(lambda: all(s.hello for s in streams), HELLO_TIMEOUT)
        opened = sum(s.hello for s in streams)
        refused = [error for s in streams for error in s.refusals]
        print(
            f"streams open: {opened}/{SUBSCRIBERS} in {time.monotonic() - opening:.1f} s,"
            f" {len(refused)} attempts refused on the way"
        )
        print_counts(refused)
        # Each arrival tells the others who is here: let that settle first.
        await wait_until(lambda: time.time() - baseline.last_at > QUIET_SECONDS, QUIET_TIMEOUT)
        rss_after = rss_kib(pid)
        load = await loop.run_in_executor(writer, server_load, pid)
        print(f"server with the streams open: {load}")
        print(
            f"server RSS: {rss_before / 1024:.1f} MiB before the streams,"
            f" {rss_after / 1024:.1f} MiB with them:"
            f" {(rss_after - rss_before) / max(1, opened):.0f} KiB per stream"
        )

        presence_before = sum(s.presence for s in streams)
        cpu_before, writes_started = cpu_seconds(pid), time.monotonic()
        try:
            first, last = await loop.run_in_executor(
                writer, write_all, issue_id, section_id, member
            )
        except DatabaseError as exc:
            print(f"the writes failed: {exc}")
            return
        expected = range(first + 1, last + 1)

        def delivered() -> bool:
            return all(seq in s.delays for s in streams if s.hello for seq in expected)

        await wait_until(delivered, DELIVERY_TIMEOUT)
        busy = (cpu_seconds(pid) - cpu_before) / (time.monotonic() - writes_started)
        presence = sum(s.presence for s in streams) - presence_before
        print(
            f"during the writes: server CPU {busy:.0%} of one core,"
            f" {presence / max(1, opened):.0f} presence events per stream"
        )
        broken = [s.error for s in streams if s.hello and s.error]
        if broken:
            print(f"{len(broken)} streams ended after their hello:")
            print_counts(broken)
        report(streams, baseline, expected)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def report(streams: list[Listener], baseline: Listener, expected: range) -> None:
    delays = [s.delays[seq] for s in streams for seq in expected if seq in s.delays]
    reference = [baseline.delays[seq] for seq in expected if seq in baseline.delays]
    wanted = len(expected) * len(streams)
    print(
        f"events: {len(expected)} published x {len(streams)} streams = {wanted} expected,"
        f" {len(delays)} received; baseline {len(reference)}/{len(expected)}"
    )
    if not delays or not reference:
        print("nothing to measure")
        return
    p95 = percentile(delays, 0.95)
    base_p95 = percentile(reference, 0.95)
    print(
        f"commit to receipt, SSE streams: p50 {ms(percentile(delays, 0.5))},"
        f" p95 {ms(p95)}, max {ms(max(delays))}"
    )
    print(
        f"commit to receipt, plain Redis subscriber (baseline): p50"
        f" {ms(percentile(reference, 0.5))}, p95 {ms(base_p95)}, max {ms(max(reference))}"
    )
    print(f"SSE p95 / baseline p95: {p95 / base_p95:.1f}x")
    met = p95 < GOAL_P95 and len(delays) == wanted
    print(f"goal: p95 < {GOAL_P95} s, every event delivered: {'met' if met else 'NOT met'}")


def write_all(issue_id: int, section_id: int, member) -> tuple[int, int]:
    """The writes, paced; the issue's sequence number before and after."""
    first = broker().current_seq(issue_id)
    next_at = time.monotonic()
    for n in range(WRITES):
        if STOP_WRITING.wait(max(0.0, next_at - time.monotonic())):
            break
        next_at += WRITE_GAP
        section = (
            Section.objects.select_related("issue").prefetch_related("claims").get(pk=section_id)
        )
        item_submit(
            section=section,
            user=member,
            subgroup=section.subgroups[0] if section.subgroups else "",
            title=f"Fan-out {n}",
            url=f"https://example.com/fanout/{n}",
        )
    return first, broker().current_seq(issue_id)


def print_counts(errors: list[str]) -> None:
    for error, count in Counter(errors).most_common(10):
        print(f"  {count} x {error}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the server, the database and the Redis keys are gone)")
