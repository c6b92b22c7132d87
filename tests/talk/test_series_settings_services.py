"""A series' settings, holidays and section templates, changed by admins:
each change one call, refused to anyone else, written to the audit log
with the values before and after of what changed."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from sections.errors import Gone, Invalid, NotAllowed
from talk import services
from talk.models import Holiday, SectionTemplate, Series

pytestmark = pytest.mark.usefixtures("english")

REFUSED = "Only admins can change a series' settings."


def fresh(series) -> Series:
    return Series.objects.get(pk=series.pk)


def keys(series) -> list[str]:
    return list(series.templates.order_by("position", "id").values_list("key", flat=True))


def in_days(series, days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# Settings


def test_it_records_a_change_of_the_moderation_mode(admin_user, series):
    services.series_settings_save(series_id=series.pk, by=admin_user, changes={"moderation": "pre"})

    assert fresh(series).moderation == "pre"
    event = AuditEvent.objects.get(action="series.settings")
    assert event.actor == admin_user
    assert (event.target_type, event.target_id) == ("talk.series", str(series.pk))
    assert event.scope == "openllm-talk"
    assert event.before == {"moderation": "post"}
    assert event.after == {"moderation": "pre"}


def test_it_records_only_what_changed(admin_user, series):
    services.series_settings_save(
        series_id=series.pk,
        by=admin_user,
        changes={
            "moderation": "post",  # as it was
            "meeting_time": datetime.time(20, 30),
            "questions_per_minute": 3,
            "hosts_invite": True,
        },
    )

    event = AuditEvent.objects.get()
    assert event.before == {
        "meeting_time": "21:00:00",
        "questions_per_minute": 5,
        "hosts_invite": False,
    }
    assert event.after == {
        "meeting_time": "20:30:00",
        "questions_per_minute": 3,
        "hosts_invite": True,
    }


def test_it_writes_nothing_when_nothing_changed(admin_user, series):
    services.series_settings_save(
        series_id=series.pk, by=admin_user, changes={"moderation": "post"}
    )

    assert not AuditEvent.objects.exists()


def test_it_keeps_a_setting_it_was_not_given(admin_user, series):
    # Another admin switched guests on meanwhile; this change is the reminders only.
    Series.objects.filter(pk=series.pk).update(guest_questions=True)

    services.series_settings_save(series_id=series.pk, by=admin_user, changes={"reminders": "60"})

    assert (fresh(series).reminders, fresh(series).guest_questions) == ("60", True)


@pytest.mark.parametrize("role", ["anonymous", "author", "owner", "host"])
def test_it_refuses_whoever_is_not_an_admin(who, series, role):
    with pytest.raises(NotAllowed) as refused:
        services.series_settings_save(
            series_id=series.pk, by=who(role), changes={"moderation": "pre"}
        )

    assert str(refused.value.message) == REFUSED
    assert fresh(series).moderation == "post"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reminders": "soon"}, "reminders", "Write minutes as whole numbers separated by commas."),
        ({"meeting_time_zone": "Mars/Olympus"}, "meeting_time_zone", "not a known time zone"),
        ({"moderation": "never"}, "moderation", "is not a valid choice"),
        ({"questions_per_minute": 0}, "questions_per_minute", "greater than or equal to 1"),
        ({"slug": "taken-over"}, None, "These are not settings: slug."),
    ],
)
def test_it_refuses_a_value_the_series_cannot_hold(admin_user, series, changes, field, message):
    with pytest.raises(services.SettingInvalid) as refused:
        services.series_settings_save(series_id=series.pk, by=admin_user, changes=changes)

    assert refused.value.field == field
    assert message in str(refused.value.message)
    assert fresh(series).slug == "openllm-talk"
    assert not AuditEvent.objects.exists()


# Holidays


def test_it_adds_a_holiday(admin_user, series):
    day = in_days(series, 10)

    holiday = services.holiday_add(series_id=series.pk, by=admin_user, date=day, note=" 国庆 ")

    assert (holiday.series, holiday.date, holiday.note) == (series, day, "国庆")
    event = AuditEvent.objects.get(action="holiday.add")
    assert (event.actor, event.scope) == (admin_user, "openllm-talk")
    assert event.after == {"date": day.isoformat(), "note": "国庆"}


def test_it_refuses_a_day_already_a_holiday(admin_user, series):
    day = in_days(series, 10)
    services.holiday_add(series_id=series.pk, by=admin_user, date=day)

    with pytest.raises(services.SettingInvalid) as refused:
        services.holiday_add(series_id=series.pk, by=admin_user, date=day)

    assert refused.value.field == "date"
    assert str(refused.value.message) == f"{day.isoformat()} is already a holiday."
    assert Holiday.objects.count() == 1


def test_it_refuses_a_day_that_has_passed(admin_user, series):
    with pytest.raises(services.SettingInvalid) as refused:
        services.holiday_add(series_id=series.pk, by=admin_user, date=in_days(series, -1))

    assert str(refused.value.message) == "That day has passed: a holiday there moves nothing."
    assert not Holiday.objects.exists()


def test_it_removes_a_holiday(admin_user, series):
    holiday = Holiday.objects.create(series=series, date=in_days(series, 3), note="节日")

    services.holiday_remove(holiday_id=holiday.pk, by=admin_user)

    assert not Holiday.objects.exists()
    event = AuditEvent.objects.get(action="holiday.remove")
    assert event.before == {"date": holiday.date.isoformat(), "note": "节日"}
    assert event.target_id == str(holiday.pk)


def test_it_says_a_holiday_removed_meanwhile_is_gone(admin_user, series):
    with pytest.raises(Gone):
        services.holiday_remove(holiday_id=12345, by=admin_user)


@pytest.mark.parametrize("role", ["anonymous", "author", "host"])
def test_it_leaves_holidays_to_admins(who, series, role):
    holiday = Holiday.objects.create(series=series, date=in_days(series, 3))

    with pytest.raises(NotAllowed):
        services.holiday_add(series_id=series.pk, by=who(role), date=in_days(series, 4))
    with pytest.raises(NotAllowed):
        services.holiday_remove(holiday_id=holiday.pk, by=who(role))

    assert list(Holiday.objects.all()) == [holiday]


# Section templates


def test_it_changes_a_templates_budget_and_owner_cap(admin_user, series):
    news = series.templates.get(key="news")

    services.section_template_save(
        template_id=news.pk, by=admin_user, time_budget_minutes=None, owner_cap=1
    )

    news.refresh_from_db()
    assert (news.time_budget_minutes, news.owner_cap) == (None, 1)
    event = AuditEvent.objects.get(action="section_template.change")
    assert event.target_id == str(news.pk)
    assert event.before == {"time_budget_minutes": 10, "owner_cap": 2}
    assert event.after == {"time_budget_minutes": None, "owner_cap": 1}


def test_it_refuses_more_owners_than_a_section_can_have(admin_user, series):
    news = series.templates.get(key="news")

    with pytest.raises(services.SettingInvalid):
        services.section_template_save(
            template_id=news.pk, by=admin_user, time_budget_minutes=10, owner_cap=3
        )

    news.refresh_from_db()
    assert news.owner_cap == 2


def test_it_leaves_open_issues_their_sections(admin_user, series, issue):
    news = series.templates.get(key="news")

    services.section_template_save(
        template_id=news.pk, by=admin_user, time_budget_minutes=25, owner_cap=2
    )

    assert issue.sections.get(key="news").time_budget_minutes == 10
    opened = services.issue_create(series=series, by=None, number=9)
    assert opened.sections.get(key="news").time_budget_minutes == 25


def test_it_moves_a_template_up_and_down(admin_user, series):
    before = keys(series)
    second = series.templates.get(key=before[1])

    services.section_template_move(template_id=second.pk, by=admin_user, step=-1)

    after = [before[1], before[0], *before[2:]]
    assert keys(series) == after
    event = AuditEvent.objects.get(action="section_templates.reorder")
    assert (event.target_type, event.target_id) == ("talk.series", str(series.pk))
    assert event.before == {"order": before}
    assert event.after == {"order": after}

    services.section_template_move(template_id=second.pk, by=admin_user, step=1)
    assert keys(series) == before


def test_it_numbers_the_positions_again_when_they_repeat(admin_user, series):
    SectionTemplate.objects.filter(series=series).update(position=0)
    before = keys(series)
    last = series.templates.get(key=before[-1])

    services.section_template_move(template_id=last.pk, by=admin_user, step=-1)

    positions = list(series.templates.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(before)))
    assert keys(series) == [*before[:-2], before[-1], before[-2]]


def test_it_moves_nothing_past_either_end(admin_user, series):
    before = keys(series)
    first = series.templates.get(key=before[0])

    services.section_template_move(template_id=first.pk, by=admin_user, step=-1)

    assert keys(series) == before
    assert not AuditEvent.objects.exists()


def test_it_moves_one_place_at_a_time(admin_user, series):
    with pytest.raises(Invalid):
        services.section_template_move(
            template_id=series.templates.first().pk, by=admin_user, step=3
        )


@pytest.mark.parametrize("role", ["anonymous", "author", "host"])
def test_it_leaves_templates_to_admins(who, series, role):
    before = keys(series)
    news = series.templates.get(key="news")

    with pytest.raises(NotAllowed):
        services.section_template_save(
            template_id=news.pk, by=who(role), time_budget_minutes=1, owner_cap=0
        )
    with pytest.raises(NotAllowed):
        services.section_template_move(template_id=news.pk, by=who(role), step=1)

    news.refresh_from_db()
    assert (news.time_budget_minutes, news.owner_cap, keys(series)) == (10, 2, before)
