"""Where events travel: Redis pub/sub when REDIS_URL is set, else in-process.

Both give the same interface: `publish(issue_id, message)` from any thread
after a commit, and `subscription(issue_id)` for the async stream of one page.
A member's page also hears what concerns them alone (their inbox), sent with
`publish_user(user_id, message)` and heard through `subscription(issue_id,
user_id)`; those events are outside the issue's sequence.
Every event of an issue carries a sequence number that grows by one per event,
so a page that sees a gap (or reconnects) knows it missed something and
fetches a fresh snapshot.

With Redis, each process holds one subscription (its hub) for all its pages:
Redis sends an event to each process once, and the hub hands it to the pages
listening on its issue; a page that goes away leaves the hub, and the hub's
channel goes when its last page does.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections import defaultdict
from functools import cache

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)

# Incremented and published in one step, so sequence numbers and the order
# subscribers receive events in always agree, whatever process publishes.
PUBLISH_SCRIPT = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], seq .. ' ' .. ARGV[1])
return seq
"""
SEQ_TTL = 60 * 60 * 24 * 30  # a month without events: the counter may start over

# What a subscription says when events may have gone by unseen (Redis was
# away, a page fell behind): the stream turns it into a resync that carries
# the issue's sequence number read afresh, since a Redis restarted empty
# counts from 1 again and a page keeping its old number would drop every
# event below it.
RESYNC = json.dumps({"kind": "resync"})


class Outage:
    """Says once that Redis stopped answering for `what`, and once that it
    answers again: with 200 pages open and a write a second, a minute without
    Redis is two lines in the log, not one per page, keep-alive and event."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.down = False

    def failed(self, error: Exception) -> None:
        if not self.down:
            self.down = True
            logger.warning("%s: Redis did not answer (%s)", self.what, error)

    def answered(self) -> None:
        if self.down:
            self.down = False
            logger.warning("%s: Redis answers again", self.what)


class LocalBroker:
    """One process: subscribers are asyncio queues on the server's loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq: dict[int, int] = defaultdict(int)
        self._subscribers: dict[int, set[LocalSubscription]] = defaultdict(set)
        self._members: dict[int, set[LocalSubscription]] = defaultdict(set)
        self._presence: dict[int, dict[str, str]] = defaultdict(dict)
        # Issues whose presence changed and will be told at the window's end.
        self._presence_due: set[int] = set()

    def publish(self, issue_id: int, payload: dict) -> int:
        with self._lock:
            self._seq[issue_id] += 1
            seq = self._seq[issue_id]
            subscribers = list(self._subscribers[issue_id])
        message = json.dumps({**payload, "seq": seq})
        for subscription in subscribers:
            subscription.deliver(message)
        return seq

    def _broadcast(self, issue_id: int, payload: dict) -> None:
        """An event outside the sequence (presence)."""
        with self._lock:
            subscribers = list(self._subscribers[issue_id])
        message = json.dumps(payload)
        for subscription in subscribers:
            subscription.deliver(message)

    def publish_user(self, user_id: int, payload: dict) -> None:
        with self._lock:
            subscribers = list(self._members.get(user_id, ()))
        message = json.dumps(payload)
        for subscription in subscribers:
            subscription.deliver(message)

    def current_seq(self, issue_id: int) -> int:
        with self._lock:
            return self._seq[issue_id]

    async def acurrent_seq(self, issue_id: int) -> int:
        return self.current_seq(issue_id)

    def subscription(self, issue_id: int, user_id: int | None = None) -> "LocalSubscription":
        return LocalSubscription(self, issue_id, user_id)

    async def apresence(self, issue_id: int, conn: str, alias: str, *, leave=False) -> None:
        with self._lock:
            here = self._presence[issue_id]
            if leave:
                changed = here.pop(conn, None) is not None
            else:
                changed = conn not in here
                here[conn] = alias
            if not here:
                del self._presence[issue_id]
            # A refresh (every keep-alive of every page) changes nothing to
            # tell; a change is told once per window, however many there are.
            due = changed and issue_id not in self._presence_due
            if due:
                self._presence_due.add(issue_id)
        if due:
            asyncio.get_running_loop().call_later(PRESENCE_WINDOW, self._tell_presence, issue_id)

    def _tell_presence(self, issue_id: int) -> None:
        with self._lock:
            self._presence_due.discard(issue_id)
            payload = presence_payload(self._presence.get(issue_id, {}).values())
        self._broadcast(issue_id, payload)

    def subscriber_count(self, issue_id: int) -> int:
        with self._lock:
            return len(self._subscribers[issue_id])

    def answers(self) -> bool:
        return True

    def _add(self, subscription: "LocalSubscription") -> None:
        with self._lock:
            self._subscribers[subscription.issue_id].add(subscription)
            if subscription.user_id is not None:
                self._members[subscription.user_id].add(subscription)

    def _remove(self, subscription: "LocalSubscription") -> None:
        with self._lock:
            self._subscribers[subscription.issue_id].discard(subscription)
            if not self._subscribers[subscription.issue_id]:
                del self._subscribers[subscription.issue_id]
            if subscription.user_id is not None:
                self._members[subscription.user_id].discard(subscription)
                if not self._members[subscription.user_id]:
                    del self._members[subscription.user_id]


