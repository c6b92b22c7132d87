import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, User
from accounts.services import audit_record
from tests.factories import PASSWORD, InvitationFactory, UserFactory


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def invitation_form(**fields):
    return {
        "note": "for yuhan",
        "max_uses": "1",
        "expires_at_0": "2030-01-01",
        "expires_at_1": "12:00:00",
    } | fields


def new_member_form(alias):
    return {"alias": alias, "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}


def test_it_shows_the_sign_up_link_in_the_list(admin_client):
    invitation = InvitationFactory(note="for yuhan")

    response = admin_client.get(reverse("admin:accounts_invitation_changelist"))

    assert response.status_code == 200
    assert reverse("accounts:sign-up", args=[invitation.token]) in response.text


def test_it_shows_the_sign_up_link_on_the_invitation(admin_client):
    invitation = InvitationFactory()

    response = admin_client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))

    link = reverse("accounts:sign-up", args=[invitation.token])
    assert f'<a href="{link}">{link}</a>' in response.text


def test_it_says_the_link_comes_once_saved(admin_client):
    response = admin_client.get(reverse("admin:accounts_invitation_add"))

    assert "Shown once saved." in response.text


def test_it_records_who_created_an_invitation(admin_client, admin_user):
    response = admin_client.post(reverse("admin:accounts_invitation_add"), invitation_form())

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.created_by == admin_user
    assert invitation.note == "for yuhan"
    assert invitation.uses == 0
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == admin_user
    assert (event.target_type, event.target_id) == ("accounts.invitation", str(invitation.pk))
    assert event.after == {
        "note": "for yuhan",
        "max_uses": 1,
        "expires_at": invitation.expires_at.astimezone(datetime.UTC).isoformat(),
    }


def test_it_makes_an_admin_invitation_usable_at_once(admin_client, client):
    admin_client.post(reverse("admin:accounts_invitation_add"), invitation_form())
    invitation = Invitation.objects.get()
    admin_client.logout()

    response = client.get(reverse("accounts:sign-up", args=[invitation.token]))

    assert response.status_code == 200


def test_it_keeps_the_creator_when_another_admin_edits(admin_client, admin_user):
    creator = UserFactory(alias="creator", is_staff=True, is_superuser=True)
    invitation = InvitationFactory(created_by=creator)

    admin_client.post(
        reverse("admin:accounts_invitation_change", args=[invitation.pk]),
        invitation_form(max_uses="3"),
    )

    invitation.refresh_from_db()
    assert invitation.max_uses == 3
    assert invitation.created_by == creator
    assert not AuditEvent.objects.filter(action="invitation.create").exists()


def test_it_ignores_a_posted_use_count(admin_client):
    admin_client.post(reverse("admin:accounts_invitation_add"), invitation_form(uses="1"))

    assert Invitation.objects.get().uses == 0


def test_it_explains_that_uses_cannot_drop_below_those_taken(admin_client):
    invitation = InvitationFactory(max_uses=3, uses=2)

    response = admin_client.post(
        reverse("admin:accounts_invitation_change", args=[invitation.pk]),
        invitation_form(max_uses="1"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["max_uses"]
    invitation.refresh_from_db()
    assert invitation.max_uses == 3


def test_it_keeps_members_out_of_the_admin(client, member):
    client.force_login(member)

    response = client.get(reverse("admin:accounts_invitation_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_it_lets_admins_browse_the_audit_log(admin_client, member, admin_user):
    audit_record(actor=admin_user, action="user.ban", target=member, reason="spam")

    response = admin_client.get(reverse("admin:accounts_auditevent_changelist"))

    assert response.status_code == 200
    assert "user.ban" in response.text
    assert "delete_selected" not in response.text


def test_it_filters_the_audit_log_by_scope(admin_client, member):
    audit_record(actor=None, action="in.scope", target=member, scope="openllm-talk/8")
    audit_record(actor=None, action="elsewhere", target=member, scope="openllm-talk/9")

    response = admin_client.get(
        reverse("admin:accounts_auditevent_changelist"), {"q": "openllm-talk/8"}
    )

    assert [event.action for event in response.context["cl"].result_list] == ["in.scope"]


def test_it_shows_an_audit_event_read_only(admin_client, member):
    event = audit_record(actor=None, action="user.ban", target=member, reason="spam")
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])

    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"reason": "rewritten"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == "spam"


def test_it_has_no_way_to_add_or_delete_audit_events(admin_client, member):
    event = audit_record(actor=None, action="user.ban", target=member)

    assert admin_client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    delete = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_grants_no_audit_permission_even_to_a_superuser(admin_user):
    model_admin = admin.site.get_model_admin(AuditEvent)
    request = RequestFactory().get("/")
    request.user = admin_user

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_it_creates_a_member_from_the_admin(admin_client):
    response = admin_client.post(reverse("admin:accounts_user_add"), new_member_form("newcomer"))

    assert response.status_code == 302
    assert User.objects.get(alias="newcomer").check_password(PASSWORD)


def test_it_refuses_an_alias_taken_in_another_case_in_the_admin(admin_client):
    response = admin_client.post(reverse("admin:accounts_user_add"), new_member_form("ADMIN"))

    assert response.status_code == 200
    assert "That alias is taken. Choose another." in response.text
    assert User.objects.filter(alias__iexact="admin").count() == 1


def test_it_finds_members_by_alias(admin_client, member, outsider):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "初七"})

    assert "初七" in response.text
    assert "路人" not in response.text


def test_it_throttles_admin_logins_whatever_the_case_of_the_alias(client, admin_user):
    for typed in ["admin", "ADMIN", "Admin", "aDMIN", "AdMiN"]:
        client.post(reverse("admin:login"), {"username": typed, "password": "wrong-guess"})

    response = client.post(reverse("admin:login"), {"username": "adMIN", "password": PASSWORD})

    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_it_says_in_the_list_what_became_of_an_invitation(admin_client):
    InvitationFactory(note="withdrawn", revoked_at=timezone.now())

    response = admin_client.get(reverse("admin:accounts_invitation_changelist"))

    assert '<td class="field-status">revoked</td>' in response.text


def test_it_keeps_a_revocation_out_of_the_admins_reach(admin_client):
    revoked = InvitationFactory(revoked_at=timezone.now())

    admin_client.post(
        reverse("admin:accounts_invitation_change", args=[revoked.pk]),
        invitation_form(max_uses="3", revoked_at=""),
    )

    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    assert not revoked.is_usable()
