"""A series' chat bots: added, changed and tried by admins."""

import time

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User, Viewer
from sections.errors import Invalid, NotAllowed
from sections.policy import is_admin
from talk.models import Series

from .. import bots
from ..compose import absolute
from ..http import check_url
from ..message import DeliveryError, Message
from ..models import Bot
from .deliveries import _bot_outcome


def _require_admin(user: Viewer) -> User:
    if not is_admin(user):
        raise NotAllowed(gettext_lazy("Only admins manage a series' chat bots."))
    return user  # type: ignore[return-value]


class BadUrl(Invalid):
    """The webhook's address is refused (its words say why)."""


def _check(platform: str, url: str, secret: str, chat_id: str) -> None:
    try:
        check_url(url)
    except ValueError as error:
        raise BadUrl(str(error)) from None
    if bots.needs_chat_id(platform) and not chat_id:
        raise Invalid(gettext_lazy("This platform needs the chat's id."))
    if bots.needs_secret(platform) and not secret:
        raise Invalid(gettext_lazy("This platform needs its secret."))


@transaction.atomic
def bot_save(
    *,
    user: Viewer,
    series: Series,
    bot: Bot | None = None,
    platform: str,
    name: str,
    url: str,
    secret: str,
    chat_id: str,
    kinds: list[str],
    active: bool = True,
) -> Bot:
    """Add a bot, or change one: an empty URL or secret keeps the saved one,
    since neither is ever shown again."""
    admin = _require_admin(user)
    if bot is None:
        bot = Bot(series=series, created_by=admin)
    elif bot.series_id != series.pk:
        raise NotAllowed(gettext_lazy("That bot belongs to another series."))
    if bot.platform == platform:
        url = url or bot.url
        secret = secret or bot.secret
    _check(platform, url, secret, chat_id)
    bot.platform, bot.name, bot.url, bot.secret = platform, name, url, secret
    bot.chat_id, bot.kinds, bot.active = chat_id, kinds, active
    bot.save()
    return bot


@transaction.atomic
def bot_delete(*, user: Viewer, bot: Bot) -> None:
    _require_admin(user)
    bot.delete()


def bot_test(*, user: Viewer, bot: Bot) -> tuple[bool, str]:
    """Send a test message now, in the admin's request (they wait for the
    answer, a few seconds at most); (sent, what the receiver said)."""
    _require_admin(user)
    message = Message(
        kind="test",
        title=_("A test message from the issue desk"),
        text=_("If this reached the chat, %(name)s works. The desk posts here for %(series)s.")
        % {"name": bot.name, "series": bot.series.name},
        url=absolute(bot.series.get_absolute_url()),
        key=f"test-{bot.pk}-{int(time.time())}",
    )
    try:
        result = bots.send(
            platform=bot.platform,
            url=bot.url,
            secret=bot.secret,
            chat_id=bot.chat_id,
            message=message,
        )
    except DeliveryError as error:
        _bot_outcome(bot.pk, ok=False, result=str(error))
        return False, str(error)
    _bot_outcome(bot.pk, ok=True, result=result)
    return True, result
