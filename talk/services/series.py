"""A series' settings, holidays and section templates, changed by admins on
the desk's settings page. Each change is one call that writes one audit
event with the values before and after, of what changed only."""

import datetime
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from accounts.services import audit_record
from sections.errors import Gone, Invalid

from ..models import Holiday, SectionTemplate, Series
from ..policy import require_admin

# What the settings page changes; the preface, the rules' text and the rest
# stay in the admin site.
SETTINGS = (
    "moderation",
    "questions_per_minute",
    "answers_per_minute",
    "reports_per_minute",
    "reminders",
    "meeting_weekday",
    "meeting_time",
    "meeting_time_zone",
    "hosts_invite",
    "guest_questions",
)
TEMPLATE_FIELDS = ("time_budget_minutes", "owner_cap")


class SettingInvalid(Invalid):
    """A value refused, and the field it was typed in (None: the form)."""

    def __init__(self, field: str | None, message: str | Promise) -> None:
        self.field = field
        super().__init__(message)


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON holds it."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _differences(row: Any, changes: Mapping[str, Any]) -> tuple[dict, dict]:
    """Before and after of the fields `changes` would really change."""
    changed = {name: value for name, value in changes.items() if getattr(row, name) != value}
    before = {name: _plain(getattr(row, name)) for name in changed}
    return before, {name: _plain(value) for name, value in changed.items()}


def _validated(row: Any, fields: list[str]) -> None:
    """The model's own rules (validators, choices, constraints) on `fields`;
    the first broken one as a refusal on its field."""
    others = [f.name for f in row._meta.fields if f.name not in fields]
    try:
        row.full_clean(exclude=others, validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise SettingInvalid(None if field == "__all__" else field, messages[0]) from None


@transaction.atomic
def series_settings_save(*, series_id: int, by: Viewer, changes: Mapping[str, Any]) -> Series:
    """Change some of a series' SETTINGS. Only the fields named in `changes`
    are written: the page sends what the admin changed, so two admins
    changing different settings at once do not undo each other."""
    admin = require_admin(by)
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise SettingInvalid(None, _("These are not settings: %(names)s.") % {"names": names})
    series = Series.objects.select_for_update().get(pk=series_id)
    before, after = _differences(series, changes)
    if not after:
        return series
    for name in after:
        setattr(series, name, changes[name])
    _validated(series, list(after))
    series.save(update_fields=list(after))
    audit_record(
        actor=admin,
        action="series.settings",
        target=series,
        before=before,
        after=after,
        scope=series.slug,
    )
    return series


@transaction.atomic
def holiday_add(*, series_id: int, by: Viewer, date: datetime.date, note: str = "") -> Holiday:
    """A day the series does not meet: the schedule moves that meeting a
    week on. Issues already given that day keep it (their host moves them)."""
    admin = require_admin(by)
    series = Series.objects.get(pk=series_id)
    if date < timezone.localdate(timezone=zoneinfo.ZoneInfo(series.meeting_time_zone)):
        raise SettingInvalid("date", _("That day has passed: a holiday there moves nothing."))
    holiday = Holiday(series=series, date=date, note=note.strip())
    _validated(holiday, ["date", "note"])
    try:
        with transaction.atomic():
            holiday.save()
    except IntegrityError:
        raise SettingInvalid(
            "date", _("%(date)s is already a holiday.") % {"date": date.isoformat()}
        ) from None
    audit_record(
        actor=admin,
        action="holiday.add",
        target=holiday,
        after={"date": date.isoformat(), "note": holiday.note},
        scope=series.slug,
    )
    return holiday


@transaction.atomic
def holiday_remove(*, holiday_id: int, by: Viewer) -> Holiday:
    """The series meets on that day again. Removing one already removed is
    refused with words (someone else did it meanwhile)."""
    admin = require_admin(by)
    holidays = Holiday.objects.select_for_update(of=("self",)).select_related("series")
    found = holidays.filter(pk=holiday_id).first()
    if found is None:
        raise Gone()
    audit_record(
        actor=admin,
        action="holiday.remove",
        target=found,
        before={"date": found.date.isoformat(), "note": found.note},
        scope=found.series.slug,
    )
    found.delete()
    return found


@transaction.atomic
def section_template_save(
    *, template_id: int, by: Viewer, time_budget_minutes: int | None, owner_cap: int
) -> SectionTemplate:
    """A template's time budget (None: no limit) and owner cap. Issues opened
    from now on copy it; the ones already open keep their sections."""
    admin = require_admin(by)
    templates = SectionTemplate.objects.select_for_update(of=("self",)).select_related("series")
    found = templates.filter(pk=template_id).first()
    if found is None:
        raise Gone()
    changes = {"time_budget_minutes": time_budget_minutes, "owner_cap": owner_cap}
    before, after = _differences(found, changes)
    if not after:
        return found
    for name in after:
        setattr(found, name, changes[name])
    _validated(found, list(after))
    found.save(update_fields=list(after))
    audit_record(
        actor=admin,
        action="section_template.change",
        target=found,
        before=before,
        after=after,
        scope=found.series.slug,
    )
    return found


@transaction.atomic
def section_template_move(*, template_id: int, by: Viewer, step: int) -> list[SectionTemplate]:
    """Move a template one place up (`step` -1) or down (+1) among its
    series' templates; the series' templates in their new order. The
    templates are locked first, so two admins moving at once move in turn."""
    admin = require_admin(by)
    if step not in (-1, 1):
        raise Invalid(_("A template moves one place up or down."))
    moved = SectionTemplate.objects.select_related("series").filter(pk=template_id).first()
    if moved is None:
        raise Gone()
    series = moved.series
    templates = list(series.templates.select_for_update().order_by("position", "id"))
    keys = [t.key for t in templates]
    at = next(i for i, t in enumerate(templates) if t.pk == template_id)
    to = at + step
    if not 0 <= to < len(templates):
        return templates
    templates[at], templates[to] = templates[to], templates[at]
    # Numbered again from 0: positions typed in the admin site may repeat.
    for position, template in enumerate(templates):
        template.position = position
    SectionTemplate.objects.bulk_update(templates, ["position"])
    audit_record(
        actor=admin,
        action="section_templates.reorder",
        target=series,
        before={"order": keys},
        after={"order": [t.key for t in templates]},
        scope=series.slug,
    )
    return templates
