"""The one-click unsubscribe (RFC 8058): the link every mail carries, which a
mail client posts without a session, and a member may open to be asked."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from notify.kinds import DEFAULTS, Email, Kind
from notify.models import Notice, Preference
from notify.services import digests_send
from sections.models import Question
from sections.services import answer_post
from tests.factories import UserFactory
from tests.responses import rendered, says

from .test_answered import ask_and_answer

pytestmark = pytest.mark.usefixtures("english")

ONE_CLICK = "List-Unsubscribe=One-Click"
DONE = "Done: no more mail about:"
BAD = "This unsubscribe link is not valid"


def link_of(mail) -> str:
    """The path of the mail's List-Unsubscribe address."""
    header = mail["List-Unsubscribe"]
    assert header.startswith("<"), header
    assert header.endswith(">"), header
    return urlsplit(header[1:-1]).path


@pytest.fixture
def mail(issue, asker, answerer, smtp, committed):
    """The mail the asker got when their question was answered."""
    ask_and_answer(issue, asker, answerer, committed)
    [message] = smtp.wait_for(1)
    return message


def mail_client():
    """A mail client: no session, no cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def one_click(url: str):
    return mail_client().post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_it_puts_the_one_click_headers_on_the_mail(mail, settings):
    header = mail["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == ONE_CLICK
    # The same link is in the text, for readers without the client's button.
    assert header[1:-1] in mail.get_body(("plain",)).get_content()
    assert header[1:-1] in mail.get_body(("html",)).get_content()


def test_it_only_asks_on_a_get(mail, asker):
    response = mail_client().get(link_of(mail))

    assert response.status_code == 200
    assert rendered(response) == "notify/unsubscribe.html"
    assert says(response, "Stop the mail this link came with?")
    assert f'<form method="post" action="{link_of(mail)}">' in response.text
    assert not Preference.objects.exists()


def test_it_stops_that_kind_of_mail_on_a_one_click_post(mail, asker):
    response = one_click(link_of(mail))

    assert response.status_code == 200
    assert says(response, DONE)
    assert says(response, Kind.ANSWERED.label)
    [preference] = Preference.objects.all()
    assert (preference.user, preference.kind) == (asker, Kind.ANSWERED)
    assert (preference.inbox, preference.email) == (True, Email.NEVER)
    # The inbox is as it was: the entry stays, unread.
    [notice] = Notice.objects.all()
    assert notice.read_at is None


def test_it_mails_that_kind_no_more(mail, asker, smtp, committed):
    one_click(link_of(mail))
    with committed():
        answer_post(
            question_id=Question.objects.get().pk, user=UserFactory(alias="第三人"), body="Or Yi."
        )

    assert Notice.objects.filter(recipient=asker).count() == 2
    assert len(smtp.messages) == 1


def test_it_keeps_an_inbox_the_member_had_turned_off(mail, asker):
    Preference.objects.create(user=asker, kind=Kind.ANSWERED, inbox=False, email=Email.IMMEDIATELY)

    one_click(link_of(mail))

    preference = Preference.objects.get()
    assert (preference.inbox, preference.email) == (False, Email.NEVER)


def test_it_takes_the_same_click_twice(mail):
    one_click(link_of(mail))

    response = one_click(link_of(mail))

    assert response.status_code == 200
    assert Preference.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-3], id="cut-short"),
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="changed"),
        pytest.param(lambda token: "not-a-token", id="made-up"),
    ],
)
def test_it_refuses_a_tampered_token_in_words(mail, tamper):
    token = link_of(mail).rstrip("/").rsplit("/", 1)[1]

    response = one_click(f"/notifications/unsubscribe/{tamper(token)}/")

    assert response.status_code == 400
    assert says(response, BAD)
    assert not Preference.objects.exists()


def test_it_refuses_the_link_of_a_closed_account(mail, asker):
    asker.is_active = False
    asker.save(update_fields=["is_active"])

    response = one_click(link_of(mail))

    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_it_stops_every_kind_from_a_digests_link(issue, asker, answerer, smtp, committed):
    Preference.objects.create(user=asker, kind=Kind.ANSWERED, inbox=True, email=Email.DIGEST)
    # Opted into the series' news in the inbox: that stays.
    Preference.objects.create(
        user=asker, kind=Kind.ISSUE_PUBLISHED, inbox=True, email=Email.IMMEDIATELY
    )
    ask_and_answer(issue, asker, answerer, committed)
    digests_send()
    [digest] = smtp.wait_for(1)

    response = one_click(link_of(digest))

    assert response.status_code == 200
    assert says(response, "Done: the desk sends you no more mail.")
    chosen = {p.kind: (p.inbox, p.email) for p in Preference.objects.filter(user=asker)}
    assert set(chosen) == set(Kind)
    assert {email for _inbox, email in chosen.values()} == {Email.NEVER}
    assert chosen[Kind.ISSUE_PUBLISHED] == (True, Email.NEVER)
    assert chosen[Kind.ANSWERED] == (True, Email.NEVER)
    assert chosen[Kind.ISSUE_OPENED] == (DEFAULTS[Kind.ISSUE_OPENED].inbox, Email.NEVER)
