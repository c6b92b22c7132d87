"""A series' chat bots (/s/<series>/bots/), for admins: adding and changing
one without ever seeing its address or secret again, a test message to a real
receiver, and removing one."""

import hashlib
import hmac

import pytest
from django.test import Client
from django.urls import reverse

from notify.bots import Platform
from notify.kinds import FOR_BOTS, Kind
from notify.models import Bot
from tests.responses import by_id, rendered, says

from .receivers import Answer
from .test_http import fake_dns

pytestmark = pytest.mark.usefixtures("english")

SECRET = "hmac-key-8Hq2xZ"
TOKEN = "123456:telegram-bot-token"
HOOK_TOKEN = "hook-token-Qm7"


def page(series) -> str:
    return reverse("series-bots", args=[series.slug])


def hook(receiver) -> str:
    return f"{receiver.url}/desk-hook?token={HOOK_TOKEN}"


def form(receiver=None, **fields):
    return {
        "platform": Platform.GENERIC,
        "name": "Our webhook",
        "url": hook(receiver) if receiver else "",
        "secret": SECRET,
        "chat_id": "",
        "kinds": [Kind.ISSUE_OPENED, Kind.ISSUE_PUBLISHED],
        "active": "on",
        **fields,
    }


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def bot(series, receiver, admin_user):
    return Bot.objects.create(
        series=series,
        platform=Platform.GENERIC,
        name="Our webhook",
        url=hook(receiver),
        secret=SECRET,
        kinds=list(FOR_BOTS),
        created_by=admin_user,
    )


def row(html: str, bot: Bot) -> str:
    return by_id(html, f"bot-{bot.pk}")


def assert_nothing_secret(html: str, receiver) -> None:
    for secret in (SECRET, TOKEN, HOOK_TOKEN, "/desk-hook", f":{receiver.port}"):
        assert secret not in html, secret


# Who may


@pytest.mark.parametrize("role", ["anonymous", "outsider", "owner", "host"])
def test_it_is_for_admins_only(client_as, series, role):
    client = client_as(role)

    assert client.get(page(series)).status_code == 403
    assert client.post(page(series), form()).status_code == 403

    assert not Bot.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "host"])
@pytest.mark.parametrize("view", ["bot-edit", "bot-test", "bot-delete"])
def test_it_lets_no_one_else_touch_a_bot(client_as, people, bot, receiver, role, view):
    response = client_as(role).post(reverse(view, args=[bot.pk]), form(name="Taken over"))

    assert response.status_code == 403
    bot.refresh_from_db()
    assert bot.name == "Our webhook"
    assert receiver.requests == []


def test_it_does_not_find_a_series_that_is_not_there(admin):
    assert admin.get(reverse("series-bots", args=["no-such-series"])).status_code == 404


@pytest.mark.parametrize("view", ["bot-test", "bot-delete"])
def test_it_takes_only_a_post(admin, bot, receiver, view):
    assert admin.get(reverse(view, args=[bot.pk])).status_code == 405

    assert Bot.objects.filter(pk=bot.pk).exists()
    assert receiver.requests == []


def test_it_refuses_a_post_without_the_token(admin_user, series, receiver):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    assert browser.post(page(series), form(receiver)).status_code == 403
    assert not Bot.objects.exists()


# The list and the form


def test_it_shows_the_admin_an_empty_list_and_the_form(admin, series):
    response = admin.get(page(series))

    assert response.status_code == 200
    assert rendered(response) == "notify/bots.html"
    assert 'id="bots-none"' in response.text
    assert "Add a chat bot" in by_id(response.text, "bot-form")
    # Every kind the bots are told, ticked until the admin says otherwise.
    for kind in FOR_BOTS:
        assert f'value="{kind}" id="id_kinds_' in response.text
    assert response.text.count(" checked") == len(FOR_BOTS) + 1  # and "Active"


def test_it_adds_a_bot(admin, series, receiver, admin_user):
    response = admin.post(page(series), form(receiver))

    assert response.status_code == 302
    assert response.url == page(series)
    bot = Bot.objects.get()
    assert (bot.series, bot.platform, bot.name) == (series, Platform.GENERIC, "Our webhook")
    assert (bot.url, bot.secret) == (hook(receiver), SECRET)
    assert bot.kinds == [Kind.ISSUE_OPENED, Kind.ISSUE_PUBLISHED]
    assert bot.active
    assert bot.created_by == admin_user
    assert receiver.requests == []  # until the admin asks for a test
    listed = admin.get(page(series))
    assert says(listed, "Saved. Send a test message to see it arrive.")
    assert "Nothing sent yet" in row(listed.text, bot)


