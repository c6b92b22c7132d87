import pytest

from .receivers import Receiver


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1 that the desk may send to (tests/notify/receivers.py)."""
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = False
    with Receiver() as running:
        yield running
