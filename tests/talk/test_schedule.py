"""When the next meeting is: the series' weekday and time in its own zone,
a week on for each holiday in the way; and the beat that opens it."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from talk import services
from talk.celery import app
from talk.models import Holiday, Issue, JobRun
from talk.schedule import meeting_after, next_meeting
from talk.services import issue_create
from talk.tasks import open_next_issues

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def at(*args, zone=SHANGHAI) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zone)


# 2023-06-10 was a Saturday (OpenLLM Talk 000 met that evening at 21:00).


def test_it_finds_the_coming_saturday_evening(series):
    meeting = next_meeting(series, at(2023, 6, 7, 12, 0))

    assert meeting == at(2023, 6, 10, 21, 0)
    assert meeting.tzinfo.key == "Asia/Shanghai"


def test_it_moves_on_a_week_once_the_meeting_has_begun(series):
    assert next_meeting(series, at(2023, 6, 10, 21, 0)) == at(2023, 6, 17, 21, 0)


def test_it_skips_a_holiday(series):
    meeting = next_meeting(series, at(2023, 6, 7, 12, 0), holidays={datetime.date(2023, 6, 10)})

    assert meeting == at(2023, 6, 17, 21, 0)


def test_it_skips_two_holidays_in_a_row(series):
    holidays = {datetime.date(2023, 6, 10), datetime.date(2023, 6, 17)}

    assert next_meeting(series, at(2023, 6, 7, 12, 0), holidays) == at(2023, 6, 24, 21, 0)


def test_it_ignores_holidays_on_other_days(series):
    holidays = {datetime.date(2023, 6, 9), datetime.date(2023, 6, 11), datetime.date(2023, 6, 3)}

    assert next_meeting(series, at(2023, 6, 7, 12, 0), holidays) == at(2023, 6, 10, 21, 0)


def test_it_counts_the_week_in_shanghai_when_the_server_is_on_utc(series, settings):
    settings.TIME_ZONE = "UTC"
    # Friday 18:00 in UTC is already Saturday 02:00 in Shanghai: tonight.
    friday_in_utc = at(2023, 6, 9, 18, 0, zone=UTC)
    # Saturday 13:30 in UTC is 21:30 in Shanghai: the meeting has begun.
    saturday_in_utc = at(2023, 6, 10, 13, 30, zone=UTC)

    assert next_meeting(series, friday_in_utc) == at(2023, 6, 10, 21, 0)
    assert next_meeting(series, friday_in_utc) == at(2023, 6, 10, 13, 0, zone=UTC)
    assert next_meeting(series, saturday_in_utc) == at(2023, 6, 17, 21, 0)


def test_it_reads_the_holiday_as_a_date_in_the_series_zone(series):
    # Saturday 07:00 in Shanghai is Friday 23:00 in UTC: a holiday is the
    # Saturday the members meet on, whatever day it is in UTC.
    series.meeting_time = datetime.time(7, 0)
    friday = at(2023, 6, 9, 12, 0)

    assert next_meeting(series, friday, {datetime.date(2023, 6, 9)}) == at(2023, 6, 10, 7, 0)
    assert next_meeting(series, friday, {datetime.date(2023, 6, 10)}) == at(2023, 6, 17, 7, 0)


def test_it_keeps_the_wall_clock_across_daylight_saving(series):
    series.meeting_time_zone = "Europe/Berlin"
    # Berlin moved its clocks on 2023-03-26; the meeting stays at 21:00.
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    meeting = next_meeting(
        series, at(2023, 3, 22, 12, 0, zone=berlin), {datetime.date(2023, 3, 25)}
    )

    assert meeting == at(2023, 4, 1, 21, 0, zone=berlin)
    assert meeting.utcoffset() == datetime.timedelta(hours=2)


def test_it_reads_the_series_holidays_in_one_query(series, django_assert_num_queries):
    Holiday.objects.create(series=series, date=datetime.date(2023, 6, 10), note="端午")
    Holiday.objects.create(series=series, date=datetime.date(2023, 6, 17))
    Holiday.objects.create(series=series, date=datetime.date(2023, 6, 3))

    with django_assert_num_queries(1):
        meeting = meeting_after(series, at(2023, 6, 7, 12, 0))

    assert meeting == at(2023, 6, 24, 21, 0)


# The beat: it only wakes the task; the date is the service's to compute.


def test_it_wakes_the_task_every_quarter_of_an_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["open-next-issues"]

    assert entry["task"] == "talk.tasks.open_next_issues"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == datetime.timedelta(minutes=15)


def test_the_scheduled_run_opens_the_next_meeting_after_a_holiday(series):
    now = timezone.now()
    latest = issue_create(
        series=series, by=None, number=8, meeting_at=now - datetime.timedelta(hours=2)
    )
    coming = next_meeting(series, now)
    Holiday.objects.create(series=series, date=coming.date(), note="国庆")

    open_next_issues.delay()

    opened = Issue.objects.get(series=series, number=9)
    assert opened.meeting_at == coming + datetime.timedelta(days=7)
    assert opened.meeting_at.astimezone(SHANGHAI).time() == datetime.time(21, 0)
    assert JobRun.objects.get().status == JobRun.Status.DONE
    assert Issue.objects.filter(series=series).count() == 2
    assert latest.pk != opened.pk


@pytest.mark.parametrize("minutes_ago", [0, 30])
def test_the_scheduled_run_waits_an_hour_after_the_meeting(series, minutes_ago):
    issue_create(
        series=series,
        by=None,
        number=8,
        meeting_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )

    open_next_issues.delay()

    assert not Issue.objects.filter(number=9).exists()
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.DONE
    assert run.finished_at is not None


def test_a_failing_run_is_recorded_as_failed(series, monkeypatch):
    issue_create(
        series=series, by=None, number=8, meeting_at=timezone.now() - datetime.timedelta(hours=2)
    )

    def broken(**kwargs):
        raise RuntimeError("no connection")

    monkeypatch.setattr(services.next_issue, "issue_open_next", broken)

    open_next_issues.delay()

    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED
    assert "RuntimeError: no connection" in run.detail
    assert not Issue.objects.filter(number=9).exists()
