from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu / Lark custom bot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    SLACK = "slack", _("Slack incoming webhook")
    DISCORD = "discord", _("Discord webhook")
    TELEGRAM = "telegram", _("Telegram bot")
    GENERIC = "generic", _("JSON POST signed with HMAC-SHA256")


def send(*, platform: str, url: str, secret: str, chat_id: str, message) -> str:
    raise NotImplementedError


def needs_secret(platform: str) -> bool:
    return platform in ("feishu", "dingtalk", "generic", "telegram")


def needs_chat_id(platform: str) -> bool:
    return platform == "telegram"
