"""Any receiver: the message as JSON, signed with HMAC-SHA256 so the receiver
can tell it comes from the desk and is fresh. docs/webhooks.md is the
receiver's side."""

import hashlib
import hmac

from notify.http import Response, raise_for_status
from notify.message import Message

from .base import Spec, dumps

SPEC = Spec(
    takes_secret=True,
    needs_secret=True,
    needs_chat_id=False,
    example_url="https://example.org/desk-hook",
)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    body = dumps(
        {
            "event": message.kind,
            "title": message.title,
            "text": message.text,
            "url": message.url,
            "key": message.key,
        }
    )
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "X-Desk-Event": message.kind,
        "X-Desk-Delivery": message.key,
        "X-Desk-Timestamp": timestamp,
        "X-Desk-Signature": signature(secret, timestamp, body),
    }
    return url, body, headers


def interpret(response: Response) -> str:
    raise_for_status(response)
    return response.summary
