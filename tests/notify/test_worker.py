"""A real Celery worker killed in the middle of a delivery: the mail goes out
once, from another worker, and the row says so."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notify.models import Delivery, DeliveryStatus
from notify.services import deliveries_requeue
from sections.services import answer_post, question_ask
from talk.celery import app
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 3


def wait_for(condition, timeout=30.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queue():
    """A queue of this test's own on the shared Redis, sent to for real."""
    name = f"test-{uuid.uuid4().hex}"
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, name
    yield name
    app.conf.task_always_eager, app.conf.task_default_queue = saved


@pytest.fixture
def start_worker(queue, smtp_server, tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "TEST_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(LEASE),
        "NOTIFY_LEASE_SECONDS": str(LEASE),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_TLS": "0",
    }
    workers = []

    def start():
        log = tmp_path / f"worker-{len(workers)}.log"
        command = [sys.executable, "-m", "celery", "-A", "tests.worker_app", "worker"]
        command += ["--pool=solo", "-Q", queue, "--loglevel=WARNING"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=output
            )
        process.log = log
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.fixture
def smtp_server():
    from .smtp import SMTPServer

    with SMTPServer() as server:
        yield server


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_replaced_and_the_mail_goes_once(
    series, smtp_server, start_worker
):
    issue = issue_create(series=series, by=None, number=8)
    asker = UserFactory(alias="提问者", email="asker@example.org")
    answerer = UserFactory(alias="回答者")
    question = question_ask(section=section_of(issue, "free-talk"), user=asker, body="Which?")
    inbox = smtp_server.inbox
    inbox.hold.set()  # the server takes the worker's RCPT and sits on it
    first = start_worker()

    answer_post(question_id=question.pk, user=answerer, body="This one.")
    assert inbox.held.wait(30), first.log.read_text()
    delivery = Delivery.objects.get(recipient=asker)
    assert delivery.status == DeliveryStatus.SENDING
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    inbox.hold.clear()

    second = start_worker()
    # The broker hands the unacknowledged task back after its visibility
    # timeout; the sweep would send it again once the lease ran out.
    time.sleep(LEASE)
    deliveries_requeue()
    try:
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT,
            what="the delivery to be sent",
        )
    except AssertionError:
        raise AssertionError(second.log.read_text()) from None
    time.sleep(1)  # a second copy would have come by now
    assert len(inbox.to("asker@example.org")) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2
