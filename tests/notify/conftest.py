import pytest
from django.db import transaction

from notify.models import Event
from notify.services import event_fan_out
from sections import events
from tests.factories import UserFactory

from .receivers import Receiver
from .smtp import SMTPServer


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English, the source strings, unless a test gives its
    recipient another language."""


@pytest.fixture
def smtp(settings):
    """A real SMTP server, and the desk's mail pointed at it."""
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        yield server.inbox


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` around a write runs what its commit hands on (the
    fan-out, then the sends) as a real commit would, in place."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def asker(db):
    return UserFactory(alias="提问者", email="asker@example.org", language="en")


@pytest.fixture
def answerer(db):
    return UserFactory(alias="回答者", email="answerer@example.org")


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1 that the desk may send to (tests/notify/receivers.py)."""
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = False
    with Receiver() as running:
        yield running


def told(issue, *, kind: str, actor=None, **subject) -> Event:
    """An event written and fanned out as a committed write does it (for
    kinds, or numbers of entries, the real path does not give in one step)."""
    with transaction.atomic():
        events.tell(kind, issue_id=issue.pk, actor=actor, **subject)
    event = Event.objects.latest("id")
    event_fan_out(event_id=event.pk)
    return event
