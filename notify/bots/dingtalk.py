"""DingTalk (钉钉) custom robot: a markdown message to
https://oapi.dingtalk.com/robot/send?access_token=…, signed with the robot's
key ("加签", SEC…) when it has one."""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status
from notify.message import Message, PermanentError, TransientError

from .base import Spec, answer_object, dumps, platform_words
from .markup import clip, markdown_label, truncate_markdown, utf8_len

SPEC = Spec(
    takes_secret=True,
    needs_secret=False,
    needs_chat_id=False,
    example_url="https://oapi.dingtalk.com/robot/send?access_token=…",
)
# DingTalk takes requests of 20 KB; the text is nearly all of one.
TEXT_BYTES = 16 * 1024
RATE_LIMITED = 130101  # "send too fast": 20 messages a minute per robot


def sign(timestamp: str, secret: str) -> str:
    # DingTalk's algorithm: HMAC-SHA256 keyed with the secret over
    # "timestamp\nsecret", Base64, then URL-encoded.
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(digest.digest()))


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    if secret:
        timestamp = str(int(now * 1000))
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={timestamp}&sign={sign(timestamp, secret)}"
    title = clip(message.title, 200)
    head = f"#### [{markdown_label(title)}]({message.url})\n\n"
    text = head + truncate_markdown(message.text, TEXT_BYTES - utf8_len(head), measure=utf8_len)
    body = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return url, dumps(body), {}


def interpret(response: Response) -> str:
    raise_for_status(response)
    data = answer_object(response)
    code = data.get("errcode")
    if code == 0:
        return response.summary
    words = {"code": code, "words": platform_words(data.get("errmsg", ""))}
    if code == RATE_LIMITED:
        raise TransientError(_("DingTalk: too many messages for now (%(code)s %(words)s).") % words)
    raise PermanentError(_("DingTalk refused the message: %(code)s %(words)s.") % words)
