"""Feishu / Lark custom bot: an interactive card to the bot's webhook,
https://open.feishu.cn/open-apis/bot/v2/hook/…, signed when the bot has a
signing key ("signature verification" in the bot's security settings)."""

import base64
import hashlib
import hmac

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status
from notify.message import Message, PermanentError, TransientError

from .base import Spec, answer_json, answer_object, dumps, platform_words
from .markup import clip, truncate_markdown, utf8_len

SPEC = Spec(
    takes_secret=True,
    needs_secret=False,
    needs_chat_id=False,
    example_url="https://open.feishu.cn/open-apis/bot/v2/hook/…",
)
# A whole request may be 20 KB; the card's text takes most of it.
CONTENT_BYTES = 16 * 1024
RATE_LIMITED = {11232, 9499}


def sign(timestamp: str, secret: str) -> str:
    # Feishu's algorithm: the key is "timestamp\nsecret", the message empty.
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def card(message: Message) -> dict:
    return {
        "header": {
            "title": {"tag": "plain_text", "content": clip(message.title, 200)},
            "template": "blue",
        },
        "elements": [
            {
                "tag": "div",
                "text": {
                    "tag": "lark_md",
                    "content": truncate_markdown(message.text, CONTENT_BYTES, measure=utf8_len),
                },
            },
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": _("Open")},
                        "type": "primary",
                        "url": message.url,
                    }
                ],
            },
        ],
    }


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    body: dict[str, object] = {}
    if secret:
        timestamp = str(int(now))
        body = {"timestamp": timestamp, "sign": sign(timestamp, secret)}
    body |= {"msg_type": "interactive", "card": card(message)}
    return url, dumps(body), {}


def interpret(response: Response) -> str:
    data = answer_json(response)
    if response.status == 429 or response.status >= 500 or not isinstance(data, dict):
        raise_for_status(response)
    data = answer_object(response)
    # The older answer says StatusCode; the newer says code.
    code = data.get("code", data.get("StatusCode"))
    if code == 0:
        return response.summary
    words = {"code": code, "words": platform_words(data.get("msg", data.get("StatusMessage", "")))}
    if code in RATE_LIMITED:
        raise TransientError(_("Feishu: too many messages for now (%(code)s %(words)s).") % words)
    raise PermanentError(_("Feishu refused the message: %(code)s %(words)s.") % words)
