import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import AccountError, invitation_create, invitation_problem
from tests.factories import InvitationFactory

WEEK = datetime.timedelta(days=7)


def test_it_lets_an_admin_invite(admin_user):
    invitation = invitation_create(by=admin_user, max_uses=3, valid_for=WEEK, note="for the lab")

    assert invitation.created_by == admin_user
    assert (invitation.max_uses, invitation.uses, invitation.note) == (3, 0, "for the lab")
    assert WEEK - datetime.timedelta(minutes=1) < invitation.expires_at - timezone.now() <= WEEK
    assert invitation_problem(invitation) is None


def test_it_records_the_invitation(admin_user):
    invitation = invitation_create(by=admin_user, max_uses=3, valid_for=WEEK)

    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == admin_user
    assert event.target_id == str(invitation.pk)
    assert event.after == {"uses": 3}


def test_it_refuses_a_member_who_is_not_an_admin(member):
    with pytest.raises(AccountError) as refused:
        invitation_create(by=member, valid_for=WEEK)

    assert str(refused.value.message) == "Only admins can invite."
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
    ],
)
def test_it_says_why_an_invitation_cannot_be_used(db, fields, problem):
    assert str(invitation_problem(InvitationFactory(**fields))) == problem


def test_it_says_an_unknown_link_is_not_valid():
    assert str(invitation_problem(None)) == (
        "This invitation link is not valid. Ask an admin for a new one."
    )
