import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Invitation, User
from tests.factories import InvitationFactory, UserFactory


def test_it_refuses_an_alias_that_differs_only_in_case_in_the_database(db):
    User.objects.create_user(alias="foo", password="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(alias="Foo", password="x")

    assert User.objects.filter(alias__iexact="foo").count() == 1


def test_it_reports_the_clash_in_full_clean(db):
    UserFactory(alias="foo")

    with pytest.raises(ValidationError) as refused:
        User(alias="FOO").full_clean(exclude=["password"])

    assert refused.value.message_dict == {"__all__": ["That alias is taken. Choose another."]}


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("me@example.com", "at_sign"),
        ("me＠example.com", "at_sign"),
        ("\u3000padded", "spaces"),
        (" padded", "spaces"),
        ("padded ", "spaces"),
        ("bell\x07", "control"),
        ("line\nbreak", "control"),
    ],
)
def test_it_refuses_an_alias_that_could_mislead(db, alias, code):
    with pytest.raises(ValidationError) as refused:
        User(alias=alias).full_clean(exclude=["password"])

    assert code in [error.code for error in refused.value.error_dict["alias"]]


@pytest.mark.parametrize("alias", ["羡鱼", "yuhan", "初七", "Open LLM", "a.b-c_d"])
def test_it_accepts_ordinary_aliases(db, alias):
    User(alias=alias).full_clean(exclude=["password"])


def test_it_folds_full_width_letters_when_creating_a_user(db):
    user = User.objects.create_user(alias="ｙｕｈａｎ", password="x")

    assert user.alias == "yuhan"


def test_it_finds_a_user_by_alias_whatever_its_case(db):
    user = UserFactory(alias="yuhan")

    assert User.objects.get_by_natural_key("YUHAN") == user


def test_it_requires_an_alias(db):
    with pytest.raises(ValueError, match="alias"):
        User.objects.create_user(alias="", password="x")


def test_it_makes_a_superuser_an_admin(db):
    user = User.objects.create_superuser(alias="root", password="x")

    assert user.is_staff
    assert user.is_superuser


def test_it_names_people_only_by_alias(db):
    user = UserFactory(alias="羡鱼", email="real.name@example.com")

    assert str(user) == user.get_full_name() == user.get_short_name() == "羡鱼"
    assert not hasattr(user, "first_name")
    assert not hasattr(user, "last_name")


def test_it_refuses_an_unknown_time_zone(db):
    with pytest.raises(ValidationError) as refused:
        User(alias="x", time_zone="Mars/Olympus_Mons").full_clean(exclude=["password"])

    assert "time_zone" in refused.value.error_dict


def test_it_makes_unguessable_distinct_invitation_tokens(db):
    first, second = InvitationFactory(), InvitationFactory()

    assert first.token != second.token
    assert len(first.token) >= 32


def test_it_counts_an_invitation_usable_until_used_up_or_expired(db):
    now = timezone.now()
    invitation = InvitationFactory(max_uses=2, uses=1, expires_at=now + datetime.timedelta(hours=1))

    assert invitation.is_usable(now)
    assert not invitation.is_usable(now + datetime.timedelta(hours=1))
    invitation.uses = 2
    assert not invitation.is_usable(now)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"max_uses": 2, "uses": 1}, None),
        ({"max_uses": 2, "uses": 2}, "used up"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "expired"),
        ({"revoked_at": timezone.now()}, "revoked"),
    ],
)
def test_it_says_the_same_of_an_invitation_in_python_and_in_sql(db, fields, reason):
    invitation = InvitationFactory(**fields)

    assert invitation.why_unusable() == reason
    usable = Invitation.objects.usable().filter(pk=invitation.pk).exists()
    assert usable == invitation.is_usable() == (reason is None)


def test_it_refuses_more_uses_than_allowed_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(max_uses=1, uses=2)


def test_it_refuses_an_invitation_with_no_uses_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(max_uses=0)


def test_it_explains_in_full_clean_that_uses_exceed_the_limit(db):
    invitation = InvitationFactory(max_uses=3, uses=2)
    invitation.max_uses = 1

    with pytest.raises(ValidationError) as refused:
        invitation.full_clean()

    assert "max_uses" in refused.value.error_dict
