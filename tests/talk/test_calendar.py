"""The meetings' calendar: a series' iCalendar feed and one meeting to add,
read by two independent parsers (icalendar and vobject), as calendar apps
would read them."""

import datetime
import re
import zoneinfo

import icalendar
import pytest
import vobject
from django.urls import reverse

from talk.models import Holiday, Issue
from talk.services import issue_create
from tests.responses import by_id

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def saturday_at_nine(weeks: int) -> datetime.datetime:
    """A Saturday 21:00 in Shanghai, `weeks` weeks from the coming one."""
    today = datetime.datetime.now(SHANGHAI).date()
    day = today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)
    return datetime.datetime.combine(day, datetime.time(21), tzinfo=SHANGHAI)


def href_of(markup: str) -> str:
    return re.search(r'href="([^"]+)"', markup).group(1)


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    # The second parser must read the same events.
    other = vobject.readOne(response.content.decode())
    events = parsed.walk("VEVENT")
    assert sorted(str(e["uid"]) for e in events) == sorted(e.uid.value for e in other.vevent_list)
    return parsed, events


@pytest.fixture
def upcoming(series):
    """The next issue open, with its meeting a week on (moved from the
    schedule's Saturday to a Sunday)."""
    return issue_create(
        series=series,
        by=None,
        number=9,
        meeting_at=saturday_at_nine(1) + datetime.timedelta(days=1),
    )


def test_the_feed_lists_the_open_issue_then_the_schedule(client, series, upcoming):
    parsed, events = events_of(client.get(reverse("series-calendar", args=[series.slug])))

    titles = [str(e["summary"]) for e in events]
    assert titles[0] == "OpenLLM Talk 009"
    assert titles[1:4] == ["OpenLLM Talk 010", "OpenLLM Talk 011", "OpenLLM Talk 012"]
    first = events[0]
    assert first.decoded("dtstart") == upcoming.meeting_at
    assert str(first["url"]).endswith(upcoming.get_absolute_url())
    # The schedule goes on from the open issue's meeting: the next Saturday.
    assert events[1].decoded("dtstart") == saturday_at_nine(2)
    # The zone travels with the events, for clients that do not know it.
    [zone] = parsed.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Asia/Shanghai"
    assert first["dtstart"].params["TZID"] == "Asia/Shanghai"


def test_a_holiday_moves_the_meeting_a_week(client, series, upcoming):
    Holiday.objects.create(series=series, date=saturday_at_nine(2).date(), note="国庆")

    _, events = events_of(client.get(reverse("series-calendar", args=[series.slug])))

    starts = [e.decoded("dtstart") for e in events[1:3]]
    assert starts == [saturday_at_nine(3), saturday_at_nine(4)]
    assert str(events[1]["summary"]) == "OpenLLM Talk 010"


def test_a_moved_meeting_stays_the_same_event(client, series, upcoming):
    url = reverse("series-calendar", args=[series.slug])
    _, before = events_of(client.get(url))

    Issue.objects.filter(pk=upcoming.pk).update(meeting_at=saturday_at_nine(1))
    _, after = events_of(client.get(url))

    assert str(after[0]["uid"]) == str(before[0]["uid"])
    assert after[0].decoded("dtstart") == saturday_at_nine(1)
    assert [str(e["uid"]) for e in after] == [str(e["uid"]) for e in before]


def test_a_scheduled_meeting_keeps_its_event_once_its_issue_opens(client, series, upcoming):
    url = reverse("series-calendar", args=[series.slug])
    _, before = events_of(client.get(url))
    scheduled = before[1]

    issue_create(series=series, by=None, number=10, meeting_at=scheduled.decoded("dtstart"))
    _, after = events_of(client.get(url))

    assert str(after[1]["uid"]) == str(scheduled["uid"])
    assert "url" in after[1]


def test_the_feed_names_no_one(client, series, upcoming, member):
    upcoming.host = member
    upcoming.save(update_fields=["host"])

    response = client.get(reverse("series-calendar", args=[series.slug]))

    assert member.alias.encode() not in response.content
    assert b"@example" not in response.content


def test_the_issue_page_offers_its_meeting_to_add(client, upcoming):
    page = client.get(upcoming.get_absolute_url())
    href = href_of(by_id(page.text, "add-to-calendar"))
    assert href == reverse("issue-calendar", args=[upcoming.series.slug, upcoming.code])

    _, events = events_of(client.get(href))

    [event] = events
    assert str(event["summary"]) == "OpenLLM Talk 009"
    assert event.decoded("dtstart") == upcoming.meeting_at


def test_an_issue_without_a_time_has_no_meeting_to_add(client, issue):
    assert client.get(issue.get_absolute_url()).status_code == 200
    assert b'id="add-to-calendar"' not in client.get(issue.get_absolute_url()).content

    response = client.get(reverse("issue-calendar", args=[issue.series.slug, issue.code]))

    assert response.status_code == 404


def test_the_series_page_links_its_calendar(client, series):
    page = client.get(reverse("series", args=[series.slug]))

    href = href_of(by_id(page.text, "meetings-calendar"))
    assert href == reverse("series-calendar", args=[series.slug])
