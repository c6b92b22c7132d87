import pytest

from tests.factories import UserFactory

from .smtp import SMTPServer


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