def test_it_never_shows_the_address_or_the_secret_again(admin, bot, series, receiver):
    listed = admin.get(page(series)).text
    changing = admin.get(reverse("bot-edit", args=[bot.pk])).text

    assert "Our webhook" in row(listed, bot)
    assert_nothing_secret(listed, receiver)
    assert "Change Our webhook" in changing
    assert_nothing_secret(changing, receiver)
    assert "Saved. Leave empty to keep it." in changing


def test_it_keeps_the_saved_address_and_secret_when_they_are_left_empty(admin, bot, receiver):
    response = admin.post(
        reverse("bot-edit", args=[bot.pk]),
        form(url="", secret="", name="Renamed", kinds=[Kind.MEETING_STARTED], active=""),
    )

    assert response.status_code == 302
    bot.refresh_from_db()
    assert (bot.url, bot.secret) == (hook(receiver), SECRET)
    assert (bot.name, bot.kinds, bot.active) == ("Renamed", [Kind.MEETING_STARTED], False)


def test_it_takes_a_new_secret_on_a_change(admin, bot):
    admin.post(reverse("bot-edit", args=[bot.pk]), form(url="", secret="a-new-key"))

    bot.refresh_from_db()
    assert bot.secret == "a-new-key"


def test_it_refuses_a_private_address_in_the_form(admin, series, receiver, settings):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False

    response = admin.post(
        page(series), form(receiver, name="Team chat", kinds=[Kind.MEETING_REMINDER], active="")
    )

    assert response.status_code == 422
    assert rendered(response) == "notify/bots.html"
    box = by_id(response.text, "bot-form")
    assert "127.0.0.1 points to 127.0.0.1, an address on a private or reserved network" in box
    # The error is at the address field.
    assert box.index("private or reserved network") < box.index('name="url"')
    assert box.index("private or reserved network") > box.index('name="name"')
    # What the admin typed in the other fields is all still there.
    assert 'value="Team chat"' in box
    assert f'value="{Kind.MEETING_REMINDER}" id="id_kinds_1" checked' in box
    assert f'value="{Kind.ISSUE_OPENED}" id="id_kinds_0" checked' not in box
    assert 'name="active" id="id_active" checked' not in box
    assert 'value="generic" selected' in box
    # Nothing was saved: the address and the secret the admin typed come
    # back to them, to fix instead of typing again.
    assert f'value="{SECRET}"' in box
    assert "desk-hook" in box
    assert not Bot.objects.exists()
    assert receiver.requests == []


def test_it_asks_for_one_thing_to_tell_at_least(admin, series, receiver):
    response = admin.post(page(series), form(receiver, kinds=[]))

    assert response.status_code == 422
    assert "Choose at least one thing to tell this chat." in by_id(response.text, "bot-form")
    assert not Bot.objects.exists()


def test_a_bot_moved_to_another_platform_keeps_nothing_of_the_old_one(admin, bot, monkeypatch):
    fake_dns(monkeypatch, "api.telegram.org", "149.154.167.220")

    response = admin.post(
        reverse("bot-edit", args=[bot.pk]),
        form(platform=Platform.TELEGRAM, url="", secret=TOKEN, chat_id="-1001"),
    )

    assert response.status_code == 302
    bot.refresh_from_db()
    assert (bot.platform, bot.url, bot.secret) == (
        Platform.TELEGRAM,
        "https://api.telegram.org",
        TOKEN,
    )


def test_a_bot_moved_to_another_platform_needs_its_secret(admin, bot):
    response = admin.post(
        reverse("bot-edit", args=[bot.pk]),
        form(platform=Platform.TELEGRAM, url="", secret="", chat_id="-1001"),
    )

    assert response.status_code == 422
    assert "This platform needs its secret." in by_id(response.text, "bot-form")
    bot.refresh_from_db()
    assert bot.platform == Platform.GENERIC


