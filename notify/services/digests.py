"""The daily digest: each member's waiting mail in one message.

Rows wait with digest=True. The job takes a member's rows under a lease (so
two runs, or a run and a rerun after a kill, never send them both), sends
one mail, and marks them sent; a failure puts them back for the next run.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User

from .. import mail
from ..compose import compose
from ..message import DeliveryError, Message
from ..models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


def _waiting(now: datetime.datetime) -> Q:
    return Q(digest=True) & (
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    )


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send every member's digest; the number of mails sent."""
    now = now or timezone.now()
    members = (
        Delivery.objects.filter(_waiting(now)).values_list("recipient_id", flat=True).distinct()
    )
    sent = 0
    for user_id in list(members):
        sent += digest_send(user_id=user_id, now=now)
    return sent


def digest_send(*, user_id: int, now: datetime.datetime) -> int:
    lease_until = now + datetime.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_waiting(now), recipient_id=user_id)
            .order_by("created_at", "id")
        )
        if not rows:
            return 0
        Delivery.objects.filter(pk__in=[d.pk for d in rows]).update(
            status=DeliveryStatus.SENDING, lease_until=lease_until, attempts=F("attempts") + 1
        )
    user = User.objects.get(pk=user_id)
    rows = list(
        Delivery.objects.filter(pk__in=[d.pk for d in rows]).select_related(
            "event__series", "event__issue__series", "event__actor"
        )
    )
    messages: list[Message] = []
    told: list[int] = []
    skipped: list[int] = []
    for delivery in rows:
        message = compose(delivery.event, user, key=f"delivery-{delivery.pk}")
        (told if message else skipped).append(delivery.pk)
        if message:
            messages.append(message)
    Delivery.objects.filter(pk__in=skipped).update(
        status=DeliveryStatus.SKIPPED, lease_until=None, result="nothing left to tell"
    )
    if not messages:
        return 0
    try:
        result = mail.send(
            user, messages, kind=mail.ALL_KINDS, message_id=f"desk.digest-{told[0]}-{len(told)}"
        )
    except DeliveryError as error:
        logger.warning("The digest for member %s waits for the next run: %s", user_id, error)
        Delivery.objects.filter(pk__in=told).update(
            status=DeliveryStatus.PENDING, lease_until=None, error=str(error)
        )
        return 0
    Delivery.objects.filter(pk__in=told).update(
        status=DeliveryStatus.SENT, lease_until=None, sent_at=timezone.now(), result=result
    )
    return 1
