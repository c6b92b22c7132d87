"""The invitations page (/invitations/): making a sign-up link with a
default expiry, copying it, the list with what became of each, and
revoking one. For admins, and the hosts of a series that lets them."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AuditEvent, Invitation
from talk.models import Series
from talk.services import issue_freeze
from tests.factories import InvitationFactory, UserFactory
from tests.responses import (
    BOTH_WAYS,
    HTMX,
    assert_sent_to_log_in,
    by_attr,
    by_id,
    headers,
    htmx_from,
    rendered,
    says,
)

PAGE = reverse("invitations")


def revoke_url(invitation) -> str:
    return reverse("invitation-revoke", args=[invitation.pk])


def hosts_invite(series, allowed=True):
    Series.objects.filter(pk=series.pk).update(hosts_invite=allowed)


def form(**fields):
    later = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    return {
        "note": "for yuhan",
        "max_uses": "2",
        "expires_at": later.strftime("%Y-%m-%dT%H:%M"),
        **fields,
    }


# Who may


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_a_visitor_to_log_in(client, db, htmx, method):
    sent = htmx_from(PAGE) if htmx else {}

    response = getattr(client, method)(PAGE, form() if method == "post" else {}, headers=sent)

    assert_sent_to_log_in(response, htmx=htmx, back_to=PAGE)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["author", "outsider", "owner", "host"])
def test_it_refuses_whoever_may_not_invite(client_as, issue, role):
    assert not issue.series.hosts_invite
    client = client_as(role)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form()).status_code == 403
    assert client.post(PAGE, form(), headers=HTMX).status_code == 403

    assert not Invitation.objects.exists()


def test_it_lets_a_host_invite_where_the_series_lets_them(client_as, host, issue):
    hosts_invite(issue.series)
    client = client_as("host")

    response = client.post(PAGE, form())

    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response.url == f"{PAGE}#invitation-{invitation.pk}"
    assert invitation.created_by == host
    assert AuditEvent.objects.get(action="invitation.create").scope == "openllm-talk/8"


def test_it_refuses_a_post_without_the_token(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    assert browser.post(PAGE, form()).status_code == 403
    assert not Invitation.objects.exists()


# The form


def test_it_fills_in_an_expiry_a_week_ahead(client_as, people):
    response = client_as("admin").get(PAGE)

    assert response.status_code == 200
    shown = response.context["form"]["expires_at"].initial
    week = datetime.timedelta(days=7)
    assert week - datetime.timedelta(minutes=2) < shown - timezone.now() <= week
    field = by_id(response.text, "id_expires_at")
    assert 'type="datetime-local"' in field
    assert timezone.localtime(shown).strftime('value="%Y-%m-%dT%H:%M"') in field


def test_it_takes_an_empty_expiry_for_a_week(client_as, people):
    client_as("admin").post(PAGE, form(expires_at=""))

    left = Invitation.objects.get().expires_at - timezone.now()
    assert datetime.timedelta(days=6, hours=23) < left <= datetime.timedelta(days=7)


def test_it_makes_the_invitation_as_typed(client_as, admin_user):
    expires = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        second=0, microsecond=0
    )

    client_as("admin").post(PAGE, form(expires_at=expires.strftime("%Y-%m-%dT%H:%M"), max_uses="5"))

    invitation = Invitation.objects.get()
    assert (invitation.note, invitation.max_uses, invitation.uses) == ("for yuhan", 5, 0)
    assert invitation.expires_at == expires
    assert invitation.created_by == admin_user


def test_it_answers_htmx_with_the_form_the_link_and_the_list(client_as, people):
    response = client_as("admin").post(PAGE, form(), headers=HTMX)

    invitation = Invitation.objects.get()
    link = f"http://testserver{reverse('accounts:sign-up', args=[invitation.token])}"
    assert response.status_code == 200
    assert rendered(response) == "accounts/invitations.html#invitation-form"
    created = by_id(response.text, "invitation-created")
    assert link in by_id(created, f"created-link-{invitation.pk}")
    assert f'data-copy="created-link-{invitation.pk}"' in created
    listed = by_id(response.text, "invitation-list")
    assert 'hx-swap-oob="true"' in listed
    assert link in by_id(listed, f"invitation-{invitation.pk}")
    # A fresh form for the next one.
    assert 'value="for yuhan"' not in by_id(response.text, "invitation-form")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"expires_at": "2001-01-01T10:00"},
            "expires_at",
            "An invitation has to expire in the future.",
        ),
        ({"expires_at": "next week"}, "expires_at", "Enter a valid date/time."),
        ({"max_uses": "0"}, "max_uses", "Ensure this value is greater than or equal to 1."),
        ({"max_uses": "500"}, "max_uses", "Ensure this value is less than or equal to 100."),
    ],
)
def test_it_says_what_is_wrong_in_place_and_keeps_what_was_typed(
    client_as, people, htmx, fields, field, message
):
    response = client_as("admin").post(PAGE, form(note="for 初七", **fields), headers=headers(htmx))

    assert response.status_code == 422
    assert not Invitation.objects.exists()
    expected = "accounts/invitations.html#invitation-form" if htmx else "accounts/invitations.html"
    assert rendered(response) == expected
    assert response.context["form"].errors[field] == [message]
    region = by_id(response.text, "invitation-form")
    assert escape(message) in region
    assert 'value="for 初七"' in region


def test_it_shows_the_link_as_text_for_a_page_without_script(client_as, admin_user):
    invitation = InvitationFactory(created_by=admin_user)

    response = client_as("admin").get(PAGE)

    row = by_id(response.text, f"invitation-{invitation.pk}")
    link = f"http://testserver{reverse('accounts:sign-up', args=[invitation.token])}"
    assert f'<code id="invitation-link-{invitation.pk}">{link}</code>' in row
    # The copy button waits for the script that makes it work.
    button = by_attr(row, "data-copy", f"invitation-link-{invitation.pk}")
    assert " hidden>" in button


# The list


def test_it_lists_what_became_of_each_invitation(client_as, admin_user):
    now = timezone.now()
    rows = {
        "open": InvitationFactory(note="open one", created_by=admin_user, max_uses=3, uses=1),
        "used up": InvitationFactory(note="used", max_uses=1, uses=1),
        "expired": InvitationFactory(note="late", expires_at=now - datetime.timedelta(hours=1)),
        "revoked": InvitationFactory(note="withdrawn", revoked_at=now),
    }

    response = client_as("admin").get(PAGE)

    for status, invitation in rows.items():
        row = by_id(response.text, f"invitation-{invitation.pk}")
        assert f'<span class="badge">{status}</span>' in row
        # Only an open one's link is worth copying.
        assert (invitation.token in row) == (status == "open")
    assert "1 / 3" in by_id(response.text, f"invitation-{rows['open'].pk}")
    assert admin_user.alias in by_id(response.text, f"invitation-{rows['open'].pk}")


def test_it_shows_a_host_only_their_own_invitations(client_as, host, admin_user, issue):
    hosts_invite(issue.series)
    theirs = InvitationFactory(created_by=host, note="from the host")
    InvitationFactory(created_by=admin_user, note="from an admin")

    response = client_as("host").get(PAGE)

    assert [row.pk for row in response.context["invitations"].rows] == [theirs.pk]
    assert "from an admin" not in response.text
    assert "Your invitations" in response.text


def test_it_lets_a_host_who_lost_the_right_look_after_their_invitations(client_as, host, issue):
    theirs = InvitationFactory(created_by=host)

    response = client_as("host").get(PAGE)

    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'id="invitation-form"' not in response.text
    assert f'action="{revoke_url(theirs)}"' in response.text
    assert client_as("host").post(PAGE, form()).status_code == 403


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    client_as, admin_user, django_assert_max_num_queries
):
    client = client_as("admin")
    InvitationFactory.create_batch(3, created_by=admin_user)
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    InvitationFactory.create_batch(20, created_by=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PAGE)


def test_it_pages_a_long_list(client_as, admin_user):
    InvitationFactory.create_batch(51, created_by=admin_user)

    first = client_as("admin").get(PAGE)
    second = client_as("admin").get(PAGE, {"page": 2})

    assert len(first.context["invitations"].rows) == 50
    assert len(second.context["invitations"].rows) == 1
    assert "Page 1 of 2" in first.text


# Revoking


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_lets_an_admin_revoke_one(client_as, admin_user, htmx):
    invitation = InvitationFactory(created_by=UserFactory(is_staff=True))

    response = client_as("admin").post(revoke_url(invitation), headers=headers(htmx))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.get(action="invitation.revoke").actor == admin_user
    if htmx:
        assert response.status_code == 200
        assert rendered(response) == "accounts/invitations.html#invitation-list"
        row = by_id(response.text, f"invitation-{invitation.pk}")
        assert '<span class="badge">revoked</span>' in row
        assert invitation.token not in row
        # The link just made, shown above the form, may be this one: it goes.
        emptied = by_id(response.text, "invitation-created")
        assert 'hx-swap-oob="true"' in emptied
        assert "http://" not in emptied
    else:
        assert response.status_code == 302
        assert response.url == PAGE


def test_it_lets_a_host_revoke_their_own(client_as, host, issue):
    hosts_invite(issue.series)
    theirs = InvitationFactory(created_by=host)

    response = client_as("host").post(revoke_url(theirs), headers=HTMX)

    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None


def test_it_lets_a_host_who_lost_the_right_revoke_theirs_in_place(client_as, host, issue):
    theirs = InvitationFactory(created_by=host)

    response = client_as("host").post(revoke_url(theirs), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == "accounts/invitations.html#invitation-list"
    # There is no form on their page, so nothing to empty beside it.
    assert 'id="invitation-created"' not in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["author", "host"])
def test_it_refuses_to_revoke_someone_elses(client_as, admin_user, issue, role, htmx):
    hosts_invite(issue.series)
    invitation = InvitationFactory(created_by=admin_user)

    response = client_as(role).post(revoke_url(invitation), headers=headers(htmx))

    message = "Only admins and whoever made an invitation can revoke it."
    if htmx:
        assert response.status_code == 403
        assert rendered(response) == "sections/refusal.html"
        assert response.headers["HX-Retarget"] == "#flash"
        assert says(response, message)
    else:
        # The member may not invite, so has no page to see the refusal on.
        assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_says_on_the_page_why_a_revoke_was_refused(client_as, host, admin_user, issue):
    hosts_invite(issue.series)
    invitation = InvitationFactory(created_by=admin_user)

    response = client_as("host").post(revoke_url(invitation))

    assert response.status_code == 403
    assert rendered(response) == "accounts/invitations.html"
    assert "Only admins and whoever made an invitation can revoke it." in by_id(
        response.text, "flash"
    )


def test_it_sends_a_visitor_to_log_in_before_revoking(client, db):
    invitation = InvitationFactory()

    response = client.post(revoke_url(invitation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_takes_only_a_post_to_revoke(client_as, people):
    invitation = InvitationFactory()

    assert client_as("admin").get(revoke_url(invitation)).status_code == 405


def test_it_signs_nobody_up_through_a_revoked_link(client_as, client, people):
    admin = client_as("admin")
    admin.post(PAGE, form())
    invitation = Invitation.objects.get()
    admin.post(revoke_url(invitation))
    admin.logout()

    response = client.get(reverse("accounts:sign-up", args=[invitation.token]))

    assert response.status_code == 410
    assert "This invitation has been withdrawn." in response.text


# Where whoever may invite finds it


@pytest.mark.parametrize(("allowed", "linked"), [(True, True), (False, False)])
def test_it_is_linked_from_the_hosts_desk_where_the_series_lets_them(
    client_as, issue, allowed, linked
):
    hosts_invite(issue.series, allowed)

    response = client_as("host").get(issue.get_absolute_url())

    assert ('id="steward-invitations"' in response.text) == linked


@pytest.mark.parametrize(("role", "linked"), [("admin", True), ("author", False)])
def test_it_is_linked_for_an_admin_and_not_for_a_member(client_as, issue, role, linked):
    hosts_invite(issue.series)

    response = client_as(role).get(issue.get_absolute_url())

    assert ('id="steward-invitations"' in response.text) == linked


def test_it_is_not_offered_on_a_frozen_issue_to_its_host(client_as, issue):
    hosts_invite(issue.series)
    issue_freeze(issue_id=issue.pk, user=None)

    assert 'id="steward-invitations"' not in client_as("host").get(issue.get_absolute_url()).text
