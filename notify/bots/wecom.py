"""WeCom (企业微信) group robot: a markdown message to the robot's webhook,
https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; the key is the secret
and lives in the URL."""

from django.utils.translation import gettext as _

from notify.http import Response, raise_for_status
from notify.message import Message, PermanentError, TransientError

from .base import Spec, answer_object, dumps, platform_words
from .markup import clip, markdown_label, truncate_markdown, utf8_len

SPEC = Spec(
    takes_secret=False,
    needs_secret=False,
    needs_chat_id=False,
    example_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
)
CONTENT_BYTES = 4096  # markdown.content, in UTF-8 bytes
RATE_LIMITED = 45009


def content(message: Message) -> str:
    head = f"**[{markdown_label(clip(message.title, 200))}]({message.url})**\n\n"
    return head + truncate_markdown(message.text, CONTENT_BYTES - utf8_len(head), measure=utf8_len)


def request(
    url: str, secret: str, chat_id: str, message: Message, now: float
) -> tuple[str, bytes, dict[str, str]]:
    body = {"msgtype": "markdown", "markdown": {"content": content(message)}}
    return url, dumps(body), {}


def interpret(response: Response) -> str:
    raise_for_status(response)
    data = answer_object(response)
    code = data.get("errcode")
    if code == 0:
        return response.summary
    words = {"code": code, "words": platform_words(data.get("errmsg", ""))}
    if code == RATE_LIMITED:
        raise TransientError(_("WeCom: too many messages for now (%(code)s %(words)s).") % words)
    raise PermanentError(_("WeCom refused the message: %(code)s %(words)s.") % words)
