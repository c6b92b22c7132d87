"""When a series meets: the next meeting after a moment, in the series' zone."""

import datetime
import zoneinfo


def next_meeting(series, after: datetime.datetime) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(series.meeting_time_zone)
    local = after.astimezone(zone)
    days_ahead = (series.meeting_weekday - local.weekday()) % 7
    meeting = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=days_ahead), series.meeting_time, tzinfo=zone
    )
    if meeting <= local:
        meeting += datetime.timedelta(days=7)
    return meeting
