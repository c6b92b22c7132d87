"""Opening an issue, and its host and editor roles."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from sections import events
from sections.errors import DeskError, Invalid, NotAllowed, RoleTaken
from sections.models import Section, SectionShape
from sections.policy import is_admin, require_member, require_open

from ..models import Issue, Series


class IssueExists(DeskError):
    status = 409


@transaction.atomic
def issue_create(
    *,
    series: Series,
    by: Viewer | None,
    number: int | None = None,
    special_label: str = "",
    code: str = "",
    meeting_at: datetime.datetime | None = None,
) -> Issue:
    """Create an issue with its sections copied from the series' templates.

    `by` is None only for system callers (demo data, import, the schedule).
    """
    if by is not None and not is_admin(by):
        raise NotAllowed(_("Only admins can open an issue."))
    code = str(number) if number is not None else code
    require_new_code(series, code)
    issue = Issue.objects.create(
        series=series,
        number=number,
        code=code,
        special_label=special_label,
        meeting_at=meeting_at,
    )
    Section.objects.bulk_create(
        Section(issue=issue, template=template, **SectionShape.shape_of(template))
        for template in series.templates.all()
    )
    return issue


def require_new_code(series: Series, code: str) -> None:
    """Refuse an identifier the series already has (the admin's form asks
    before it saves; the unique constraint holds in any case)."""
    if Issue.objects.filter(series=series, code=code).exists():
        raise IssueExists(
            _("%(series)s already has an issue %(code)s.") % {"series": series.name, "code": code}
        )


ROLES = {"host": _("host"), "editor": _("editor")}


@transaction.atomic
def issue_role_claim(*, issue_id: int, user: Viewer, role: str) -> Issue:
    """Take the host or editor role of an issue if nobody holds it.

    A conditional UPDATE: of two members clicking at once, one gets the role
    and the other is told who has it.
    """
    user = require_member(user)
    # Locked for update before require_open takes its shared lock: two
    # claimers sharing the row and then both updating it would deadlock.
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    taken = Issue.objects.filter(
        pk=issue_id, **{f"{role}__isnull": True, f"{role}_name": ""}
    ).update(**{role: user})
    issue = Issue.objects.select_related("host", "editor").get(pk=issue_id)
    events.announce(issue_id, events.ISSUE)
    if not taken and getattr(issue, f"{role}_id") != user.pk:
        holder = issue.host_display if role == "host" else issue.editor_display
        raise RoleTaken(
            _("%(holder)s is already the %(role)s of this issue.")
            % {"holder": holder, "role": ROLES[role]}
        )
    return issue


@transaction.atomic
def issue_role_release(*, issue_id: int, user: Viewer, role: str) -> Issue:
    user = require_member(user)
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    if getattr(issue, f"{role}_id") != user.pk and not is_admin(user):
        raise NotAllowed(_("Only whoever holds the role, or an admin, can give it up."))
    Issue.objects.filter(pk=issue_id).update(**{role: None, f"{role}_name": ""})
    events.announce(issue_id, events.ISSUE)
    return Issue.objects.select_related("host", "editor").get(pk=issue_id)
