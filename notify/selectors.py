"""Reading the inbox, the preferences, the bots and the failed deliveries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.models import User, Viewer
from talk.models import Issue, Series

from .compose import title
from .kinds import AUDIENCE, DEFAULTS, Audience, Kind
from .models import Bot, Delivery, DeliveryStatus, Notice, Preference


def unread_count(user: Viewer) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Entry:
    pk: int
    title: str
    url: str
    at: datetime
    read: bool


def inbox(user: User, *, limit: int = 50) -> list[Entry]:
    """The newest entries, in the active language (one query)."""
    notices = (
        Notice.objects.filter(recipient=user)
        .select_related("event")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Entry(
            pk=n.pk,
            title=title(n.event),
            url=n.event.summary.get("url", "/"),
            at=n.created_at,
            read=n.read_at is not None,
        )
        for n in notices
    ]


@dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    inbox: bool
    email: str


def preferences_of(user: User) -> list[Choice]:
    """Every kind the member can hear of, with what they chose (or the
    default). The stewards' kind only for who may be one."""
    chosen = {p.kind: p for p in Preference.objects.filter(user=user)}
    choices = []
    for kind in Kind:
        if AUDIENCE[kind] == Audience.STEWARDS and not user.is_staff and not _hosts(user):
            continue
        preference = chosen.get(kind)
        default = DEFAULTS[kind]
        choices.append(
            Choice(
                kind=kind,
                label=str(kind.label),
                inbox=preference.inbox if preference else default.inbox,
                email=preference.email if preference else default.email,
            )
        )
    return choices


def _hosts(user: User) -> bool:
    return Issue.objects.filter(Q(host=user) | Q(editor=user)).exists()


def series_bots(series: Series) -> list[Bot]:
    return list(Bot.objects.filter(series=series).order_by("name", "id"))


def failed_deliveries(*, limit: int = 50) -> list[Delivery]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("event__series", "event__issue__series", "recipient", "bot")
        .order_by("-created_at", "-id")[:limit]
    )
