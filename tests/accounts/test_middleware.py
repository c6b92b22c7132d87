import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from talk.services import issue_create
from tests.factories import UserFactory

HOME = reverse("home")
# Saturday 21:00 in Shanghai, the series' usual slot.
MEETING = datetime.datetime(2026, 1, 3, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def meeting(series):
    return issue_create(series=series, by=None, number=9, meeting_at=MEETING)


def in_chinese(text):
    # Whichever catalog translates the nav, the page must show its wording.
    with translation.override("zh-hans"):
        translated = translation.gettext(text)
    assert translated != text
    return translated


def meeting_time(client):
    page = client.get(HOME).text
    start = page.index('id="current-issue"')
    return page[start : page.index("</p>", start)]


def test_it_speaks_chinese_to_a_visitor_by_default(client, db, settings):
    settings.LANGUAGE_CODE = "zh-hans"

    page = client.get(HOME).text

    assert '<html lang="zh-hans">' in page
    assert in_chinese("Log in") in page


def test_it_follows_the_language_cookie_for_a_visitor(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(HOME).text

    assert '<html lang="zh-hans">' in page
    assert in_chinese("Log in") in page


def test_it_speaks_the_language_a_member_chose(client, db):
    member = UserFactory(alias="reader", language="zh-hans")
    client.force_login(member)

    page = client.get(HOME).text

    assert '<html lang="zh-hans">' in page
    assert in_chinese("Log out") in page
    assert "Log out" not in page


def test_it_prefers_the_members_choice_to_the_cookie(client, db):
    client.force_login(UserFactory(alias="reader", language="en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(HOME, headers={"accept-language": "zh-hans"}).text

    assert '<html lang="en">' in page
    assert "Log out" in page
    assert in_chinese("Log out") not in page


def test_it_uses_the_cookie_when_the_member_chose_nothing(client, member):
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    assert '<html lang="zh-hans">' in client.get(HOME).text


def test_it_switches_pages_once_preferences_are_saved(client, member, meeting):
    client.force_login(member)

    client.post(
        reverse("accounts:preferences"),
        {"language": "zh-hans", "time_zone": "Europe/Berlin", "email": ""},
    )

    assert in_chinese("Log out") in client.get(HOME).text
    assert "2026-01-03 14:00 (Europe/Berlin)" in meeting_time(client)


def test_it_shows_times_in_the_series_time_zone_by_default(client, meeting):
    assert "2026-01-03 21:00 (Asia/Shanghai)" in meeting_time(client)


def test_it_shows_times_in_the_members_time_zone(client, meeting):
    client.force_login(UserFactory(alias="berliner", time_zone="Europe/Berlin"))

    assert "2026-01-03 14:00 (Europe/Berlin)" in meeting_time(client)


def test_it_prefers_the_members_time_zone_to_the_browsers(client, meeting):
    client.force_login(UserFactory(alias="berliner", time_zone="Europe/Berlin"))
    client.cookies["tz"] = "America%2FNew_York"

    assert "2026-01-03 14:00 (Europe/Berlin)" in meeting_time(client)


@pytest.mark.parametrize("cookie", ["America%2FNew_York", "America/New_York"])
def test_it_shows_a_visitor_times_in_the_browsers_time_zone(client, meeting, cookie):
    # desk.js stores the zone with encodeURIComponent, which escapes the slash.
    client.cookies["tz"] = cookie

    assert "2026-01-03 08:00 (America/New_York)" in meeting_time(client)


def test_it_uses_the_browsers_time_zone_when_the_member_chose_none(client, meeting, member):
    client.force_login(member)
    client.cookies["tz"] = "America%2FNew_York"

    assert "2026-01-03 08:00 (America/New_York)" in meeting_time(client)


@pytest.mark.parametrize(
    "cookie", ["Mars/Olympus_Mons", "..%2F..%2Fetc%2Fpasswd", "%ZZ", "a/" * 300 + "b"]
)
def test_it_falls_back_quietly_on_a_bad_time_zone_cookie(client, meeting, cookie):
    client.cookies["tz"] = cookie

    assert "2026-01-03 21:00 (Asia/Shanghai)" in meeting_time(client)
