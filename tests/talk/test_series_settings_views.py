"""A series' settings page (/s/<series>/settings/), for admins: the
settings form, holidays and section templates, each saving in place (htmx)
or through the whole page (a plain post), with errors in the form and what
was typed kept."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AuditEvent
from talk.models import Holiday, Series
from tests.responses import (
    BOTH_WAYS,
    HTMX,
    assert_sent_to_log_in,
    by_id,
    headers,
    htmx_from,
    rendered,
)

pytestmark = pytest.mark.usefixtures("english")

PAGE = "talk/series_settings.html"


def page(series) -> str:
    return reverse("series-settings", args=[series.slug])


def shown_with(series) -> dict:
    """What the settings form posts when nothing is touched: each value and,
    as its hidden initial, the value it was shown with."""
    values = {
        "moderation": series.moderation,
        "questions_per_minute": str(series.questions_per_minute),
        "answers_per_minute": str(series.answers_per_minute),
        "reports_per_minute": str(series.reports_per_minute),
        "reminders": series.reminders,
        "meeting_weekday": str(series.meeting_weekday),
        "meeting_time": series.meeting_time.strftime("%H:%M"),
        "meeting_time_zone": series.meeting_time_zone,
    }
    switches = {"hosts_invite": series.hosts_invite, "guest_questions": series.guest_questions}
    data = {**values, **{f"initial-{name}": value for name, value in values.items()}}
    for name, on in switches.items():
        data[f"initial-{name}"] = str(on)
        if on:
            data[name] = "on"
    return data


def settings_form(series, **changed) -> dict:
    data = shown_with(series)
    for name, value in changed.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def fresh(series) -> Series:
    return Series.objects.get(pk=series.pk)


def a_day_ahead(days=10) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def template_of(series, key):
    return series.templates.get(key=key)


def template_form(template, **fields) -> dict:
    data = {"time_budget_minutes": "10", "owner_cap": "2", **fields}
    return {f"template-{template.pk}-{name}": value for name, value in data.items()}


# Who may


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_sends_a_visitor_to_log_in(client, series, htmx):
    sent = htmx_from(page(series)) if htmx else {}

    response = client.post(page(series), settings_form(series, moderation="pre"), headers=sent)

    assert_sent_to_log_in(response, htmx=htmx, back_to=page(series))
    assert fresh(series).moderation == "post"


@pytest.mark.parametrize("role", ["author", "owner", "host"])
def test_it_is_for_admins_only(client_as, series, issue, role):
    Series.objects.filter(pk=series.pk).update(hosts_invite=True)
    client = client_as(role)
    news = template_of(series, "news")
    holiday = Holiday.objects.create(series=series, date=timezone.localdate())

    assert client.get(page(series)).status_code == 403
    posts = [
        (page(series), settings_form(series, moderation="pre")),
        (reverse("holiday-add", args=[series.slug]), {"date": a_day_ahead()}),
        (reverse("holiday-remove", args=[holiday.pk]), {}),
        (reverse("section-template-save", args=[news.pk]), template_form(news, owner_cap="0")),
        (reverse("section-template-move", args=[news.pk]), {"direction": "down"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, headers=HTMX).status_code == 403, url

    assert fresh(series).moderation == "post"
    assert list(Holiday.objects.all()) == [holiday]
    assert template_of(series, "news").owner_cap == 2
    assert not AuditEvent.objects.exists()


def test_it_does_not_find_a_series_that_is_not_there(client_as, people):
    assert client_as("admin").get(page(Series(slug="nowhere"))).status_code == 404


def test_it_refuses_a_post_without_the_token(admin_user, series):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    response = browser.post(page(series), settings_form(series, moderation="pre"))

    assert response.status_code == 403
    assert fresh(series).moderation == "post"


# The settings


def test_it_shows_the_settings_as_saved(client_as, people, series):
    response = client_as("admin").get(page(series))

    assert response.status_code == 200
    assert rendered(response) == PAGE
    form = by_id(response.text, "series-settings")
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<option value="post" selected>' in form
    assert '<option value="5" selected>Saturday</option>' in form
    assert 'value="21:00"' in form
    assert 'name="initial-moderation" value="post"' in form


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_saves_the_moderation_mode_and_records_it(client_as, admin_user, series, htmx):
    response = client_as("admin").post(
        page(series), settings_form(series, moderation="pre"), headers=headers(htmx)
    )

    assert fresh(series).moderation == "pre"
    event = AuditEvent.objects.get(action="series.settings")
    assert (event.actor, event.before, event.after) == (
        admin_user,
        {"moderation": "post"},
        {"moderation": "pre"},
    )
    if htmx:
        assert response.status_code == 200
        assert rendered(response) == f"{PAGE}#series-settings"
        form = by_id(response.text, "series-settings")
        assert "Saved." in form
        assert '<option value="pre" selected>' in form
    else:
        assert response.status_code == 302
        assert response.url == f"{page(series)}#series-settings"


def test_it_saves_the_schedule_limits_and_switches(client_as, series):
    client_as("admin").post(
        page(series),
        settings_form(
            series,
            meeting_weekday="6",
            meeting_time="20:30",
            meeting_time_zone="Europe/Berlin",
            reminders="120, 30",
            answers_per_minute="20",
            hosts_invite=True,
            guest_questions=True,
        ),
    )

    saved = fresh(series)
    assert (saved.meeting_weekday, saved.meeting_time) == (6, datetime.time(20, 30))
    assert (saved.meeting_time_zone, saved.reminders) == ("Europe/Berlin", "120, 30")
    assert (saved.answers_per_minute, saved.hosts_invite, saved.guest_questions) == (20, True, True)
    event = AuditEvent.objects.get()
    assert set(event.after) == {
        "meeting_weekday",
        "meeting_time",
        "meeting_time_zone",
        "reminders",
        "answers_per_minute",
        "hosts_invite",
        "guest_questions",
    }


def test_it_keeps_what_another_admin_changed_meanwhile(client_as, series):
    shown = settings_form(series, reminders="30")
    # Another admin, in another tab, switched guests on after this page loaded.
    Series.objects.filter(pk=series.pk).update(guest_questions=True, moderation="pre")

    client_as("admin").post(page(series), shown)

    saved = fresh(series)
    assert (saved.reminders, saved.guest_questions, saved.moderation) == ("30", True, "pre")
    assert AuditEvent.objects.get().after == {"reminders": "30"}


def test_it_says_when_nothing_changed(client_as, series):
    response = client_as("admin").post(page(series), settings_form(series), headers=HTMX)

    assert response.status_code == 200
    assert "Nothing was changed." in response.text
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        (
            {"reminders": "soon"},
            "reminders",
            "Write minutes as whole numbers separated by commas.",
        ),
        (
            {"questions_per_minute": "0"},
            "questions_per_minute",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"meeting_time": "25:99"},
            "meeting_time",
            "Enter a valid time.",
        ),
        (
            {"meeting_time_zone": "Mars/Olympus"},
            "meeting_time_zone",
            "“Mars/Olympus” is not a known time zone.",
        ),
    ],
)
def test_it_says_what_is_wrong_in_place_and_keeps_what_was_typed(
    client_as, series, htmx, changed, field, message
):
    typed = {"reminders": "90", **changed}
    response = client_as("admin").post(
        page(series), settings_form(series, **typed), headers=headers(htmx)
    )

    assert response.status_code == 422
    assert rendered(response) == (f"{PAGE}#series-settings" if htmx else PAGE)
    form = response.context["settings_form"]
    assert form.errors[field] == [message]
    region = by_id(response.text, "series-settings")
    assert escape(message) in region
    assert f'value="{typed["reminders"]}"' in region
    assert fresh(series).reminders == "1440, 60"
    assert not AuditEvent.objects.exists()


# Holidays


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_adds_a_holiday(client_as, admin_user, series, htmx):
    day = a_day_ahead()

    response = client_as("admin").post(
        reverse("holiday-add", args=[series.slug]),
        {"date": day, "note": "国庆"},
        headers=headers(htmx),
    )

    holiday = Holiday.objects.get()
    assert (holiday.date.isoformat(), holiday.note) == (day, "国庆")
    assert AuditEvent.objects.get(action="holiday.add").actor == admin_user
    if htmx:
        assert response.status_code == 200
        assert rendered(response) == f"{PAGE}#holiday-form"
        assert f"{day} is a holiday: no meeting that day." in response.text
        listed = by_id(response.text, "holiday-list")
        assert 'hx-swap-oob="true"' in listed
        assert "国庆" in by_id(listed, f"holiday-{holiday.pk}")
        assert 'value="国庆"' not in by_id(response.text, "holiday-form")
    else:
        assert response.status_code == 302
        assert response.url == f"{page(series)}#holiday-form"
        assert "国庆" in client_as("admin").get(page(series)).text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "This field is required."),
        ("2001-05-01", "That day has passed: a holiday there moves nothing."),
        ("taken", "is already a holiday."),
    ],
)
def test_it_says_why_a_holiday_was_not_added(client_as, series, htmx, date, message):
    if date == "taken":
        date = a_day_ahead()
        Holiday.objects.create(series=series, date=date)

    response = client_as("admin").post(
        reverse("holiday-add", args=[series.slug]),
        {"date": date, "note": "劳动节"},
        headers=headers(htmx),
    )

    assert response.status_code == 422
    assert rendered(response) == (f"{PAGE}#holiday-form" if htmx else PAGE)
    region = by_id(response.text, "holiday-form")
    assert message in region
    assert 'value="劳动节"' in region
    assert Holiday.objects.filter(note="劳动节").count() == 0


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_removes_a_holiday(client_as, series, htmx):
    holiday = Holiday.objects.create(series=series, date=a_day_ahead(3))

    response = client_as("admin").post(
        reverse("holiday-remove", args=[holiday.pk]), headers=headers(htmx)
    )

    assert not Holiday.objects.exists()
    assert AuditEvent.objects.get(action="holiday.remove").target_id == str(holiday.pk)
    if htmx:
        assert rendered(response) == f"{PAGE}#holiday-list"
        assert "is no longer a holiday." in response.text
        assert "No holiday ahead." in response.text
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_says_a_holiday_removed_meanwhile_is_gone(client_as, people, series, htmx):
    response = client_as("admin").post(
        reverse("holiday-remove", args=[12345]), headers=headers(htmx)
    )

    assert response.status_code == 404


def test_it_lists_only_the_holidays_to_come(client_as, series):
    past = Holiday.objects.create(series=series, date=timezone.localdate() - datetime.timedelta(7))
    coming = Holiday.objects.create(
        series=series, date=timezone.localdate() + datetime.timedelta(7)
    )

    listed = by_id(client_as("admin").get(page(series)).text, "holiday-list")

    assert f'id="holiday-{coming.pk}"' in listed
    assert f'id="holiday-{past.pk}"' not in listed


# Section templates


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_saves_a_templates_budget_and_owner_cap(client_as, series, htmx):
    news = template_of(series, "news")

    response = client_as("admin").post(
        reverse("section-template-save", args=[news.pk]),
        template_form(news, time_budget_minutes="", owner_cap="1"),
        headers=headers(htmx),
    )

    news.refresh_from_db()
    assert (news.time_budget_minutes, news.owner_cap) == (None, 1)
    event = AuditEvent.objects.get(action="section_template.change")
    assert event.after == {"time_budget_minutes": None, "owner_cap": 1}
    if htmx:
        assert response.status_code == 200
        assert rendered(response) == f"{PAGE}#section-template"
        row = by_id(response.text, f"section-template-{news.pk}")
        assert "Saved." in row
        assert '<option value="1" selected>' in row
    else:
        assert response.status_code == 302
        assert response.url == f"{page(series)}#section-template-{news.pk}"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"time_budget_minutes": "0"}, "time_budget_minutes", "greater than or equal to 1"),
        ({"time_budget_minutes": "ten"}, "time_budget_minutes", "Enter a whole number."),
        ({"owner_cap": "3"}, "owner_cap", "less than or equal to 2"),
    ],
)
def test_it_says_what_is_wrong_with_a_template_in_its_row(
    client_as, series, htmx, fields, field, message
):
    news = template_of(series, "news")

    response = client_as("admin").post(
        reverse("section-template-save", args=[news.pk]),
        template_form(news, **fields),
        headers=headers(htmx),
    )

    assert response.status_code == 422
    assert rendered(response) == (f"{PAGE}#section-template" if htmx else PAGE)
    row = by_id(response.text, f"section-template-{news.pk}")
    assert message in row
    if field == "time_budget_minutes":
        assert f'value="{fields[field]}"' in row
    news.refresh_from_db()
    assert (news.time_budget_minutes, news.owner_cap) == (10, 2)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_moves_a_template(client_as, series, htmx):
    order = list(series.templates.order_by("position").values_list("key", flat=True))
    second = template_of(series, order[1])

    response = client_as("admin").post(
        reverse("section-template-move", args=[second.pk]),
        {"direction": "up"},
        headers=headers(htmx),
    )

    moved = list(series.templates.order_by("position").values_list("key", flat=True))
    assert moved == [order[1], order[0], *order[2:]]
    if htmx:
        assert rendered(response) == f"{PAGE}#section-templates"
        listed = by_id(response.text, "section-templates")
        assert listed.index(f"section-template-{second.pk}") < listed.index(
            f"section-template-{template_of(series, order[0]).pk}"
        )
    else:
        assert response.status_code == 302


def test_it_offers_no_move_past_either_end(client_as, series):
    order = list(series.templates.order_by("position"))

    response = client_as("admin").get(page(series))

    first = by_id(response.text, f"section-template-{order[0].pk}")
    last = by_id(response.text, f"section-template-{order[-1].pk}")
    assert 'value="up"' not in first
    assert 'value="down"' in first
    assert 'value="down"' not in last
    assert 'value="up"' in last


# Where admins find it


def test_it_is_linked_from_the_series_page_for_admins(client_as, series):
    response = client_as("admin").get(series.get_absolute_url())

    assert f'href="{page(series)}"' in by_id(response.text, "series-settings-link")
    assert 'href="/invitations/"' in by_id(response.text, "series-invitations")


@pytest.mark.parametrize(("allowed", "linked"), [(True, True), (False, False)])
def test_it_links_the_invitations_for_a_host_the_series_lets_invite(
    client_as, series, issue, allowed, linked
):
    Series.objects.filter(pk=series.pk).update(hosts_invite=allowed)

    response = client_as("host").get(series.get_absolute_url())

    assert ('id="series-invitations"' in response.text) == linked
    assert 'id="series-settings-link"' not in response.text


def test_it_links_the_invitations_from_the_header_for_staff(client_as, series):
    response = client_as("admin").get(reverse("home"))

    assert 'href="/invitations/"' in by_id(response.text, "nav-invitations")
    assert 'id="nav-invitations"' not in client_as("author").get(reverse("home")).text
