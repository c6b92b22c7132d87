"""From one outbox row to the inbox entries and deliveries it makes."""

from django.db import transaction
from django.utils import timezone

from sections import events
from talk.live.publish import publish_user

from .. import audience, dispatch
from ..compose import summarize
from ..kinds import Email
from ..models import Channel, Delivery, Event, Notice


def event_fan_out(*, event_id: int) -> list[Delivery]:
    """Write the event's notices and deliveries, once: a second run (a task
    delivered twice, the sweep) finds it done and changes nothing."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("series", "issue__series", "actor")
            .filter(pk=event_id, fanned_out_at__isnull=True)
            .first()
        )
        if event is None:
            return []
        event.summary = summarize(event)
        people = audience.recipients(event)
        Notice.objects.bulk_create(
            [Notice(event=event, recipient=r.user) for r in people if r.inbox]
        )
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    event=event,
                    channel=Channel.EMAIL,
                    recipient=r.user,
                    digest=r.email == Email.DIGEST,
                )
                for r in people
                if r.email != Email.NEVER
            ]
            + [Delivery(event=event, channel=Channel.BOT, bot=bot) for bot in audience.bots(event)]
        )
        event.fanned_out_at = timezone.now()
        event.save(update_fields=["summary", "fanned_out_at"])
        told = [r.user.pk for r in people if r.inbox]
        now = [d.pk for d in deliveries if not d.digest]
        transaction.on_commit(lambda: _after(told, now))
    return deliveries


def _after(told: list[int], deliveries: list[int]) -> None:
    for user_id in told:
        inbox_changed(user_id)
    for delivery_id in deliveries:
        dispatch.deliver(delivery_id)


def inbox_changed(user_id: int) -> None:
    """Tell the member's open pages their unread count changed (they fetch
    it again; the event carries no entry)."""
    publish_user(user_id, {"kind": events.INBOX})
