"""How the desk tells a member (/notifications/settings/): every kind with its
default, and what saving a choice changes in the fan-out."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notify.kinds import AUDIENCE, DEFAULTS, Audience, Email, Kind
from notify.models import Delivery, DeliveryStatus, Notice, Preference
from notify.services import digests_send
from sections.services import answer_post
from tests.factories import UserFactory
from tests.responses import assert_sent_to_log_in, by_id, rendered, says

from .conftest import told
from .test_answered import ask_and_answer

pytestmark = pytest.mark.usefixtures("english")

SETTINGS = reverse("notify-preferences")
PERSONAL = [kind for kind in Kind if AUDIENCE[kind] == Audience.MEMBER]
SERIES_WIDE = [kind for kind in Kind if AUDIENCE[kind] == Audience.SERIES]


def row(html: str, kind: str) -> str:
    return by_id(html, f"preference-{kind}")


def selected(html: str, kind: str) -> str:
    """The email choice the row shows."""
    cell = row(html, kind)
    return cell.split(" selected>", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def checked(html: str, kind: str) -> bool:
    return " checked" in row(html, kind)


def defaults(kinds=Kind) -> dict[str, str]:
    """What the form posts when nothing is changed."""
    data = {}
    for kind in kinds:
        if AUDIENCE[kind] == Audience.STEWARDS:
            continue
        default = DEFAULTS[kind]
        if default.inbox:
            data[f"{kind}-inbox"] = "on"
        data[f"{kind}-email"] = default.email
    return data


def save(client, **changes):
    return client.post(SETTINGS, {**defaults(), **changes})


# The page


def test_it_shows_every_kind_with_its_default(client, member):
    member.email = "chuqi@example.org"
    member.save()
    client.force_login(member)

    response = client.get(SETTINGS)

    assert response.status_code == 200
    assert rendered(response) == "notify/preferences.html"
    html = response.text
    for kind in SERIES_WIDE:
        assert not checked(html, kind), kind
        assert selected(html, kind) == Email.NEVER, kind
    for kind in PERSONAL:
        assert checked(html, kind), kind
        assert selected(html, kind) == Email.IMMEDIATELY, kind
        assert str(kind.label) in row(html, kind)
    assert "preference-review_needed" not in html
    assert says(response, "Mail goes to the address in your preferences")


@pytest.mark.parametrize("role", ["admin", "host"])
def test_it_shows_the_stewards_their_own_kind(client_as, role):
    html = client_as(role).get(SETTINGS).text

    assert checked(html, Kind.REVIEW_NEEDED)
    assert selected(html, Kind.REVIEW_NEEDED) == Email.IMMEDIATELY


def test_it_shows_what_the_member_chose(client, member):
    Preference.objects.create(user=member, kind=Kind.ANSWERED, inbox=False, email=Email.DIGEST)
    client.force_login(member)

    html = client.get(SETTINGS).text

    assert not checked(html, Kind.ANSWERED)
    assert selected(html, Kind.ANSWERED) == Email.DIGEST
    assert checked(html, Kind.CREDITED)


def test_it_tells_a_member_without_an_address_that_nothing_is_mailed(client, member):
    assert not member.email
    client.force_login(member)

    response = client.get(SETTINGS)

    assert says(response, "You have no email address in your preferences")
    assert f'href="{reverse("accounts:preferences")}"' in response.text


def test_it_sends_a_visitor_to_log_in(client, db):
    assert_sent_to_log_in(client.get(SETTINGS), htmx=False, back_to=SETTINGS)
    assert_sent_to_log_in(client.post(SETTINGS, defaults()), htmx=False, back_to=SETTINGS)
    assert not Preference.objects.exists()


# Saving


def test_it_saves_a_choice_and_says_so(client, asker):
    client.force_login(asker)

    response = save(client, **{"answered-email": Email.NEVER})

    assert response.status_code == 302
    assert response.url == SETTINGS
    [preference] = Preference.objects.all()
    assert (preference.user, preference.kind) == (asker, Kind.ANSWERED)
    assert (preference.inbox, preference.email) == (True, Email.NEVER)
    page = client.get(SETTINGS)
    assert says(page, "Saved. This is how the desk will tell you from now on.")
    assert selected(page.text, Kind.ANSWERED) == Email.NEVER


def test_it_keeps_no_row_for_a_default(client, asker):
    Preference.objects.create(user=asker, kind=Kind.ANSWERED, inbox=False, email=Email.NEVER)
    client.force_login(asker)

    assert save(client).status_code == 302

    assert not Preference.objects.exists()


def test_it_stops_the_mail_but_keeps_the_inbox(client, issue, asker, answerer, smtp, committed):
    client.force_login(asker)
    save(client, **{"answered-email": Email.NEVER})

    ask_and_answer(issue, asker, answerer, committed)

    assert Notice.objects.filter(recipient=asker).count() == 1
    assert not Delivery.objects.exists()
    assert smtp.messages == []


def test_it_stops_the_inbox_but_keeps_the_mail(client, issue, asker, answerer, smtp, committed):
    client.force_login(asker)
    data = defaults()
    del data["answered-inbox"]
    client.post(SETTINGS, data)

    ask_and_answer(issue, asker, answerer, committed)

    assert not Notice.objects.exists()
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "asker@example.org"


def test_it_gathers_the_mail_in_a_digest(client, issue, asker, answerer, smtp, committed):
    client.force_login(asker)
    save(client, **{"answered-email": Email.DIGEST})
    question, _answer = ask_and_answer(issue, asker, answerer, committed)
    with committed():
        answer_post(question_id=question.pk, user=UserFactory(alias="第三人"), body="Or Yi.")

    deliveries = Delivery.objects.filter(recipient=asker)
    assert [(d.digest, d.status) for d in deliveries] == [(True, DeliveryStatus.PENDING)] * 2
    assert smtp.messages == []

    assert digests_send() == 1

    [mail] = smtp.wait_for(1)
    assert mail["Subject"] == "Issue desk: 2 things to read"
    text = mail.get_body(("plain",)).get_content()
    assert "回答者 answered your question" in text
    assert "第三人 answered your question" in text
    assert "Qwen, by a mile." in text
    assert "Or Yi." in text
    assert {d.status for d in deliveries.all()} == {DeliveryStatus.SENT}
    assert digests_send() == 0


def test_it_tells_a_member_of_the_series_news_they_opted_into(client, issue, member):
    client.force_login(member)
    save(client, **{"issue_opened-inbox": "on"})

    event = told(issue, kind=Kind.ISSUE_OPENED)

    assert Notice.objects.get(event=event).recipient == member


def test_it_takes_a_choice_from_a_suspended_member(client, asker):
    # A suspended member may not post, but may still stop the mail.
    asker.suspended_until = timezone.now() + datetime.timedelta(days=3)
    asker.save(update_fields=["suspended_until"])
    client.force_login(asker)

    response = save(client, **{"answered-email": Email.NEVER})

    assert response.status_code == 302
    assert Preference.objects.get(user=asker).email == Email.NEVER


def test_it_ignores_the_stewards_kind_from_a_member(client, member):
    client.force_login(member)

    save(client, **{"review_needed-email": Email.NEVER})

    assert not Preference.objects.exists()


def test_it_refuses_a_choice_that_is_not_offered(client, asker):
    client.force_login(asker)
    data = defaults()
    del data["credited-inbox"]  # typed: unticked
    data["answer_accepted-email"] = Email.DIGEST  # typed: the digest

    response = client.post(SETTINGS, {**data, "answered-email": "hourly"})

    assert response.status_code == 422
    assert rendered(response) == "notify/preferences.html"
    assert 'class="errorlist"' in row(response.text, Kind.ANSWERED)
    assert "Select a valid choice" in row(response.text, Kind.ANSWERED)
    assert 'class="errorlist"' not in row(response.text, Kind.CREDITED)
    # What was typed is still there to correct.
    assert not checked(response.text, Kind.CREDITED)
    assert selected(response.text, Kind.ANSWER_ACCEPTED) == Email.DIGEST
    assert not Preference.objects.exists()


def test_it_refuses_a_post_without_the_token(asker):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(asker)

    response = browser.post(SETTINGS, {**defaults(), "answered-email": Email.NEVER})

    assert response.status_code == 403
    assert not Preference.objects.exists()