class LocalSubscription:
    # A page that stops reading (a stalled tab) must not hold memory without
    # bound: past this many waiting events it is told to fetch a snapshot.
    MAX_WAITING = 200

    def __init__(self, broker: LocalBroker, issue_id: int, user_id: int | None) -> None:
        self.broker = broker
        self.issue_id = issue_id
        self.user_id = user_id
        self.connected = True

    async def __aenter__(self) -> "LocalSubscription":
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[str] = asyncio.Queue(self.MAX_WAITING)
        self.broker._add(self)
        return self

    async def __aexit__(self, *exc) -> None:
        self.broker._remove(self)

    def deliver(self, message: str) -> None:
        """Called from any thread (the write's)."""
        # A closed loop: the page is gone, and so is its interest.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._put, message)

    def _put(self, message: str) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._queue = asyncio.Queue(self.MAX_WAITING)
            self._queue.put_nowait(RESYNC)

    async def next(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


class RedisBroker:
    """`prefix` names the keys and channels: "desk:live" unless a test wants
    its own."""

    def __init__(self, url: str, prefix: str = "desk:live") -> None:
        self.url = url
        self.prefix = prefix
        # Publishing happens in request threads and workers: a small pool is
        # shared; short timeouts so a Redis that is down costs a write little.
        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._publish = self._client.register_script(PUBLISH_SCRIPT)
        self._async_clients = weakref.WeakKeyDictionary()
        self._telling: set[asyncio.Future] = set()
        self._hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub] = (
            weakref.WeakKeyDictionary()
        )
        self._streams_outage = Outage("Live pages' presence and sequence")

    def _async_client(self) -> redis.asyncio.Redis:
        """The streams' client for presence and sequence reads: one per event
        loop (a server has one), so its pool keeps a few connections open for
        all its pages, instead of each page connecting at every keep-alive and
        a burst of reconnecting pages opening hundreds at once."""
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            # Blocking: 1,000 pages joining at once wait their turn for one
            # of a bounded number of connections, where redis-py's default
            # pool refuses the 101st ("Too many connections").
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                self.url,
                max_connections=ASYNC_CONNECTIONS,
                timeout=ASYNC_CONNECTION_WAIT,
                socket_timeout=1,
                socket_connect_timeout=1,
                # Once more at once, on a new connection: unlike the sync
                # pool, the async one hands out connections a restarted
                # Redis has closed, and the first command on each fails.
                retry=AsyncRetry(NoBackoff(), 1),
                retry_on_error=[redis.ConnectionError],
            )
            client = redis.asyncio.Redis(connection_pool=pool)
            self._async_clients[loop] = client
        return client

    def channel(self, issue_id: int) -> str:
        return f"{self.prefix}:{issue_id}"

    def seq_key(self, issue_id: int) -> str:
        return f"{self.prefix}:seq:{issue_id}"

    def publish(self, issue_id: int, payload: dict) -> int:
        keys = [self.seq_key(issue_id), self.channel(issue_id)]
        return int(self._publish(keys=keys, args=[json.dumps(payload), SEQ_TTL]))

    def current_seq(self, issue_id: int) -> int:
        try:
            return int(self._client.get(self.seq_key(issue_id)) or 0)
        except redis.RedisError:
            # The page still renders; its stream will catch up when it can.
            return 0

    async def acurrent_seq(self, issue_id: int) -> int | None:
        """None when Redis does not answer: the page is told updates are
        paused, and catches up when they resume."""
        try:
            seq = int(await self._async_client().get(self.seq_key(issue_id)) or 0)
        except (redis.RedisError, OSError) as error:
            self._streams_outage.failed(error)
            return None
        self._streams_outage.answered()
        return seq

    def user_channel(self, user_id: int) -> str:
        return f"{self.prefix}:user:{user_id}"

    def publish_user(self, user_id: int, payload: dict) -> None:
        self._client.publish(self.user_channel(user_id), "0 " + json.dumps(payload))

    def subscription(self, issue_id: int, user_id: int | None = None) -> "RedisSubscription":
        channels = [self.channel(issue_id)]
        if user_id is not None:
            channels.append(self.user_channel(user_id))
        return RedisSubscription(self._hub(), *channels)

    def _hub(self) -> "_Hub":
        loop = asyncio.get_running_loop()
        hub = self._hubs.get(loop)
        if hub is None:
            hub = self._hubs[loop] = _Hub(self.url)
        return hub

    def presence_key(self, issue_id: int) -> str:
        return f"{self.prefix}:presence:{issue_id}"

    async def apresence(self, issue_id: int, conn: str, alias: str, *, leave=False) -> None:
        """Enter, refresh or leave one page's presence; the others are told
        once per window (PRESENCE_WINDOW), however many pages come and go in
        it: 1,000 pages joining at once make one event, not a million.

        Entries expire unless the stream refreshes them (with each keep-alive),
        so a server that dies does not leave its viewers on the page forever:
        the first refresh after an entry's time is up sweeps it away.
        """
        key = self.presence_key(issue_id)
        now = time.time()
        client = self._async_client()
        try:
            # One round trip: the write, its key's lifetime, and whether this
            # process is the one to tell the others at the window's end (a key
            # only the first change of a window sets) or to sweep.
            async with client.pipeline(transaction=False) as pipe:
                if leave:
                    pipe.hdel(key, conn)
                else:
                    # 1 for a page that enters, 0 for a refresh.
                    pipe.hset(key, conn, json.dumps([alias, now + PRESENCE_TTL]))
                    pipe.expire(key, int(PRESENCE_TTL) * 2)
                changed = (await pipe.execute())[0]
            self._streams_outage.answered()
            if changed:
                await self._tell_once(issue_id, "due", PRESENCE_WINDOW)
            else:
                # A refresh: entries whose stream went away with its server
                # are swept by one refresh per sweep window, not by all.
                await self._tell_once(issue_id, "sweep", PRESENCE_TTL / 3, only_if_gone=True)
        except (redis.RedisError, OSError) as error:
            self._streams_outage.failed(error)

    async def _tell_once(
        self, issue_id: int, what: str, window: float, *, only_if_gone: bool = False
    ) -> None:
        mark = f"{self.prefix}:presence-{what}:{issue_id}"
        # The mark ends a little before the telling reads the entries: a
        # change after the read finds no mark and is told in a window of its
        # own (told twice at worst, never missed).
        lifetime = int(window * 1000) - (0 if only_if_gone else 50)
        if await self._async_client().set(mark, 1, nx=True, px=lifetime):
            delay = 0 if only_if_gone else window
            asyncio.get_running_loop().call_later(
                delay, self._start_telling, issue_id, only_if_gone
            )

    def _start_telling(self, issue_id: int, only_if_gone: bool) -> None:
        task = asyncio.ensure_future(self._tell_presence(issue_id, only_if_gone))
        # The loop keeps only a weak reference to a task: held until done.
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    async def _tell_presence(self, issue_id: int, only_if_gone: bool) -> None:
        """Publish who is on the page now, without the entries past their time."""
        key = self.presence_key(issue_id)
        now = time.time()
        client = self._async_client()
        try:
            entries = {k: json.loads(v) for k, v in (await client.hgetall(key)).items()}
            gone = [k for k, (_alias, until) in entries.items() if until < now]
            if gone:
                await client.hdel(key, *gone)
            if only_if_gone and not gone:
                return
            aliases = [alias for k, (alias, _until) in entries.items() if k not in gone]
            message = "0 " + json.dumps(presence_payload(aliases))
            await client.publish(self.channel(issue_id), message)
        except (redis.RedisError, OSError) as error:
            self._streams_outage.failed(error)

    def subscriber_count(self, issue_id: int) -> int:
        """The pages of this process listening on the issue (Redis itself
        sees one subscriber per process: its hub)."""
        channel = self.channel(issue_id)
        return sum(len(hub.listeners.get(channel, ())) for hub in list(self._hubs.values()))

    def answers(self) -> bool:
        try:
            return bool(self._client.ping())
        except (redis.RedisError, OSError):
            return False


