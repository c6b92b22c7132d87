"""Delivering a notification: at least once, never twice, with retries that
wait longer each time (and as long as a 429 asks), and a bound after which
the delivery is failed for an admin to see."""

import datetime
import hashlib
import hmac
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notify import dispatch
from notify.bots import Platform
from notify.models import Bot, Delivery, DeliveryStatus, Event
from notify.services import deliveries_requeue, delivery_send, event_fan_out
from sections import events
from talk.services import issue_create, issue_move

from .receivers import Answer

SECRET = "generic-key-0123456789"


@pytest.fixture
def bot(series, receiver):
    return Bot.objects.create(
        series=series,
        platform=Platform.GENERIC,
        name="the group",
        url=f"{receiver.url}/hook",
        secret=SECRET,
    )


def started(issue, user, committed):
    """The meeting starts: the series' bots hear of it."""
    with committed():
        issue_move(issue_id=issue.pk, user=user, action="start")
    return Delivery.objects.get(bot__isnull=False)


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_it_tells_the_series_bots_the_meeting_started(issue, host, bot, receiver, committed):
    delivery = started(issue, host, committed)

    [request] = receiver.wait_for(1)
    body = request.json()
    assert body["event"] == "meeting_started"
    assert body["url"] == "http://127.0.0.1:8000/s/openllm-talk/8/"
    assert "OpenLLM Talk 008" in body["title"]
    # Signed as docs/webhooks.md says, recomputed here from the raw body.
    stamp = request.headers["x-desk-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["x-desk-signature"] == f"sha256={expected.hexdigest()}"
    assert request.headers["x-desk-delivery"] == f"delivery-{delivery.pk}"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    bot.refresh_from_db()
    assert bot.last_ok is True


def test_it_tries_again_after_a_500_and_sends_on_the_200(issue, host, bot, receiver, committed):
    receiver.answer(Answer(status=500, body=b"busy"), Answer(status=200))
    delivery = started(issue, host, committed)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "500" in delivery.error
    # Not before its time: the backoff holds it.
    assert delivery_send(delivery_id=delivery.pk) is None
    assert delivery.next_attempt_at > later(5)

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2


def test_it_waits_as_long_as_a_429_asks(issue, host, bot, receiver, committed):
    receiver.answer(Answer(status=429, headers={"Retry-After": "600"}))
    delivery = started(issue, host, committed)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert later(590) < delivery.next_attempt_at < later(610)


def test_a_receiver_that_times_out_is_tried_again(issue, host, bot, receiver, committed, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 1
    receiver.answer(Answer(delay=3), Answer(status=200))
    delivery = started(issue, host, committed)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.error == "127.0.0.1 did not answer within 1 seconds."

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_refusal_fails_it_at_once(issue, host, bot, receiver, committed):
    receiver.answer(Answer(status=404, body=b"no such hook"))
    delivery = started(issue, host, committed)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "404" in delivery.error
    bot.refresh_from_db()
    assert bot.last_ok is False


def test_it_gives_up_after_the_last_attempt(issue, host, bot, receiver, committed, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    receiver.answer(*[Answer(status=503)] * 3)
    delivery = started(issue, host, committed)
    for _attempt in range(2):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3


def test_a_task_delivered_twice_sends_once(issue, host, bot, receiver, committed):
    delivery = started(issue, host, committed)

    assert delivery_send(delivery_id=delivery.pk) is None
    deliveries_requeue(now=later(3600))
    assert len(receiver.requests) == 1


def test_a_fan_out_run_twice_makes_one_of_each(issue, host, bot, receiver, committed):
    started(issue, host, committed)
    event = Event.objects.get()

    assert event_fan_out(event_id=event.pk) == []
    assert Delivery.objects.count() == 1


def test_a_worker_that_died_holding_it_frees_it_after_the_lease(issue, host, bot, receiver):
    # Outside `committed()`: the commit hands nothing on, the test runs the steps.
    issue_move(issue_id=issue.pk, user=host, action="start")
    event_fan_out(event_id=Event.objects.get().pk)
    delivery = Delivery.objects.get()
    # A worker claimed it and was killed before it sent.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, lease_until=later(60), attempts=1
    )
    assert deliveries_requeue() == []
    assert receiver.requests == []

    # The lease runs out: the sweep sends it again, and it goes.
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=later(-1))
    assert deliveries_requeue() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(receiver.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_it_once(series, receiver, monkeypatch):
    # The commit hands the send to nobody: the threads below are the workers.
    monkeypatch.setattr(dispatch, "deliver", lambda delivery_id, countdown=0: None)
    issue = issue_create(series=series, by=None, number=8)
    bot = Bot.objects.create(
        series=series, platform=Platform.GENERIC, name="g", url=f"{receiver.url}/h", secret=SECRET
    )
    with transaction.atomic():
        events.tell("meeting_started", issue_id=issue.pk)
    delivery = Delivery.objects.get(bot=bot)
    barrier = threading.Barrier(8)
    results = []

    def work():
        barrier.wait()
        try:
            results.append(delivery_send(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len([r for r in results if r is not None]) == 1
    assert len(receiver.requests) == 1
