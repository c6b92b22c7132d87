"""How a member hears of each kind of event, and the one-click way out."""

from django.core import signing
from django.db import transaction

from accounts.models import User, Viewer
from sections.policy import require_account

from ..kinds import DEFAULTS, Email, Kind
from ..mail import ALL_KINDS, read_unsubscribe_token
from ..models import Preference


@transaction.atomic
def preferences_save(*, user: Viewer, choices: dict[str, tuple[bool, str]]) -> None:
    """`choices` maps a kind to (inbox, email); a choice equal to the
    default keeps no row, so a later change of the defaults reaches them."""
    member = require_account(user)
    for kind, (inbox, email) in choices.items():
        default = DEFAULTS[Kind(kind)]
        if (inbox, Email(email)) == (default.inbox, default.email):
            Preference.objects.filter(user=member, kind=kind).delete()
        else:
            Preference.objects.update_or_create(
                user=member, kind=kind, defaults={"inbox": inbox, "email": email}
            )


class BadToken(Exception):
    pass


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, list[str]]:
    """Stop the mail the signed link names (one kind, or all for a digest's
    link); the member and the kinds stopped. The token is the authority: a
    mail client posts it without a session (RFC 8058)."""
    try:
        user_id, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        raise BadToken from None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadToken
    kinds = list(Kind) if kind == ALL_KINDS else [Kind(kind)]
    for each in kinds:
        inbox = DEFAULTS[each].inbox
        found = Preference.objects.filter(user=user, kind=each).first()
        if found is not None:
            inbox = found.inbox
        Preference.objects.update_or_create(
            user=user, kind=each, defaults={"inbox": inbox, "email": Email.NEVER}
        )
    return user, [str(k) for k in kinds]
