"""Without a broker (the embedded mode) deliveries run on background
threads after the response: a slow chat bot never holds a member's request."""

import time

import pytest

from notify.bots import Platform
from notify.models import Bot, Delivery, DeliveryStatus
from talk.services import issue_create
from tests.factories import UserFactory

from .receivers import Answer


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_slow_bot_does_not_hold_the_hosts_request(series, receiver, client, settings):
    settings.NOTIFY_BACKGROUND = True
    issue = issue_create(series=series, by=None, number=8)
    host = UserFactory(alias="羡鱼")
    issue.host = host
    issue.save(update_fields=["host"])
    Bot.objects.create(
        series=series,
        platform=Platform.SLACK,
        name="slow",
        url=f"{receiver.url}/slack",
    )
    receiver.answer(Answer(status=200, body=b"ok", delay=4))
    client.force_login(host)

    response = client.post("/s/openllm-talk/8/lifecycle/start/")

    assert response.status_code in (200, 302)
    # The answer came back while the bot's receiver was still sitting on the
    # message (it answers only after four seconds).
    assert not (receiver.requests and receiver.requests[0].answered.is_set())
    assert wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists())
    assert receiver.requests[0].json()["text"].startswith("OpenLLM Talk 008 has started")
