"""Who may do what where the answer reads series and issues: policy that
sections.policy cannot hold, since sections never imports talk."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer
from accounts.policy import in_good_standing
from sections.errors import NotAllowed

from .models import Issue
from .selectors import OPEN_STATUSES


@dataclass(frozen=True)
class InviteRight:
    """Someone who may invite, and where the right comes from: "" for an
    admin, else the open issue they host ("openllm-talk/8"), for the audit
    log."""

    inviter: User
    scope: str


def _hosted_inviting_issue(user: User) -> Issue | None:
    """An open (draft or live) issue that `user` hosts or edits, in a series
    that lets its hosts invite (Series.hosts_invite)."""
    return (
        Issue.objects.filter(
            Q(host=user) | Q(editor=user),
            status__in=OPEN_STATUSES,
            series__hosts_invite=True,
        )
        .select_related("series")
        .order_by("-created_at")
        .first()
    )


def invite_right(user: Viewer) -> InviteRight | None:
    """Admins may always invite; the host and editor of an open issue may
    while its series lets them. None for everyone else."""
    member = in_good_standing(user)
    if member is None:
        return None
    if member.is_staff:
        return InviteRight(inviter=member, scope="")
    issue = _hosted_inviting_issue(member)
    if issue is None:
        return None
    return InviteRight(inviter=member, scope=f"{issue.series.slug}/{issue.code}")


def may_invite(user: Viewer) -> bool:
    return invite_right(user) is not None


def may_invite_from(user: Viewer, issue: Issue) -> bool:
    """`may_invite`, answered from the issue in hand (no query): the host's
    desk offers invitations to those whom this very issue lets invite."""
    member = in_good_standing(user)
    if member is None:
        return False
    if member.is_staff:
        return True
    return (
        issue.series.hosts_invite and issue.status in OPEN_STATUSES and issue.is_hosted_by(member)
    )


def require_invite_right(user: Viewer) -> InviteRight:
    right = invite_right(user)
    if right is None:
        raise NotAllowed(
            _(
                "Only admins can invite, and the host and editor of an open issue "
                "when the series lets them."
            )
        )
    return right


def require_admin(user: Viewer) -> User:
    """Refuse whoever is not an admin; the same user back, typed."""
    member = in_good_standing(user)
    if member is None or not member.is_staff:
        raise NotAllowed(_("Only admins can change a series' settings."))
    return member
