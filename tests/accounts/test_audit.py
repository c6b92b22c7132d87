import contextlib

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import AuditEvent
from accounts.services import audit_record


@pytest.fixture
def event(member, admin_user):
    return audit_record(
        actor=admin_user,
        action="user.ban",
        target=member,
        reason="spam",
        before={"is_active": True},
        after={"is_active": False},
        scope="openllm-talk/8",
    )


@contextlib.contextmanager
def refused_by_the_database():
    # The savepoint keeps the test's own transaction usable after the refusal.
    with pytest.raises(DatabaseError), transaction.atomic():
        yield


def test_it_records_who_did_what_to_which(event, member, admin_user):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.actor == admin_user
    assert (stored.action, stored.target_type, stored.target_id) == (
        "user.ban",
        "accounts.user",
        str(member.pk),
    )
    assert (stored.scope, stored.reason) == ("openllm-talk/8", "spam")
    assert stored.before == {"is_active": True}
    assert stored.after == {"is_active": False}
    assert stored.at is not None


def test_it_records_a_system_action_without_an_actor(member):
    event = audit_record(actor=None, action="account.expire", target=member)

    assert event.actor is None
    assert (event.before, event.after) == ({}, {})


def test_it_lists_the_latest_first(member):
    first = audit_record(actor=None, action="one", target=member)
    second = audit_record(actor=None, action="two", target=member)

    assert list(AuditEvent.objects.all()) == [second, first]


def test_it_refuses_to_save_changes_to_an_event(event):
    event.reason = "rewritten"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).reason == "spam"


def test_it_refuses_to_delete_an_event_through_the_model(event):
    with pytest.raises(ValueError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_a_queryset_update_in_the_database(event):
    with refused_by_the_database():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")

    assert AuditEvent.objects.get(pk=event.pk).reason == "spam"


def test_it_refuses_a_bulk_update_in_the_database(event):
    event.reason = "rewritten"

    with refused_by_the_database():
        AuditEvent.objects.bulk_update([event], ["reason"])

    assert AuditEvent.objects.get(pk=event.pk).reason == "spam"


def test_it_refuses_a_raw_sql_update(event):
    with refused_by_the_database(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET reason = 'rewritten'")

    assert AuditEvent.objects.get(pk=event.pk).reason == "spam"


@pytest.mark.postgres
def test_it_refuses_a_queryset_delete_in_the_database(event):
    with refused_by_the_database():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_it_refuses_a_raw_sql_delete(event):
    with refused_by_the_database(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent")

    assert AuditEvent.objects.filter(pk=event.pk).exists()
