"""Sending one delivery, at least once and never twice.

A worker claims the row with a conditional UPDATE (waiting and due, or held
by a worker whose lease ran out), so a task delivered twice, or sent again
by the sweep, finds nothing to do. A transient failure (timeout, 5xx, 429)
puts the row back with a later time, growing each attempt; after
NOTIFY_MAX_ATTEMPTS, or at the first permanent failure, it is failed, shown
on /jobs/ with its error, and an admin may send it again from there.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from sections.errors import NotAllowed
from sections.policy import is_admin

from .. import bots, dispatch, mail
from ..compose import compose
from ..message import DeliveryError, Message
from ..models import Bot, Channel, Delivery, DeliveryStatus, Event

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd… failed attempt, in seconds (then the last again).
BACKOFF = [10, 60, 300, 1800, 3600]
# The longest wait a receiver's Retry-After is taken at.
MAX_RETRY_AFTER = 3600
# How early a delayed task may arrive and still send (clocks differ).
EARLY = datetime.timedelta(seconds=2)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def delivery_send(*, delivery_id: int, task_id: str = "") -> Delivery | None:
    """Send the delivery if this task may; None when it is done, not due, or
    held by another live worker."""
    now = timezone.now()
    claimable = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now + EARLY) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery_id, digest=False).update(
        status=DeliveryStatus.SENDING,
        lease_until=now + _lease(),
        attempts=F("attempts") + 1,
        task_id=task_id[:80],
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related(
        "event__series", "event__issue__series", "event__actor", "recipient", "bot"
    ).get(pk=delivery_id)
    message = compose(delivery.event, delivery.recipient, key=f"delivery-{delivery.pk}")
    if message is None:
        return _finish(delivery, DeliveryStatus.SKIPPED, result="nothing left to tell")
    try:
        result = _transport(delivery, message)
    except DeliveryError as error:
        return _failed(delivery, error)
    return _finish(delivery, DeliveryStatus.SENT, result=result)


def _transport(delivery: Delivery, message: Message) -> str:
    if delivery.channel == Channel.EMAIL:
        assert delivery.recipient is not None
        return mail.send(
            delivery.recipient,
            [message],
            kind=delivery.event.kind,
            message_id=f"desk.{message.key}",
        )
    bot = delivery.bot
    assert bot is not None
    return bots.send(
        platform=bot.platform, url=bot.url, secret=bot.secret, chat_id=bot.chat_id, message=message
    )


def _finish(delivery: Delivery, status: str, *, result: str = "", error: str = "") -> Delivery:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "lease_until": None,
        "result": result[:300],
        "error": error,
    }
    if status == DeliveryStatus.SENT:
        fields["sent_at"] = now
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    if delivery.bot_id is not None and status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        _bot_outcome(delivery.bot_id, ok=status == DeliveryStatus.SENT, result=result or error)
    return delivery


def _bot_outcome(bot_id: int, *, ok: bool, result: str) -> None:
    Bot.objects.filter(pk=bot_id).update(
        last_at=timezone.now(), last_ok=ok, last_result=result[:300]
    )


def _failed(delivery: Delivery, error: DeliveryError) -> Delivery:
    reason = str(error)
    if not error.transient or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        logger.warning("Delivery %s failed for good: %s", delivery.pk, reason)
        return _finish(delivery, DeliveryStatus.FAILED, error=reason)
    wait: float = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    if error.retry_after is not None:
        wait = max(wait, min(error.retry_after, MAX_RETRY_AFTER))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        lease_until=None,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=wait),
        error=reason,
    )
    delivery.status = DeliveryStatus.PENDING
    delivery.error = reason
    dispatch.deliver(delivery.pk, countdown=wait)
    return delivery


def deliveries_requeue(*, now: datetime.datetime | None = None) -> list[int]:
    """Send again what nobody will send otherwise: events never fanned out
    (the queue was down), deliveries due a while ago whose task was lost, and
    rows held by a worker that was killed. Sending twice is harmless: the
    claim lets one through."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.NOTIFY_SWEEP_SECONDS)
    events = list(
        Event.objects.filter(fanned_out_at__isnull=True, created_at__lt=now - grace).values_list(
            "pk", flat=True
        )[:500]
    )
    for event_id in events:
        dispatch.fan_out(event_id)
    due = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - grace)
            | Q(status=DeliveryStatus.SENDING, lease_until__lt=now),
            digest=False,
        ).values_list("pk", flat=True)[:2000]
    )
    for delivery_id in due:
        dispatch.deliver(delivery_id)
    return due


@transaction.atomic
def delivery_retry(*, delivery_id: int, user: Viewer) -> Delivery:
    """An admin sends a failed delivery again, with a fresh count of attempts."""
    if not is_admin(user):
        raise NotAllowed(_("Only admins can send a delivery again."))
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != DeliveryStatus.FAILED:
        return delivery
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: dispatch.deliver(delivery.pk))
    return delivery
