"""The Server-Sent-Events stream one issue page keeps open.

The stream says hello with the issue's current sequence number (the page
compares it with the one it was rendered at and fetches a fresh snapshot if
they differ), then passes on every event of the issue, with a comment every
15 s so proxies keep the connection. After Redis was away it says "resync"
with the number read again, which the page takes for its own: Redis may have
restarted empty and count from 1 again. It ends when the page goes away (Django
cancels the response; the subscription and presence are released on the way
out) and, with a last "bye", when the server shuts down, so a restart never
waits on open pages.
"""

import asyncio
import json
import signal
import threading
from collections.abc import AsyncIterator

from .broker import RESYNC, broker, connection_id

KEEPALIVE_SECONDS = 15.0
# How long a waiting stream sleeps before it looks at the shutdown flag.
POLL_SECONDS = 1.0
# What EventSource waits before it reconnects by itself.
RETRY_MS = 2000

PAUSED = {"kind": "paused"}

STOPPING = threading.Event()
_hooked = False


def _hook_shutdown() -> None:
    """Chain a handler to the server's SIGINT/SIGTERM handlers (uvicorn's),
    so open streams end at once instead of holding the shutdown up."""
    global _hooked
    if _hooked or threading.current_thread() is not threading.main_thread():
        return
    _hooked = True
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)

        def handler(number, frame, previous=previous):
            STOPPING.set()
            if callable(previous):
                previous(number, frame)

        signal.signal(signum, handler)


def _event(payload: dict | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n"


async def event_stream(issue_id: int, alias: str, user_id: int | None = None) -> AsyncIterator[str]:
    """`alias` is the viewer's, empty for a visitor (counted, not named);
    `user_id` a member's, whose own events (their inbox) come along."""
    _hook_shutdown()
    live = broker()
    conn = connection_id()
    loop = asyncio.get_running_loop()
    async with live.subscription(issue_id, user_id) as subscription:
        try:
            await live.apresence(issue_id, conn, alias)
            # Read after subscribing: an event in between is both counted
            # here and delivered below, never lost.
            seq = await live.acurrent_seq(issue_id) if subscription.connected else None
            hello = {"kind": "hello", "seq": seq or 0, "live": seq is not None}
            yield f"retry: {RETRY_MS}\n" + _event(hello)
            beat_at = loop.time() + KEEPALIVE_SECONDS
            while not STOPPING.is_set():
                message = await subscription.next(timeout=POLL_SECONDS)
                if message == RESYNC:
                    # Read after subscribing again, as for the hello.
                    seq = await live.acurrent_seq(issue_id)
                    message = {"kind": "resync", "seq": seq} if seq is not None else PAUSED
                if message is not None:
                    yield _event(message)
                if loop.time() >= beat_at:
                    beat_at = loop.time() + KEEPALIVE_SECONDS
                    await live.apresence(issue_id, conn, alias)
                    yield ": keep-alive\n\n"
            yield _event({"kind": "bye"})
        finally:
            await live.apresence(issue_id, conn, alias, leave=True)
