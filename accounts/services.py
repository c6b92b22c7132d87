"""Accounts: invitations, sign-up, preferences, and the audit log."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Invitation, User
from .policy import in_good_standing


class AccountError(Exception):
    def __init__(self, message: str | Promise) -> None:
        self.message = message
        super().__init__(str(message))


class InvitationInvalid(AccountError):
    pass


class AliasTaken(AccountError):
    pass


@transaction.atomic
def invitation_add(*, invitation: Invitation, by: User, scope: str = "") -> Invitation:
    """Save a new invitation with who made it, and record it in the audit log.

    Who may invite depends on the series (admins, and the hosts of a series
    that lets them), which accounts does not know: the desk's page goes
    through talk.services.invitation_create, which checks it, and the admin
    site lets in admins only. Here, what accounts knows: an account that
    cannot post cannot invite either. `scope` says where the right came from
    ("openllm-talk/8"), for the audit log.
    """
    if in_good_standing(by) is None:
        raise AccountError(_("A suspended account cannot invite."))
    invitation.created_by = by
    invitation.save()
    audit_record(
        actor=by,
        action="invitation.create",
        target=invitation,
        after=_invitation_terms(invitation),
        scope=scope,
    )
    return invitation


def _invitation_terms(invitation: Invitation) -> dict[str, Any]:
    return {
        "note": invitation.note,
        "max_uses": invitation.max_uses,
        # In UTC, whatever zone the form was filled in.
        "expires_at": invitation.expires_at.astimezone(datetime.UTC).isoformat(),
    }


NOT_VALID = _("This invitation link is not valid. Ask an admin for a new one.")
PROBLEMS = {
    Invitation.EXPIRED: _("This invitation has expired. Ask an admin for a new one."),
    Invitation.USED_UP: _("This invitation has already been used. Ask an admin for a new one."),
    Invitation.REVOKED: _("This invitation has been withdrawn. Ask an admin for a new one."),
}


def invitation_problem(invitation: Invitation | None) -> Promise | None:
    """Why an invitation cannot be used, in words; None when it can."""
    if invitation is None:
        return NOT_VALID
    problem = invitation.why_unusable()
    return PROBLEMS[problem] if problem else None


@transaction.atomic
def user_sign_up(*, token: str, alias: str, password: str, email: str = "") -> User:
    """Create an account through an invitation, using one of its uses.

    The use is taken with a conditional UPDATE, so a single-use link opened in
    two tabs creates one account, not two.
    """
    taken = Invitation.objects.usable().filter(token=token).update(uses=F("uses") + 1)
    if not taken:
        # None only if an admin widened it since the UPDATE refused it.
        problem = invitation_problem(Invitation.objects.filter(token=token).first())
        raise InvitationInvalid(problem or NOT_VALID)
    if User.objects.filter(alias__iexact=alias).exists():
        raise AliasTaken(_("That alias is taken. Choose another."))
    try:
        with transaction.atomic():
            user = User.objects.create_user(alias=alias, password=password, email=email)
    except IntegrityError:
        raise AliasTaken(_("That alias is taken. Choose another.")) from None
    invitation = Invitation.objects.get(token=token)
    audit_record(
        actor=user, action="account.sign_up", target=user, after={"invitation": invitation.pk}
    )
    return user


# A suspension "for good" ends at the last moment datetime can hold.
FOREVER = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


@transaction.atomic
def member_suspend(*, member: User, by: User, until: datetime.datetime | None, reason: str) -> User:
    """Suspend a member until `until` (None: for good). They keep reading;
    every write refuses them with the reason."""
    if not by.is_staff:
        raise AccountError(_("Only admins can suspend members."))
    if member.is_staff:
        raise AccountError(_("Admins cannot be suspended; take their admin rights first."))
    reason = reason.strip()
    if not reason:
        raise AccountError(_("Say why: the member will see it."))
    if until is not None and until <= timezone.now():
        raise AccountError(_("The end of a suspension has to be in the future."))
    member = User.objects.select_for_update().get(pk=member.pk)
    before = _suspension(member)
    member.suspended_until = until or FOREVER
    member.suspension_reason = reason
    member.save(update_fields=["suspended_until", "suspension_reason"])
    audit_record(
        actor=by,
        action="member.suspend",
        target=member,
        reason=reason,
        before=before,
        after=_suspension(member),
    )
    return member


@transaction.atomic
def member_reinstate(*, member: User, by: User) -> User:
    if not by.is_staff:
        raise AccountError(_("Only admins can lift a suspension."))
    member = User.objects.select_for_update().get(pk=member.pk)
    before = _suspension(member)
    member.suspended_until = None
    member.suspension_reason = ""
    member.save(update_fields=["suspended_until", "suspension_reason"])
    audit_record(
        actor=by, action="member.reinstate", target=member, before=before, after=_suspension(member)
    )
    return member


def _suspension(member: User) -> dict[str, Any]:
    until = member.suspended_until
    return {"until": until.isoformat() if until else None, "reason": member.suspension_reason}


def user_update_preferences(
    *, user: User, language: str, time_zone: str, email: str, public_profile: bool
) -> User:
    user.language = language
    user.time_zone = time_zone
    user.email = email
    user.public_profile = public_profile
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "time_zone", "email", "public_profile"])
    return user


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    scope: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        scope=scope,
        reason=reason,
        before=before or {},
        after=after or {},
    )
