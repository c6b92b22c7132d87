"""Invitations made and revoked in the desk: admins always; the host and
editor of an open issue when its series lets them (Series.hosts_invite)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Invitation
from sections.errors import Gone, Invalid, NotAllowed
from talk.models import Issue, Series
from talk.policy import may_invite
from talk.services import BadExpiry, invitation_create, invitation_revoke
from tests.factories import InvitationFactory, UserFactory

from .conftest import put_in

pytestmark = pytest.mark.usefixtures("english")

WEEK = datetime.timedelta(days=7)
REFUSED = (
    "Only admins can invite, and the host and editor of an open issue when the series lets them."
)


def in_a_week():
    return timezone.now() + WEEK


def hosts_invite(series, allowed=True):
    Series.objects.filter(pk=series.pk).update(hosts_invite=allowed)


def test_it_lets_an_admin_invite(admin_user):
    invitation = invitation_create(by=admin_user, expires_at=in_a_week(), max_uses=3, note=" lab ")

    assert invitation.created_by == admin_user
    assert (invitation.max_uses, invitation.uses, invitation.note) == (3, 0, "lab")
    assert invitation.is_usable()
    event = AuditEvent.objects.get(action="invitation.create")
    assert (event.actor, event.scope) == (admin_user, "")


@pytest.mark.parametrize("role", ["host", "editor"])
def test_it_lets_the_hosts_invite_where_the_series_lets_them(who, issue, role):
    hosts_invite(issue.series)

    invitation = invitation_create(by=who(role), expires_at=in_a_week())

    assert invitation.created_by == who(role)
    event = AuditEvent.objects.get(action="invitation.create", target_id=str(invitation.pk))
    assert event.actor == who(role)
    assert event.scope == "openllm-talk/8"


@pytest.mark.parametrize("role", ["host", "editor"])
def test_it_refuses_a_host_whose_series_does_not_let_them(who, issue, role):
    assert not issue.series.hosts_invite

    with pytest.raises(NotAllowed) as refused:
        invitation_create(by=who(role), expires_at=in_a_week())

    assert str(refused.value.message) == REFUSED
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "owner", "author"])
def test_it_refuses_everyone_else(who, issue, role):
    hosts_invite(issue.series)

    with pytest.raises(NotAllowed):
        invitation_create(by=who(role), expires_at=in_a_week())

    assert not Invitation.objects.exists()


@pytest.mark.parametrize("state", ["frozen", "published"])
def test_it_refuses_the_host_of_an_issue_no_longer_open(host, issue, state):
    hosts_invite(issue.series)
    put_in(issue, state)

    assert not may_invite(host)
    with pytest.raises(NotAllowed):
        invitation_create(by=host, expires_at=in_a_week())


def test_it_lets_the_host_invite_during_the_meeting(host, issue):
    hosts_invite(issue.series)
    put_in(issue, "live")

    assert invitation_create(by=host, expires_at=in_a_week()).created_by == host


def test_it_refuses_a_suspended_host(host, issue):
    hosts_invite(issue.series)
    host.suspended_until = timezone.now() + WEEK
    host.save()

    with pytest.raises(NotAllowed):
        invitation_create(by=host, expires_at=in_a_week())


def test_it_takes_the_right_from_the_series_the_host_hosts(host, issue, series):
    other = Series.objects.create(slug="other-talk", name="Other Talk", hosts_invite=True)
    Issue.objects.create(series=other, number=1, code="1", host=host)

    invitation = invitation_create(by=host, expires_at=in_a_week())

    assert AuditEvent.objects.get(target_id=str(invitation.pk)).scope == "other-talk/1"


@pytest.mark.parametrize(
    ("expires_in", "message"),
    [
        (datetime.timedelta(minutes=-1), "An invitation has to expire in the future."),
        (datetime.timedelta(days=91), "An invitation can last 90 days at most."),
    ],
)
def test_it_refuses_an_expiry_out_of_bounds(admin_user, expires_in, message):
    with pytest.raises(BadExpiry) as refused:
        invitation_create(by=admin_user, expires_at=timezone.now() + expires_in)

    assert str(refused.value.message) == message
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("max_uses", [0, 101])
def test_it_refuses_a_number_of_uses_out_of_bounds(admin_user, max_uses):
    with pytest.raises(Invalid) as refused:
        invitation_create(by=admin_user, expires_at=in_a_week(), max_uses=max_uses)

    assert str(refused.value.message) == "An invitation signs up between 1 and 100 people."


# Revoking


def test_it_lets_an_admin_revoke_any_invitation(admin_user, db):
    invitation = InvitationFactory(created_by=UserFactory(alias="another admin", is_staff=True))

    invitation_revoke(invitation_id=invitation.pk, by=admin_user)

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not invitation.is_usable()
    assert not Invitation.objects.usable().filter(pk=invitation.pk).exists()
    event = AuditEvent.objects.get(action="invitation.revoke")
    assert event.actor == admin_user
    assert event.target_id == str(invitation.pk)
    assert event.before == {"revoked_at": None}
    assert event.after == {"revoked_at": invitation.revoked_at.isoformat()}


def test_it_lets_whoever_made_one_revoke_it_even_without_the_right_any_more(host, issue):
    invitation = InvitationFactory(created_by=host)
    assert not may_invite(host)

    invitation_revoke(invitation_id=invitation.pk, by=host)

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.parametrize("role", ["anonymous", "outsider", "host"])
def test_it_refuses_to_revoke_someone_elses(who, admin_user, issue, role):
    hosts_invite(issue.series)
    invitation = InvitationFactory(created_by=admin_user)

    with pytest.raises(NotAllowed) as refused:
        invitation_revoke(invitation_id=invitation.pk, by=who(role))

    assert str(refused.value.message) == (
        "Only admins and whoever made an invitation can revoke it."
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert not AuditEvent.objects.exists()


def test_it_revokes_once(admin_user, db):
    invitation = InvitationFactory()
    first = invitation_revoke(invitation_id=invitation.pk, by=admin_user)

    again = invitation_revoke(invitation_id=invitation.pk, by=admin_user)

    assert again.revoked_at == first.revoked_at
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_it_says_a_missing_invitation_is_gone(admin_user, db):
    with pytest.raises(Gone):
        invitation_revoke(invitation_id=12345, by=admin_user)
