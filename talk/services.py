"""Business rules for series and issues."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sections.errors import DeskError, NotAllowed
from sections.models import Section, SectionShape
from sections.policy import is_admin

from .models import Issue, Series


class IssueExists(DeskError):
    status = 409


@transaction.atomic
def issue_create(
    *,
    series: Series,
    by,
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
    if Issue.objects.filter(series=series, code=code).exists():
        raise IssueExists(
            _("%(series)s already has an issue %(code)s.") % {"series": series.name, "code": code}
        )
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
