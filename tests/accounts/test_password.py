import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

CHANGE = reverse("accounts:password-change")
LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password-reset")
NEW = "quiet-orchard-ladder-77"


def can_log_in(alias, password):
    response = Client().post(LOGIN, {"username": alias, "password": password})
    return response.status_code == 302


@pytest.fixture
def reader(db):
    return UserFactory(alias="reader", email="reader@example.com")


def main_of(response):
    return response.text[response.text.index("<main") : response.text.index("</main>")]


def reset_link(message):
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_it_asks_a_visitor_to_log_in_before_changing(client, db):
    response = client.get(CHANGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_changes_the_password(client, member):
    client.force_login(member)

    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change-done")
    assert can_log_in("初七", NEW)
    assert not can_log_in("初七", PASSWORD)


def test_it_keeps_the_member_logged_in_after_a_change(client, member):
    client.force_login(member)

    client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})

    assert client.get(reverse("accounts:password-change-done")).status_code == 200


def test_it_needs_the_old_password(client, member):
    client.force_login(member)

    response = client.post(
        CHANGE, {"old_password": "a-wrong-guess", "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert response.context["form"].errors["old_password"]
    assert can_log_in("初七", PASSWORD)


@pytest.mark.parametrize(("first", "second"), [(NEW, NEW + "x"), ("12345678", "12345678")])
def test_it_refuses_a_mismatched_or_weak_new_password(client, member, first, second):
    client.force_login(member)

    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": first, "new_password2": second}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["new_password2"]
    assert can_log_in("初七", PASSWORD)


def test_it_refuses_a_reset_for_what_is_not_an_address(client, reader):
    response = client.post(RESET, {"email": "reader-at-example"})

    assert response.status_code == 422
    assert response.context["form"].errors["email"]
    assert 'value="reader-at-example"' in response.text  # kept in the form
    assert not mail.outbox


def test_it_mails_a_reset_link(client, reader):
    response = client.post(RESET, {"email": "reader@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    assert message.subject == "Reset your issue desk password"
    assert "Hello reader," in message.body
    assert reset_link(message)


def test_it_matches_the_address_whatever_its_case(client, reader):
    client.post(RESET, {"email": "Reader@Example.COM"})

    assert len(mail.outbox) == 1


def test_it_tells_nothing_about_an_unknown_address(client, reader):
    known = client.post(RESET, {"email": "reader@example.com"}, follow=True)
    unknown = client.post(RESET, {"email": "stranger@example.com"}, follow=True)

    assert len(mail.outbox) == 1
    assert unknown.redirect_chain == known.redirect_chain
    assert main_of(unknown) == main_of(known)
    assert "stranger@example.com" not in unknown.text


def test_it_sends_nothing_to_a_deactivated_member(client, db):
    UserFactory(alias="gone", email="gone@example.com", is_active=False)

    client.post(RESET, {"email": "gone@example.com"})

    assert mail.outbox == []


def test_it_keeps_each_mail_to_its_own_account(client, reader):
    UserFactory(alias="neighbour", email="neighbour@example.com")
    UserFactory(alias="alt", email="reader@example.com")

    client.post(RESET, {"email": "reader@example.com"})

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.to == ["reader@example.com"]
        assert "neighbour" not in message.body
    assert {"Hello reader," in m.body for m in mail.outbox} == {True, False}
    assert {"Hello alt," in m.body for m in mail.outbox} == {True, False}


def test_it_lets_the_link_set_a_new_password(client, reader):
    client.post(RESET, {"email": "reader@example.com"})
    form = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form.context["validlink"]

    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )

    assert done.redirect_chain[-1][0] == reverse("accounts:password-reset-complete")
    assert can_log_in("reader", NEW)
    assert not can_log_in("reader", PASSWORD)


def test_it_lets_a_link_work_only_once(client, reader):
    client.post(RESET, {"email": "reader@example.com"})
    link = reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    again = Client().get(link, follow=True)

    assert not again.context["validlink"]
    assert "This reset link is no longer valid." in again.text


def test_it_refuses_a_tampered_link(client, reader):
    client.post(RESET, {"email": "reader@example.com"})
    link = reset_link(mail.outbox[0])

    response = client.get(link[:-4] + "abc/", follow=True)

    assert not response.context["validlink"]


def test_the_console_mail_of_make_run_shows_the_reset_link_as_sent(
    client, reader, settings, capsys
):
    # `make run` has no SMTP server: the mail goes to the console, where the
    # member (or the admin helping them) copies the link from.
    settings.MAILERS = {"default": {"BACKEND": "talk.mail.ReadableConsoleBackend"}}
    settings.LANGUAGE_CODE = "zh-hans"

    client.post(RESET, {"email": "reader@example.com"}, headers={"accept-language": "zh-hans"})

    printed = capsys.readouterr().out
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", printed).group(1)
    assert client.get(link, follow=True).status_code == 200
    assert "To: reader@example.com" in printed
    assert "base64" not in printed
    assert "reader，你好" in printed.split("[text/plain]")[1]
