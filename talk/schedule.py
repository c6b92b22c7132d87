"""When a series meets: the next meeting after a moment, in the series' zone."""

import datetime
import zoneinfo
from collections.abc import Collection

WEEK = datetime.timedelta(days=7)


def next_meeting(
    series, after: datetime.datetime, holidays: Collection[datetime.date] = ()
) -> datetime.datetime:
    """The first meeting strictly after `after`. A meeting whose local date
    is one of `holidays` moves a week on (again, if that week is one too)."""
    zone = zoneinfo.ZoneInfo(series.meeting_time_zone)
    local = after.astimezone(zone)
    days_ahead = (series.meeting_weekday - local.weekday()) % 7
    day = local.date() + datetime.timedelta(days=days_ahead)
    if datetime.datetime.combine(day, series.meeting_time, tzinfo=zone) <= local:
        day += WEEK
    while day in holidays:
        day += WEEK
    # Combined again from the date, so the wall-clock time holds across a
    # daylight-saving change in the zones that have one.
    return datetime.datetime.combine(day, series.meeting_time, tzinfo=zone)


def meeting_after(series, after: datetime.datetime) -> datetime.datetime:
    """`next_meeting` with the series' holidays from the database (one query)."""
    zone = zoneinfo.ZoneInfo(series.meeting_time_zone)
    holidays = set(
        series.holidays.filter(date__gte=after.astimezone(zone).date()).values_list(
            "date", flat=True
        )
    )
    return next_meeting(series, after, holidays)
