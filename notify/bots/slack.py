"""Slack incoming webhook, https://hooks.slack.com/services/…: one section
block of mrkdwn, with the title as the notification's plain text."""

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status
from notify.message import Message, PermanentError

from .base import Spec, dumps, platform_words
from .markup import Bold, Link, Text, clip, parse, slack_mrkdwn

SPEC = Spec(
    takes_secret=False,
    needs_secret=False,
    needs_chat_id=False,
    example_url="https://hooks.slack.com/services/…",
)
SECTION_CHARS = 3000


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    title = clip(message.title, 200)
    nodes = [Bold([Link(title, message.url)]), Text("\n"), *parse(message.text)]
    section = {"type": "mrkdwn", "text": slack_mrkdwn(nodes, SECTION_CHARS)}
    body = {"text": title, "blocks": [{"type": "section", "text": section}]}
    return url, dumps(body), {}


def interpret(response: Response) -> str:
    if response.status == 200 and response.body.strip() == b"ok":
        return response.summary
    if response.status == 429 or response.status >= 500:
        raise_for_status(response)
    # Slack names what went wrong in a word: invalid_payload, no_service…
    words = platform_words(response.body.decode(errors="replace").strip())
    raise PermanentError(
        _("Slack refused the message: %(status)s %(words)s.")
        % {"status": response.summary, "words": words}
    )