def test_it_refuses_a_private_address_on_a_change_too(admin, bot, receiver, settings):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False

    response = admin.post(reverse("bot-edit", args=[bot.pk]), form(url="", name="Renamed"))

    assert response.status_code == 422
    assert "private or reserved network" in by_id(response.text, "bot-form")
    assert 'value="Renamed"' in by_id(response.text, "bot-form")
    bot.refresh_from_db()
    assert bot.name == "Our webhook"


def test_it_asks_for_what_the_platform_needs(admin, series, receiver):
    response = admin.post(
        page(series), form(receiver, platform=Platform.TELEGRAM, secret="", chat_id="")
    )

    assert response.status_code == 422
    box = by_id(response.text, "bot-form")
    assert "This platform needs its secret." in box
    assert "This platform needs the chat&#x27;s id." in box
    assert not Bot.objects.exists()


def test_it_gives_telegram_the_apis_address(admin, series, monkeypatch):
    # The machine may have no DNS: api.telegram.org resolves to one of its
    # public addresses here.
    fake_dns(monkeypatch, "api.telegram.org", "149.154.167.220")

    response = admin.post(
        page(series),
        form(platform=Platform.TELEGRAM, name="Telegram group", secret=TOKEN, chat_id="-1001"),
    )

    assert response.status_code == 302
    bot = Bot.objects.get()
    assert (bot.url, bot.secret, bot.chat_id) == ("https://api.telegram.org", TOKEN, "-1001")
    assert TOKEN not in admin.get(page(series)).text


# A test message


def test_it_sends_a_test_message_in_the_platforms_format(admin, bot, series, receiver):
    response = admin.post(reverse("bot-test", args=[bot.pk]), follow=True)

    assert response.redirect_chain == [(page(series), 302)]
    assert says(response, "Our webhook: test message sent (200 OK).")
    [request] = receiver.requests
    assert (request.method, request.path, request.query) == (
        "POST",
        "/desk-hook",
        {"token": [HOOK_TOKEN]},
    )
    body = request.json()
    assert body["event"] == "test"
    assert body["title"] == "A test message from the issue desk"
    assert "Our webhook works" in body["text"]
    assert body["url"].endswith(series.get_absolute_url())
    timestamp = request.headers["x-desk-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["x-desk-signature"] == f"sha256={expected.hexdigest()}"
    # The list shows the outcome, and still no secret.
    last = row(response.text, bot)
    assert "Delivered" in last
    assert "200 OK" in last
    assert_nothing_secret(response.text, receiver)


def test_it_sends_telegram_its_sendmessage(admin, series, receiver, admin_user):
    bot = Bot.objects.create(
        series=series,
        platform=Platform.TELEGRAM,
        name="Telegram group",
        url=receiver.url,
        secret=TOKEN,
        chat_id="-1001",
    )
    receiver.answer(Answer.json({"ok": True, "result": {"message_id": 7}}))

    response = admin.post(reverse("bot-test", args=[bot.pk]), follow=True)

    assert says(response, "Telegram group: test message sent (200 OK).")
    [request] = receiver.requests
    assert request.path == f"/bot{TOKEN}/sendMessage"
    assert request.json()["chat_id"] == "-1001"
    assert request.json()["parse_mode"] == "HTML"
    assert "A test message from the issue desk" in request.json()["text"]
    assert_nothing_secret(response.text, receiver)


def test_it_shows_a_failed_test_message(admin, bot, receiver):
    receiver.answer(Answer(status=500, body=b"upstream down"))

    response = admin.post(reverse("bot-test", args=[bot.pk]), follow=True)

    assert says(
        response,
        "Our webhook: the test message failed: 127.0.0.1 answered 500 Internal Server Error.",
    )
    last = row(response.text, bot)
    assert "<strong>Failed</strong>" in last
    assert "500" in last
    assert_nothing_secret(response.text, receiver)
    bot.refresh_from_db()
    assert bot.last_ok is False


# Removing


def test_it_removes_a_bot(admin, bot, series):
    response = admin.post(reverse("bot-delete", args=[bot.pk]), follow=True)

    assert response.redirect_chain == [(page(series), 302)]
    assert says(response, "Our webhook removed.")
    assert not Bot.objects.exists()
    assert 'id="bots-none"' in response.text


def test_it_does_not_find_a_bot_that_is_gone(admin, bot):
    pk = bot.pk
    bot.delete()

    assert admin.post(reverse("bot-test", args=[pk])).status_code == 404