class _Hub:
    """The one Redis subscription of a process (of its event loop), shared by
    all its pages: Redis sends each event to the process once, parsed once,
    and the hub hands the same text to every page that listens on its
    channel. A thousand pages are one connection and one parse per event,
    not a thousand of each.

    When Redis goes away every page is told updates are paused; the hub
    connects again every RETRY_SECONDS, and once back tells every page to
    fetch a fresh snapshot of what it missed (RESYNC)."""

    RETRY_SECONDS = 2.0
    POLL_SECONDS = 1.0

    def __init__(self, url: str) -> None:
        self.url = url
        self.listeners: dict[str, set[RedisSubscription]] = defaultdict(set)
        self.connected = False
        self._client = redis.asyncio.Redis.from_url(
            url, socket_connect_timeout=1, health_check_interval=30
        )
        self._pubsub: redis.asyncio.client.PubSub | None = None
        self._retry_at = 0.0
        self._reader: asyncio.Task | None = None

    async def join(self, subscription: "RedisSubscription") -> bool:
        """Listen on the subscription's channels; whether Redis answers."""
        fresh = [channel for channel in subscription.channels if not self.listeners[channel]]
        for channel in subscription.channels:
            self.listeners[channel].add(subscription)
        if self._pubsub is None:
            # The first page, or one arriving while Redis is away: a try now
            # (not before the retry time, so a burst of pages is one try).
            if asyncio.get_running_loop().time() >= self._retry_at:
                await self._connect()
        elif fresh:
            try:
                await self._pubsub.subscribe(*fresh)
            except (redis.RedisError, OSError):
                await self._lost()
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read())
        return self.connected

    async def leave(self, subscription: "RedisSubscription") -> None:
        idle = []
        for channel in subscription.channels:
            listening = self.listeners.get(channel)
            if listening is not None:
                listening.discard(subscription)
                if not listening:
                    del self.listeners[channel]
                    idle.append(channel)
        if idle and self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                await self._pubsub.unsubscribe(*idle)

    async def _connect(self) -> bool:
        try:
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            if self.listeners:
                await self._pubsub.subscribe(*self.listeners)
        except (redis.RedisError, OSError):
            await self._close()
            self._retry_at = asyncio.get_running_loop().time() + self.RETRY_SECONDS
            self.connected = False
            return False
        self.connected = True
        return True

    async def _close(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                await self._pubsub.aclose()
            self._pubsub = None

    async def _lost(self) -> None:
        await self._close()
        self.connected = False
        self._retry_at = asyncio.get_running_loop().time() + self.RETRY_SECONDS
        self._tell_all(PAUSED)

    def _tell_all(self, message: str) -> None:
        for subscription in {s for listening in self.listeners.values() for s in listening}:
            subscription.deliver(message)

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self.listeners:
                await self._close()
                # A page may have come while the connection closed: it found
                # this reader still running and started none of its own.
                if not self.listeners:
                    return
            if self._pubsub is None:
                await asyncio.sleep(max(0.0, self._retry_at - loop.time()))
                if self.listeners and await self._connect():
                    # Events may have gone by while Redis was away.
                    self._tell_all(RESYNC)
                continue
            if not self._pubsub.subscribed:
                # Between the last page of a channel leaving and the next
                # page arriving the connection listens on nothing, and
                # redis-py has nothing to read from.
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self._pubsub.get_message(timeout=self.POLL_SECONDS)
            except (redis.RedisError, OSError):
                await self._lost()
                continue
            if message is None or message.get("type") != "message":
                continue
            listening = self.listeners.get(message["channel"].decode())
            if listening:
                text = _event_text(message["data"])
                for subscription in list(listening):
                    subscription.deliver(text)


def _event_text(data: bytes) -> str:
    """A published "seq payload" as the page's event: the payload with its
    sequence number (0: outside the sequence, as presence)."""
    seq, _space, body = data.decode().partition(" ")
    if seq == "0":
        return body
    payload = json.loads(body)
    payload["seq"] = int(seq)
    return json.dumps(payload)


PAUSED = json.dumps({"kind": "paused"})


class RedisSubscription:
    """One page's place in its process' hub: the events of its channels, in
    a queue of its own. A page that stops reading (a stalled tab) holds at
    most MAX_WAITING of them, then is told to fetch a snapshot."""

    MAX_WAITING = 200

    def __init__(self, hub: _Hub, *channels: str) -> None:
        self.hub = hub
        self.channels = channels
        self.connected = False
        self._queue: asyncio.Queue[str] = asyncio.Queue(self.MAX_WAITING)

    async def __aenter__(self) -> "RedisSubscription":
        self.connected = await self.hub.join(self)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.hub.leave(self)

    def deliver(self, message: str) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._queue = asyncio.Queue(self.MAX_WAITING)
            self._queue.put_nowait(RESYNC)

    async def next(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


# The streams' pool for presence and sequence reads, per process; a command
# waits this long for a connection before it counts as Redis not answering.
ASYNC_CONNECTIONS = 32
ASYNC_CONNECTION_WAIT = 5.0

# A stream refreshes its entry with every keep-alive (15 s).
PRESENCE_TTL = 45.0
# Who is on the page is told at most once per issue and window.
PRESENCE_WINDOW = 1.0


def presence_payload(aliases) -> dict:
    """Everyone on the page is counted; members are named, visitors are not
    (an empty alias). A member with the page open in two tabs is one person;
    visitors cannot be told apart, so each of their pages counts."""
    aliases = list(aliases)
    members = {alias for alias in aliases if alias}
    return {
        "kind": "presence",
        "count": len(members) + aliases.count(""),
        "aliases": sorted(members, key=str.casefold),
    }


@cache
def broker() -> LocalBroker | RedisBroker:
    return RedisBroker(settings.REDIS_URL) if settings.REDIS_URL else LocalBroker()


_ids = itertools.count(1)


def connection_id() -> str:
    """A name for one open stream, unique across processes (for presence)."""
    return f"{socket.gethostname()}:{os.getpid()}:{next(_ids)}"
