"""Who may do what. Services call these; templates only mirror them."""

from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer
from accounts.services import FOREVER

from .errors import IssueClosed, NotAllowed
from .models import Answer, Attributed, Question, Section

if TYPE_CHECKING:
    from talk.models import Issue


def is_admin(user: Viewer) -> bool:
    return user.is_authenticated and user.is_staff


def require_member(user: Viewer) -> User:
    """Refuse whoever may not write; the same user back, typed as a member."""
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("Log in to contribute."))
    if user.is_suspended:
        raise NotAllowed(suspension_notice(user))
    return user


def require_account(user: Viewer) -> User:
    """Refuse whoever is not logged in. A suspended member may still read and
    choose what they are told (their inbox, their notification settings):
    the suspension stops posting, not reading."""
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("Log in first."))
    return user


def suspension_notice(user: User) -> str:
    """What a suspended member is told when they try to post."""
    if _for_good(user):
        notice = _("Your account is suspended: you can read but not post. Reason: %(reason)s")
    else:
        notice = _(
            "Your account is suspended until %(until)s: you can read but not post. "
            "Reason: %(reason)s"
        )
    return notice % _suspension_terms(user)


def suspension_status(user: User) -> str:
    """The same, as the admin who suspended them reads it."""
    if _for_good(user):
        status = _("%(alias)s is suspended for good. Reason: %(reason)s")
    else:
        status = _("%(alias)s is suspended until %(until)s. Reason: %(reason)s")
    return status % _suspension_terms(user)


def _for_good(user: User) -> bool:
    return user.suspended_until is not None and user.suspended_until >= FOREVER


def _suspension_terms(user: User) -> dict[str, str]:
    until = timezone.localtime(user.suspended_until).strftime("%Y-%m-%d %H:%M")
    return {"alias": user.alias, "until": until, "reason": user.suspension_reason}


def require_open(issue: "Issue", user: Viewer) -> None:
    """Refuse a write to an issue that no longer takes it.

    Called inside the write's transaction. On PostgreSQL the issue's status is
    read again under a shared row lock: writes do not wait for each other, but
    a freeze (which locks the row for update) waits for the writes in flight,
    and a write after it sees the frozen status, so nothing lands in a frozen
    issue that its snapshot missed. SQLite serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT status, correcting FROM {issue._meta.db_table} WHERE id = %s FOR SHARE",
                [issue.pk],
            )
            issue.status, issue.correcting = cursor.fetchone()
    if not issue.accepts_content_from(user):
        raise IssueClosed()


def guests_may_ask(issue: "Issue") -> bool:
    """Visitors without an account may ask and vote (Slido's join link): the
    issue's own switch, else its series'; off unless a steward allows it,
    and only while the issue is open (a correction takes no guests)."""
    allowed = issue.guest_questions
    if allowed is None:
        allowed = issue.series.guest_questions
    return bool(allowed) and issue.status in ("draft", "live")


def may_contribute(user: Viewer, issue: "Issue") -> bool:
    """The user may add to or change the issue's content now: a member in
    good standing, on an issue that takes content from them. The services
    refuse the same writes through require_member and require_open; the page
    offers no button they would refuse."""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and issue.accepts_content_from(user)
    )


def owns_section(user: Viewer, section: Section) -> bool:
    # Callers usually hold the prefetched claims; .all() reuses them.
    return user.is_authenticated and any(c.member_id == user.pk for c in section.claims.all())


def can_curate_issue(user: Viewer, issue: "Issue") -> bool:
    """The issue's stewards: its host, its editor and the admins. They curate
    every section of it and run it: its lifecycle, the meeting, its exports,
    the issue after it."""
    return is_admin(user) or issue.is_hosted_by(user)


def require_steward(user: Viewer | None, issue: "Issue") -> User | None:
    """Refuse whoever is not a steward of the issue (`can_curate_issue`);
    `user` None is the system itself (commands, the schedule). The same user
    back, typed as a member (or None)."""
    if user is None:
        return None
    member = require_member(user)
    if not can_curate_issue(member, issue):
        raise NotAllowed(_("Only the host, the editor and admins can do that."))
    return member


def can_curate_section(user: Viewer, section: Section) -> bool:
    return can_curate_issue(user, section.issue) or owns_section(user, section)


def is_own(user: Viewer, post: Attributed) -> bool:
    """The post was typed by the user or is attributed to them."""
    return user.is_authenticated and user.pk in (post.submitted_by_id, post.author_id)


def may_report(user: Viewer, post: Question | Answer) -> bool:
    """Any member may report a shown post, but not one they typed: they can
    edit or delete it themselves."""
    return (
        user.is_authenticated
        and not user.is_suspended
        and post.status == "visible"
        and post.submitted_by_id != user.pk
    )


def may_dismiss_report(user: Viewer, post: Question | Answer) -> bool:
    """A moderator dismisses reports, but not about their own words: the
    host's own post is for an admin to judge."""
    return is_admin(user) or not is_own(user, post)


def can_edit_post(user: Viewer, post: Attributed, section: Section) -> bool:
    """Items, questions and answers: their author, or who curates the section."""
    return is_own(user, post) or (user.is_authenticated and can_curate_section(user, section))


def can_see_history(user: Viewer, post: Attributed, section: Section) -> bool:
    """A post's edit history keeps words it no longer says: its author (and
    whoever typed it) and the section's curators read it, not the room."""
    return is_own(user, post) or can_curate_section(user, section)
