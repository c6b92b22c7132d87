import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Invitation
from accounts.services import AccountError, invitation_add, invitation_problem
from tests.factories import InvitationFactory, UserFactory

WEEK = datetime.timedelta(days=7)


def new_invitation(**fields) -> Invitation:
    return Invitation(expires_at=timezone.now() + WEEK, **fields)


def test_it_saves_who_made_the_invitation(admin_user):
    invitation = invitation_add(
        invitation=new_invitation(max_uses=3, note="for the lab"), by=admin_user
    )

    assert invitation.created_by == admin_user
    assert (invitation.max_uses, invitation.uses, invitation.note) == (3, 0, "for the lab")
    assert invitation_problem(invitation) is None


def test_it_records_the_invitation_with_its_terms(admin_user):
    invitation = invitation_add(
        invitation=new_invitation(max_uses=3, note="for the lab"),
        by=admin_user,
        scope="openllm-talk/8",
    )

    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == admin_user
    assert event.target_id == str(invitation.pk)
    assert event.scope == "openllm-talk/8"
    assert event.before == {}
    assert event.after == {
        "note": "for the lab",
        "max_uses": 3,
        "expires_at": invitation.expires_at.astimezone(datetime.UTC).isoformat(),
    }


def test_it_refuses_a_suspended_member(db):
    suspended = UserFactory(suspended_until=timezone.now() + WEEK, suspension_reason="spam")

    with pytest.raises(AccountError) as refused:
        invitation_add(invitation=new_invitation(), by=suspended)

    assert str(refused.value.message) == "A suspended account cannot invite."
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"expires_at": timezone.now() - datetime.timedelta(seconds=1)},
            "This invitation has expired. Ask an admin for a new one.",
        ),
        (
            {"max_uses": 2, "uses": 2},
            "This invitation has already been used. Ask an admin for a new one.",
        ),
        (
            {"revoked_at": timezone.now()},
            "This invitation has been withdrawn. Ask an admin for a new one.",
        ),
    ],
)
def test_it_says_why_an_invitation_cannot_be_used(db, fields, problem):
    assert str(invitation_problem(InvitationFactory(**fields))) == problem


def test_it_says_a_revoked_invitation_is_withdrawn_even_once_expired(db):
    invitation = InvitationFactory(
        revoked_at=timezone.now(), expires_at=timezone.now() - datetime.timedelta(days=1)
    )

    assert invitation.why_unusable() == Invitation.REVOKED


def test_it_says_an_unknown_link_is_not_valid():
    assert str(invitation_problem(None)) == (
        "This invitation link is not valid. Ask an admin for a new one."
    )
