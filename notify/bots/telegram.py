"""Telegram bot: sendMessage through the Bot API. The admin gives the bot's
token as the secret and the chat's id; the URL is the API's base, so a test
(or a local Bot API server) can stand in for api.telegram.org."""

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status, retry_after_seconds
from notify.message import Message, PermanentError, TransientError

from .base import Spec, answer_json, dumps, platform_words
from .markup import Bold, Link, Text, clip, parse, telegram_html

SPEC = Spec(
    takes_secret=True,
    needs_secret=True,
    needs_chat_id=True,
    default_url="https://api.telegram.org",
    example_url="https://api.telegram.org",
)
TEXT_CHARS = 4096  # after the HTML is read, in UTF-16 code units


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    title = Bold([Link(clip(message.title, 200), message.url)])
    nodes = [title, Text("\n\n"), *parse(message.text)]
    body = {
        "chat_id": chat_id,
        "text": telegram_html(nodes, TEXT_CHARS),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    return f"{url.rstrip('/')}/bot{secret}/sendMessage", dumps(body), {}


def interpret(response: Response) -> str:
    data = answer_json(response)
    if not isinstance(data, dict):
        raise_for_status(response)
        data = {}
    if data.get("ok") is True:
        return response.summary
    words = {"words": platform_words(data.get("description", response.summary))}
    parameters = data.get("parameters")
    wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if response.status == 429 or wait is not None:
        raise TransientError(
            _("Telegram: too many messages for now (%(words)s).") % words,
            retry_after=float(wait)
            if isinstance(wait, int | float)
            else retry_after_seconds(response.headers.get("Retry-After")),
        )
    if response.status >= 500:
        raise TransientError(_("Telegram could not take the message: %(words)s.") % words)
    raise PermanentError(_("Telegram refused the message: %(words)s.") % words)
