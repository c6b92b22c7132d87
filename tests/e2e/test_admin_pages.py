"""The admins' pages in a real browser: an invitation made and its link
copied in one click, then revoked; a series' settings saved in place."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation
from talk.models import Holiday, Series


def test_it_copies_a_new_invitations_link_and_revokes_it(
    page, context, live_server, login, admin_user
):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(admin_user)
    page.goto(live_server.url + reverse("invitations"))

    expect(page.locator("#id_expires_at")).not_to_have_value("")
    page.locator("#id_note").fill("for yuhan")
    page.locator("#invitation-form button[type=submit]").click()

    link = page.locator("#invitation-created code")
    expect(link).to_be_visible()
    invitation = Invitation.objects.get()
    expected = live_server.url + reverse("accounts:sign-up", args=[invitation.token])
    expect(link).to_have_text(expected)
    expect(page.locator("#id_note")).to_have_value("")
    page.locator("#invitation-created button[data-copy]").click()
    expect(page.locator("#invitation-created .copy-status")).not_to_be_empty()
    assert page.evaluate("navigator.clipboard.readText()") == expected

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#invitation-{invitation.pk} button[type=submit]").click()
    expect(page.locator(f"#invitation-{invitation.pk} code")).to_have_count(0)
    expect(page.locator("#invitation-created code")).to_have_count(0)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_saves_a_series_settings_in_place(page, live_server, login, admin_user, series):
    login(admin_user)
    page.goto(live_server.url + reverse("series-settings", args=[series.slug]))

    page.locator("#id_moderation").select_option("pre")
    page.locator("#id_reminders").fill("soon")
    page.locator("#series-settings button[type=submit]").click()
    expect(page.locator("#series-settings .errorlist")).to_have_count(1)
    expect(page.locator("#id_reminders")).to_be_focused()
    expect(page.locator("#id_moderation")).to_have_value("pre")

    page.locator("#id_reminders").fill("60")
    page.locator("#series-settings button[type=submit]").click()
    expect(page.locator("#series-settings .message-success")).to_be_visible()
    saved = Series.objects.get(pk=series.pk)
    assert (saved.moderation, saved.reminders) == ("pre", "60")

    day = timezone.localdate() + datetime.timedelta(days=20)
    page.locator("#id_date").fill(day.isoformat())
    page.locator("#holiday-form button[type=submit]").click()
    expect(page.locator("#holiday-list li")).to_contain_text(day.isoformat())
    assert Holiday.objects.get().date == day
