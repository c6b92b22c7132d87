import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, User
from accounts.services import AliasTaken, InvitationInvalid, user_sign_up
from tests.factories import InvitationFactory, UserFactory

STRONG = "kettle-harbour-lantern-42"


@pytest.fixture
def invitation(admin_user):
    return InvitationFactory(created_by=admin_user)


def join_url(invitation):
    return reverse("accounts:sign-up", args=[invitation.token])


def join(client, invitation, **fields):
    data = {"alias": "新人", "email": "", "password1": STRONG, "password2": STRONG} | fields
    return client.post(join_url(invitation), data)


def test_it_shows_the_form_for_a_valid_link(client, invitation):
    response = client.get(join_url(invitation))

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/sign_up.html"
    assert 'name="alias"' in response.text
    assert 'name="password1"' in response.text


def test_it_creates_the_account_and_logs_in(client, invitation):
    response = join(client, invitation, alias="新人", email="new@example.com")

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(alias="新人")
    assert user.email == "new@example.com"
    assert user.check_password(STRONG)
    assert not user.is_staff
    assert client.get(reverse("home")).context["user"] == user


def test_it_uses_one_use_of_the_invitation(client, invitation):
    join(client, invitation)

    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_it_welcomes_the_new_member_by_alias(client, invitation):
    response = join(client, invitation, alias="新人")

    assert "新人" in client.get(response.url).text


def test_it_records_the_sign_up(client, invitation):
    join(client, invitation)

    event = AuditEvent.objects.get(action="account.sign_up")
    user = User.objects.get(alias="新人")
    assert event.actor == user
    assert event.target_id == str(user.pk)
    assert event.after == {"invitation": invitation.pk}


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_gone_for_an_expired_link(client, db, method):
    expired = InvitationFactory(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = getattr(client, method)(join_url(expired))

    assert response.status_code == 410
    assert "This invitation has expired." in response.text
    assert not User.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_gone_for_a_used_up_link(client, db, method):
    used = InvitationFactory(max_uses=1, uses=1)

    response = getattr(client, method)(join_url(used))

    assert response.status_code == 410
    assert "This invitation has already been used." in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_gone_for_a_revoked_link(client, db, method):
    revoked = InvitationFactory(max_uses=5, revoked_at=timezone.now())

    response = getattr(client, method)(join_url(revoked))

    assert response.status_code == 410
    assert "This invitation has been withdrawn." in response.text
    assert not User.objects.exists()


def test_it_signs_nobody_up_once_revoked_after_the_form_was_opened(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())

    with pytest.raises(InvitationInvalid) as refused:
        user_sign_up(token=invitation.token, alias="新人", password=STRONG)

    assert str(refused.value.message).startswith("This invitation has been withdrawn.")
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert not User.objects.filter(alias="新人").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_gone_for_an_unknown_token(client, db, method):
    response = getattr(client, method)(reverse("accounts:sign-up", args=["not-a-token"]))

    assert response.status_code == 410
    assert "This invitation link is not valid." in response.text


def test_it_tells_the_second_tab_that_the_link_is_used(client, invitation):
    join(Client(), invitation, alias="first")

    response = join(client, invitation, alias="second")

    assert response.status_code == 410
    assert "already been used" in response.text
    assert not User.objects.filter(alias="second").exists()


def test_it_lets_a_two_use_link_work_twice_then_refuses(db):
    invitation = InvitationFactory(max_uses=2)

    first = join(Client(), invitation, alias="one")
    second = join(Client(), invitation, alias="two")
    third = join(Client(), invitation, alias="three")

    assert first.status_code == second.status_code == 302
    assert third.status_code == 410
    assert set(User.objects.values_list("alias", flat=True)) == {"one", "two"}
    invitation.refresh_from_db()
    assert invitation.uses == 2


def test_it_keeps_alias_and_email_but_not_passwords_on_errors(client, invitation):
    response = join(
        client,
        invitation,
        alias="typed alias",
        email="typed@example.com",
        password1=STRONG,
        password2="something-else-entirely",
    )

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert 'value="typed alias"' in response.text
    assert 'value="typed@example.com"' in response.text
    assert STRONG not in response.text
    assert "something-else-entirely" not in response.text


def test_it_refuses_passwords_that_differ(client, invitation):
    response = join(client, invitation, password1=STRONG, password2=STRONG + "x")

    assert response.context["form"].errors["password2"] == ["The two passwords differ."]
    assert not User.objects.filter(alias="新人").exists()
    invitation.refresh_from_db()
    assert invitation.uses == 0


@pytest.mark.parametrize("weak", ["12345678", "password", "short"])
def test_it_refuses_a_weak_password(client, invitation, weak):
    response = join(client, invitation, password1=weak, password2=weak)

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(alias="新人").exists()


def test_it_refuses_a_password_close_to_the_email(client, invitation):
    response = join(
        client,
        invitation,
        email="lanternkeeper@example.com",
        password1="lanternkeeper",
        password2="lanternkeeper",
    )

    assert "password1" in response.context["form"].errors


@pytest.mark.parametrize("alias", ["初七", "Member", "MEMBER"])
def test_it_refuses_a_taken_alias_whatever_its_case(client, invitation, alias):
    UserFactory(alias="初七")
    UserFactory(alias="member")

    response = join(client, invitation, alias=alias)

    assert response.context["form"].errors["alias"] == ["That alias is taken. Choose another."]
    invitation.refresh_from_db()
    assert invitation.uses == 0


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("me@example.com", "An alias cannot contain “@”."),
        ("me＠example.com", "An alias cannot contain “@”."),
        ("tab\there", "An alias cannot contain control characters."),
        ("x" * 41, "Ensure this value has at most 40 characters (it has 41)."),
        ("", "This field is required."),
    ],
)
def test_it_explains_what_is_wrong_with_an_alias(client, invitation, alias, message):
    response = join(client, invitation, alias=alias)

    assert response.context["form"].errors["alias"] == [message]


def test_it_trims_spaces_around_the_alias(client, invitation):
    join(client, invitation, alias="  新人  ")

    assert User.objects.filter(alias="新人").exists()


def test_it_folds_full_width_letters_so_nobody_can_pose_as_another(client, invitation):
    UserFactory(alias="yuhan")

    response = join(client, invitation, alias="ｙｕｈａｎ")

    assert response.context["form"].errors["alias"] == ["That alias is taken. Choose another."]


def test_it_does_not_say_which_email_an_alias_uses(client, invitation):
    UserFactory(alias="taken", email="private@example.com")

    response = join(client, invitation, alias="taken")

    assert "private@example.com" not in response.text


def test_it_gives_the_use_back_when_the_alias_is_taken(invitation):
    UserFactory(alias="taken")

    with pytest.raises(AliasTaken):
        user_sign_up(token=invitation.token, alias="TAKEN", password=STRONG)

    invitation.refresh_from_db()
    assert invitation.uses == 0


@pytest.mark.postgres
def test_it_creates_exactly_one_account_when_two_redeem_at_once(transactional_db):
    invitation = InvitationFactory(max_uses=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def redeem(alias):
        try:
            barrier.wait()
            user_sign_up(token=invitation.token, alias=alias, password=STRONG)
            outcomes.append("joined")
        except InvitationInvalid:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(alias,)) for alias in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["joined", "refused"]
    assert User.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).uses == 1
