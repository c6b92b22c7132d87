"""The live stream of an issue page, spoken to as uvicorn speaks to it (ASGI):
it says hello with the issue's sequence number, passes events on, counts who
is on the page, and lets go of everything when the page goes away or the
server stops. Run against Redis and against the in-process fallback."""

import asyncio
import contextlib
import json
import logging
import uuid

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connections
from django.urls import reverse

from sections import services as desk
from talk.live import broker as brokers
from talk.live import publish, stream
from talk.services import issue_create
from tests.conftest import section_of
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)

APP = get_asgi_application()


@pytest.fixture(autouse=True)
def _close_thread_connections():
    # The app's ORM calls run in asgiref's one thread for sync code; its
    # connection would outlive the test and hold the test database open.
    yield
    asyncio.run(sync_to_async(connections.close_all)())


def _served_by(chosen, monkeypatch) -> None:
    for module in (stream, publish):
        monkeypatch.setattr(module, "broker", lambda: chosen)


@pytest.fixture
def redis_live(settings, monkeypatch):
    """The server's broker on the suite's Redis, with keys of its own: another
    run on the same Redis has issues of the same ids."""
    if not settings.REDIS_URL:
        pytest.skip("Redis is not configured")  # CI fails on this in tests.stack
    chosen = brokers.RedisBroker(settings.REDIS_URL, prefix=f"test-{uuid.uuid4().hex}")
    _served_by(chosen, monkeypatch)
    yield chosen
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(f"{chosen.prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["redis", "local"])
def live(request, monkeypatch):
    """The broker the server uses: Redis (the suite's), or the fallback."""
    if request.param == "redis":
        return request.getfixturevalue("redis_live")
    chosen = brokers.LocalBroker()
    _served_by(chosen, monkeypatch)
    return chosen


def events_path(issue) -> str:
    return reverse("issue-events", args=[issue.series.slug, issue.code])


class Page:
    """One open page: the ASGI app serving its stream, and what it received."""

    def __init__(self, path: str, session: str = ""):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.buffer = ""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver")]
            + ([(b"cookie", f"sessionid={session}".encode())] if session else []),
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.inbox.put_nowait({"type": "http.request", "body": b"", "more_body": False})
        self.task = asyncio.create_task(APP(scope, self.inbox.get, self.outbox.put))

    async def start(self) -> tuple[int, dict]:
        message = await asyncio.wait_for(self.outbox.get(), 5)
        assert message["type"] == "http.response.start"
        return message["status"], {k.decode(): v.decode() for k, v in message["headers"]}

    async def event(self, kind: str | None = None) -> dict:
        """The next event (of `kind`), skipping comments and others."""
        while True:
            while "\n\n" not in self.buffer:
                message = await asyncio.wait_for(self.outbox.get(), 5)
                assert message["type"] == "http.response.body"
                body = message.get("body", b"")
                if not message.get("more_body", False) and not body:
                    raise EOFError("the stream ended")
                self.buffer += body.decode()
            block, self.buffer = self.buffer.split("\n\n", 1)
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            if data:
                payload = json.loads(data[0])
                if kind is None or payload["kind"] == kind:
                    return payload

    async def leave(self) -> None:
        await self.inbox.put({"type": "http.disconnect"})
        await asyncio.wait_for(self.task, 5)


def test_it_streams_events_after_a_hello(live, issue, member):
    news = section_of(issue, "news")

    async def scenario():
        page = Page(events_path(issue))
        status, headers = await page.start()
        hello = await page.event("hello")
        await sync_to_async(desk.item_submit)(section=news, user=member, title="直播", url="")
        change = await page.event("section")
        await page.leave()
        return status, headers, hello, change

    status, headers, hello, change = asyncio.run(scenario())

    assert status == 200
    assert headers["Content-Type"].startswith("text/event-stream")
    assert "no-cache" in headers["Cache-Control"]
    assert hello == {"kind": "hello", "seq": 0, "live": True}
    # It names what changed, never its content: each page fetches that with
    # its own viewer's rights.
    assert change["id"] == news.pk
    assert change["seq"] == 1
    assert "直播" not in json.dumps(change)


def test_it_says_hello_with_the_issue_s_sequence_number(live, issue):
    live.publish(issue.pk, {"kind": "issue"})
    live.publish(issue.pk, {"kind": "issue"})

    async def scenario():
        page = Page(events_path(issue))
        await page.start()
        hello = await page.event("hello")
        await page.leave()
        return hello

    assert asyncio.run(scenario())["seq"] == live.current_seq(issue.pk) == 2


def test_it_numbers_the_events_of_each_issue_in_order(live, issue, series):
    other = issue_create(series=series, by=None, number=9)

    async def scenario():
        page = Page(events_path(issue))
        await page.start()
        await page.event("hello")
        for _ in range(3):
            await sync_to_async(live.publish)(issue.pk, {"kind": "issue"})
            await sync_to_async(live.publish)(other.pk, {"kind": "issue"})
        seen = [(await page.event("issue"))["seq"] for _ in range(3)]
        await page.leave()
        return seen

    # The other issue's events are not this page's business.
    assert asyncio.run(scenario()) == [1, 2, 3]


def test_it_counts_who_is_on_the_page_and_names_the_members(live, issue, member, client):
    client.force_login(member)
    session = client.cookies["sessionid"].value

    async def scenario():
        visitor = Page(events_path(issue))
        await visitor.start()
        first = await visitor.event("presence")
        signed_in = Page(events_path(issue), session)
        await signed_in.start()
        both = await visitor.event("presence")
        await signed_in.leave()
        after = await visitor.event("presence")
        await visitor.leave()
        return first, both, after

    first, both, after = asyncio.run(scenario())

    assert (first["count"], first["aliases"]) == (1, [])
    assert (both["count"], both["aliases"]) == (2, ["初七"])
    assert (after["count"], after["aliases"]) == (1, [])


def test_it_counts_a_member_with_two_tabs_once(live, issue, member, client):
    client.force_login(member)
    session = client.cookies["sessionid"].value

    async def scenario():
        tabs = [Page(events_path(issue), session) for _ in range(2)]
        for tab in tabs:
            await tab.start()
            seen = await tab.event("presence")
        for tab in tabs:
            await tab.leave()
        return seen

    seen = asyncio.run(scenario())

    assert (seen["count"], seen["aliases"]) == (1, ["初七"])


def test_it_tells_who_is_here_once_per_window_however_many_pages_join(live, issue):
    async def scenario():
        first = Page(events_path(issue))
        await first.start()
        await first.event("hello")
        others = [Page(events_path(issue)) for _ in range(30)]
        for page in others:
            await page.start()
        told = []
        # Every join falls in the first window or two: a handful of events,
        # not one per page that joined.
        while not told or told[-1]["count"] < 31:
            told.append(await first.event("presence"))
        window_after = asyncio.get_running_loop().time() + 2.5 * brokers.PRESENCE_WINDOW
        with contextlib.suppress(TimeoutError):
            while asyncio.get_running_loop().time() < window_after:
                told.append(await asyncio.wait_for(first.event("presence"), 0.5))
        for page in [first, *others]:
            await page.leave()
        return told

    told = asyncio.run(scenario())

    assert told[-1]["count"] == 31
    assert len(told) <= 3, [event["count"] for event in told]


def test_a_refresh_sweeps_the_pages_of_a_server_that_died(redis_live, issue, settings):
    # In one process (the fallback), a page's entry goes with its stream.
    ghost = json.dumps(["幽灵", 0])  # its time was up long ago

    async def scenario():
        page = Page(events_path(issue))
        await page.start()
        joined = await page.event("presence")
        redis.Redis.from_url(settings.REDIS_URL).hset(
            redis_live.presence_key(issue.pk), "dead:1", ghost
        )
        # A keep-alive's refresh of some page on the issue (this one's own,
        # sooner than waiting 15 s for it).
        await redis_live.apresence(issue.pk, "another:1", "初七")
        await redis_live.apresence(issue.pk, "another:1", "初七")
        swept = await page.event("presence")
        await redis_live.apresence(issue.pk, "another:1", "初七", leave=True)
        await page.leave()
        return joined, swept

    joined, swept = asyncio.run(scenario())

    assert joined["count"] == 1
    assert "幽灵" not in swept["aliases"]
    stored = redis.Redis.from_url(settings.REDIS_URL).hkeys(redis_live.presence_key(issue.pk))
    assert b"dead:1" not in stored


def test_the_pages_of_a_process_share_one_redis_subscription(redis_live, issue, settings):
    client = redis.Redis.from_url(settings.REDIS_URL)

    async def scenario():
        pages = [Page(events_path(issue)) for _ in range(5)]
        for page in pages:
            await page.start()
            await page.event("hello")
        [(_channel, subscribers)] = client.pubsub_numsub(redis_live.channel(issue.pk))
        await sync_to_async(redis_live.publish)(issue.pk, {"kind": "issue"})
        seen = [await page.event("issue") for page in pages]
        for page in pages:
            await page.leave()
        return subscribers, seen

    subscribers, seen = asyncio.run(scenario())

    # One subscription in Redis, whose event every page hears, in sequence.
    assert subscribers == 1
    assert [event["seq"] for event in seen] == [1] * 5


def test_a_page_that_comes_as_the_last_one_leaves_still_hears_the_events(live, issue):
    async def scenario():
        leaving = Page(events_path(issue))
        await leaving.start()
        await leaving.event("hello")
        await leaving.leave()
        coming = Page(events_path(issue))  # at once, while the hub may be closing
        await coming.start()
        await coming.event("hello")
        await sync_to_async(live.publish)(issue.pk, {"kind": "issue"})
        heard = await coming.event("issue")
        await coming.leave()
        return heard

    assert asyncio.run(scenario())["kind"] == "issue"


def test_it_lets_go_when_the_page_goes_away(live, issue):
    async def scenario():
        pages = [Page(events_path(issue)) for _ in range(3)]
        for page in pages:
            await page.start()
            await page.event("hello")
        during = await sync_to_async(live.subscriber_count)(issue.pk)
        for page in pages:
            await page.leave()
        return during, await sync_to_async(live.subscriber_count)(issue.pk)

    during, after = asyncio.run(scenario())

    assert during == 3
    assert after == 0


def test_it_says_bye_and_ends_when_the_server_stops(live, issue):
    async def scenario():
        page = Page(events_path(issue))
        await page.start()
        await page.event("hello")
        stream.STOPPING.set()
        try:
            bye = await page.event("bye")
            with pytest.raises(EOFError):
                await page.event()
            await asyncio.wait_for(page.task, 5)
        finally:
            stream.STOPPING.clear()
        return bye, await sync_to_async(live.subscriber_count)(issue.pk)

    bye, left = asyncio.run(scenario())

    assert bye == {"kind": "bye"}
    assert left == 0


def test_it_answers_404_for_an_issue_that_is_not_there(live, series):
    async def scenario():
        page = Page(reverse("issue-events", args=[series.slug, "404"]))
        status, _headers = await page.start()
        await asyncio.wait_for(page.task, 5)
        return status

    assert asyncio.run(scenario()) == 404


# Redis going away while pages are open, and coming back empty.


@pytest.fixture
def own_redis(tmp_path, monkeypatch):
    """A Redis of this test's own, which it stops and starts again (nothing
    kept on disk, as the machine's): the stream and the publisher use it."""
    server = RedisServer(log=tmp_path / "redis.log").start()
    chosen = brokers.RedisBroker(server.url)
    for module in (stream, publish):
        monkeypatch.setattr(module, "broker", lambda: chosen)
    yield server, chosen
    server.stop()


def test_it_resyncs_with_the_new_count_when_redis_restarts_empty(own_redis, issue):
    server, live = own_redis

    async def scenario():
        page = Page(events_path(issue))
        await page.start()
        await page.event("hello")
        for _ in range(3):
            await sync_to_async(live.publish)(issue.pk, {"kind": "issue"})
        before = [(await page.event("issue"))["seq"] for _ in range(3)]
        await sync_to_async(server.stop)()
        paused = await page.event("paused")
        await sync_to_async(server.start)()
        resync = await page.event("resync")
        # The publisher's connection died with the server: it connects again.
        await sync_to_async(live.publish)(issue.pk, {"kind": "issue"})
        after = await page.event("issue")
        await page.leave()
        return before, paused, resync, after

    before, paused, resync, after = asyncio.run(scenario())

    assert before == [1, 2, 3]
    assert paused == {"kind": "paused"}
    # The count started again with Redis: the page takes 0 for its own, or it
    # would drop every event up to 3 as already seen.
    assert resync == {"kind": "resync", "seq": 0}
    assert after["seq"] == 1


def test_with_redis_down_a_write_publishes_nothing_and_stands(own_redis, issue, member, caplog):
    server, _live = own_redis
    server.stop()
    news = section_of(issue, "news")

    with caplog.at_level(logging.WARNING, logger="talk.live"):
        for n in range(3):
            desk.item_submit(section=news, user=member, title=f"第{n}条", url="")

    assert news.items.count() == 3
    said = [r.getMessage() for r in caplog.records if r.name.startswith("talk.live")]
    assert len(said) == 1, "once, not once an event"
    assert said[0].startswith("Live events: Redis did not answer")


def test_with_redis_down_the_stream_says_paused_and_presence_is_logged_once(
    own_redis, issue, caplog
):
    server, _live = own_redis
    server.stop()

    async def scenario():
        pages = [Page(events_path(issue)) for _ in range(3)]
        hellos = []
        for page in pages:
            await page.start()
            hellos.append(await page.event("hello"))
        for page in pages:
            await page.leave()
        return hellos

    with caplog.at_level(logging.WARNING, logger="talk.live"):
        hellos = asyncio.run(scenario())

    assert hellos == [{"kind": "hello", "seq": 0, "live": False}] * 3
    said = [r.getMessage() for r in caplog.records if r.name.startswith("talk.live")]
    assert len(said) == 1, said
