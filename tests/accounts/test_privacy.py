import re

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, UserFactory

SECRET = "outsider.private@example.com"


@pytest.fixture
def outsider_with_email(outsider):
    outsider.email = SECRET
    outsider.save()
    return outsider


def accounts_pages():
    invitation = InvitationFactory()
    return [
        reverse("accounts:login"),
        reverse("accounts:sign-up", args=[invitation.token]),
        reverse("accounts:sign-up", args=["unknown"]),
        reverse("accounts:preferences"),
        reverse("accounts:password-change"),
        reverse("accounts:password-change-done"),
        reverse("accounts:password-reset"),
        reverse("accounts:password-reset-done"),
        reverse("accounts:password-reset-complete"),
    ]


def test_it_shows_no_other_members_email_on_any_accounts_page(client, member, outsider_with_email):
    member.email = "mine@example.com"
    member.save()
    client.force_login(member)

    for url in accounts_pages():
        response = client.get(url, follow=True)

        assert response.status_code in {200, 410}, url
        assert SECRET not in response.text, url


def test_it_shows_a_visitor_no_email_on_any_accounts_page(client, outsider_with_email):
    for url in accounts_pages():
        response = client.get(url, follow=True)

        assert SECRET not in response.text, url


def test_it_shows_the_member_only_their_own_email(client, member, outsider_with_email):
    member.email = "mine@example.com"
    member.save()
    client.force_login(member)

    page = client.get(reverse("accounts:preferences")).text

    assert set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", page)) == {"mine@example.com"}


def test_it_does_not_echo_an_email_from_a_failed_sign_up(client, outsider_with_email):
    invitation = InvitationFactory()

    response = client.post(
        reverse("accounts:sign-up", args=[invitation.token]),
        {"alias": "路人", "email": "", "password1": "x", "password2": "y"},
    )

    assert SECRET not in response.text


def test_it_does_not_reveal_a_members_alias_or_email_to_a_reset_request(client, db):
    UserFactory(alias="quiet", email="quiet@example.com")

    page = client.post(
        reverse("accounts:password-reset"), {"email": "quiet@example.com"}, follow=True
    )

    assert "quiet" not in page.text
