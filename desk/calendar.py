"""The meetings as iCalendar (RFC 5545): a series' feed that calendar apps
subscribe to, and one meeting to add by hand.

Events carry the meeting's time in the series' zone (with its VTIMEZONE, so
a client without that zone still places it right), its issue's title and
page, and nothing about anyone: no host, no owners, no aliases.
"""

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from talk.models import Series
from talk.selectors import Meeting


def calendar_response(
    request: HttpRequest, series: Series, meetings: list[Meeting], filename: str
) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//issue desk//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", series.name)
    calendar.add("x-wr-timezone", series.meeting_time_zone)
    now = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(request, meeting, now))
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _event(request: HttpRequest, meeting: Meeting, now: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now)
    if meeting.updated_at is not None:
        event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("duration", datetime.timedelta(minutes=meeting.minutes))
    event.add("summary", meeting.title)
    if meeting.url:
        url = request.build_absolute_uri(meeting.url)
        event.add("url", url)
        event.add("description", url)
    return event
