"""Discord webhook, https://discord.com/api/webhooks/…: one embed, whose
description Discord renders as Markdown. Nobody is pinged: the text is
the members' own, and "@everyone" in it stays words."""

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status, retry_after_seconds
from notify.message import Message, PermanentError, TransientError

from .base import Spec, answer_json, dumps, platform_words
from .markup import clip, truncate_markdown

SPEC = Spec(
    takes_secret=False,
    needs_secret=False,
    needs_chat_id=False,
    example_url="https://discord.com/api/webhooks/…",
)
TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    embed = {
        "title": clip(message.title, TITLE_CHARS),
        "url": message.url,
        "description": truncate_markdown(message.text, DESCRIPTION_CHARS),
    }
    body = {"embeds": [embed], "allowed_mentions": {"parse": []}}
    return url, dumps(body), {}


def interpret(response: Response) -> str:
    if 200 <= response.status < 300:
        return response.summary
    data = answer_json(response)
    data = data if isinstance(data, dict) else {}
    if response.status == 429:
        # The body's retry_after has fractions of a second; the header rounds.
        wait = data.get("retry_after")
        raise TransientError(
            _("Discord: too many messages for now."),
            retry_after=float(wait)
            if isinstance(wait, int | float)
            else retry_after_seconds(response.headers.get("Retry-After")),
        )
    if response.status >= 500 or "message" not in data:
        raise_for_status(response)
    raise PermanentError(
        _("Discord refused the message: %(status)s %(words)s.")
        % {"status": response.status, "words": platform_words(data["message"])}
    )
