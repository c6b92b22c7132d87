"""Reminders before the meeting, at the series' times: each once, and of
the ones due only the latest."""

import datetime

import pytest
from django.utils import timezone

from notify.kinds import Kind
from notify.models import Event
from notify.services import reminders_send
from talk.models import Issue, Series


@pytest.fixture
def meets_at(issue):
    def at(hours: float):
        when = timezone.now() + datetime.timedelta(hours=hours)
        Issue.objects.filter(pk=issue.pk).update(meeting_at=when)
        return when

    return at


def leads():
    return [e.subject["lead"] for e in Event.objects.filter(kind=Kind.MEETING_REMINDER)]


def test_it_reminds_a_day_before_then_an_hour_before(issue, meets_at):
    meeting = meets_at(hours=30)
    assert reminders_send() == []

    reminders_send(now=meeting - datetime.timedelta(hours=23))
    reminders_send(now=meeting - datetime.timedelta(hours=22))
    assert leads() == [1440]

    reminders_send(now=meeting - datetime.timedelta(minutes=59))
    assert sorted(leads()) == [60, 1440]


def test_after_a_day_down_only_the_latest_goes_out(issue, meets_at):
    meeting = meets_at(hours=30)

    reminders_send(now=meeting - datetime.timedelta(minutes=30))
    reminders_send(now=meeting - datetime.timedelta(minutes=20))

    assert leads() == [60]


def test_it_keeps_to_the_series_times(issue, series, meets_at):
    Series.objects.filter(pk=series.pk).update(reminders="15")
    meeting = meets_at(hours=2)

    reminders_send(now=meeting - datetime.timedelta(minutes=59))
    assert leads() == []
    reminders_send(now=meeting - datetime.timedelta(minutes=14))
    assert leads() == [15]


def test_a_series_without_reminders_sends_none(issue, series, meets_at):
    Series.objects.filter(pk=series.pk).update(reminders="")
    meeting = meets_at(hours=1)

    reminders_send(now=meeting - datetime.timedelta(minutes=5))
    assert leads() == []


def test_a_meeting_that_started_is_not_reminded(issue, meets_at):
    meeting = meets_at(hours=0.5)
    Issue.objects.filter(pk=issue.pk).update(status="live")

    reminders_send(now=meeting - datetime.timedelta(minutes=10))
    assert leads() == []


def test_a_moved_meeting_is_reminded_at_its_new_time(issue, meets_at):
    first = meets_at(hours=20)
    reminders_send(now=first - datetime.timedelta(hours=20))
    assert leads() == [1440]
    # Moved a week on: reminded again a day before the new time.
    moved = meets_at(hours=24 * 7)
    reminders_send(now=moved - datetime.timedelta(hours=23))
    assert sorted(leads()) == [1440, 1440]
