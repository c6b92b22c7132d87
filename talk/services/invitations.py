"""Invitations handed out and revoked in the desk. Who may invite reads
series and issues (talk.policy), so the services of the desk's invitations
page live here; accounts keeps the invitation itself, what makes one usable,
and who may revoke one (accounts.policy)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Viewer
from accounts.policy import in_good_standing, may_revoke_invitation
from accounts.services import AccountError, audit_record, invitation_add
from sections.errors import Gone, Invalid, NotAllowed

from ..policy import require_invite_right

# What the form offers; an admin may choose another day, within the longest.
INVITATION_VALID_FOR = datetime.timedelta(days=7)
INVITATION_LONGEST = datetime.timedelta(days=90)
INVITATION_MAX_USES = 100


class BadExpiry(Invalid):
    """The expiry is refused (its words say why): the form shows it there."""


@transaction.atomic
def invitation_create(
    *, by: Viewer, expires_at: datetime.datetime, max_uses: int = 1, note: str = ""
) -> Invitation:
    """A new sign-up link, recorded in the audit log with where the right to
    invite came from (an admin, or the open issue its host runs)."""
    right = require_invite_right(by)
    now = timezone.now()
    if expires_at <= now:
        raise BadExpiry(_("An invitation has to expire in the future."))
    if expires_at > now + INVITATION_LONGEST:
        raise BadExpiry(
            _("An invitation can last %(days)s days at most.") % {"days": INVITATION_LONGEST.days}
        )
    if not 1 <= max_uses <= INVITATION_MAX_USES:
        raise Invalid(
            _("An invitation signs up between 1 and %(most)s people.")
            % {"most": INVITATION_MAX_USES}
        )
    invitation = Invitation(note=note.strip(), max_uses=max_uses, expires_at=expires_at)
    try:
        return invitation_add(invitation=invitation, by=right.inviter, scope=right.scope)
    except AccountError as error:
        raise NotAllowed(error.message) from None


@transaction.atomic
def invitation_revoke(*, invitation_id: int, by: Viewer) -> Invitation:
    """Withdraw an invitation: its link signs nobody up any more. Revoking
    one already revoked changes nothing (a second click, two admins)."""
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise Gone()
    member = in_good_standing(by)
    if member is None or not may_revoke_invitation(member, invitation):
        raise NotAllowed(_("Only admins and whoever made an invitation can revoke it."))
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=member,
        action="invitation.revoke",
        target=invitation,
        before={"revoked_at": None},
        after={"revoked_at": invitation.revoked_at.isoformat()},
    )
    return invitation
