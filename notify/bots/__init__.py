"""Chat bots and webhooks: one module per platform, behind one small interface.

Each module builds its platform's request for a message (`request`) and reads
its platform's answer (`interpret`); `send` posts between the two through
notify.http, which keeps the desk's own network out of reach.
"""

import time

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notify.http import post_json
from notify.message import DeliveryError, Message, PermanentError

from . import dingtalk, discord, feishu, generic, slack, telegram, wecom
from .base import Spec, Transport

__all__ = ["Platform", "Spec", "needs_chat_id", "needs_secret", "send", "spec"]


class Platform(models.TextChoices):
    WECOM = "wecom", gettext_lazy("WeCom group robot")
    FEISHU = "feishu", gettext_lazy("Feishu / Lark custom bot")
    DINGTALK = "dingtalk", gettext_lazy("DingTalk custom robot")
    SLACK = "slack", gettext_lazy("Slack incoming webhook")
    DISCORD = "discord", gettext_lazy("Discord webhook")
    TELEGRAM = "telegram", gettext_lazy("Telegram bot")
    GENERIC = "generic", gettext_lazy("JSON POST signed with HMAC-SHA256")


TRANSPORTS: dict[str, Transport] = {
    Platform.WECOM: wecom,
    Platform.FEISHU: feishu,
    Platform.DINGTALK: dingtalk,
    Platform.SLACK: slack,
    Platform.DISCORD: discord,
    Platform.TELEGRAM: telegram,
    Platform.GENERIC: generic,
}


def spec(platform: str) -> Spec:
    return TRANSPORTS[platform].SPEC


def needs_secret(platform: str) -> bool:
    return spec(platform).needs_secret


def needs_chat_id(platform: str) -> bool:
    return spec(platform).needs_chat_id


def _scrubbed(text: str, *, url: str, secret: str) -> str:
    """`text` without the secret or the URL, should a platform echo either
    back in its words."""
    for hidden in (secret, url):
        if len(hidden) >= 4:
            text = text.replace(hidden, "…")
    return text


def send(*, platform: str, url: str, secret: str, chat_id: str, message: Message) -> str:
    """Deliver `message` to one bot; return what its platform answered, in
    short ("200 OK"). Raises TransientError when trying later may work,
    PermanentError when it will not."""
    transport = TRANSPORTS.get(platform)
    if transport is None:
        raise PermanentError(_("There is no bot platform called %(name)s.") % {"name": platform})
    target, body, headers = transport.request(url, secret, chat_id, message, time.time())
    try:
        return transport.interpret(post_json(target, body, headers=headers))
    except DeliveryError as error:
        scrubbed = _scrubbed(str(error), url=target, secret=secret)
        if scrubbed == str(error):
            raise
        raise type(error)(scrubbed, retry_after=error.retry_after) from None
