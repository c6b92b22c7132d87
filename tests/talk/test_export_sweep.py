"""Exports nobody would render otherwise are sent again by the sweep (beat,
every EXPORT_SWEEP_SECONDS): never queued because Redis was down, lost from
the queue, or held by a worker killed mid-export. A freeze while the queue is
down answers at once, and the page says in words that the files wait."""

import datetime
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from talk.celery import app
from talk.models import Export
from talk.services import REQUEUE_AFTER, exports_requeue, issue_freeze
from talk.tasks import requeue_exports
from tests.responses import BOTH_WAYS, by_id, headers
from tests.talk.conftest import sha256, statuses, stored

pytestmark = pytest.mark.usefixtures("english")

WAITING = "Waiting for the export worker: it starts by itself when the queue is back."
LEASE = datetime.timedelta(minutes=5)


@pytest.fixture
def revision(issue, media, quick_pdf):
    # Outside a transactional test the freeze's on_commit never runs: the
    # exports wait, never queued, as when the queue could not be reached.
    return issue_freeze(issue_id=issue.pk, user=None)


@pytest.fixture
def md(revision):
    return revision.exports.get(format="md")


def queued(revision, at: datetime.datetime) -> None:
    revision.exports.update(queued_at=at)


def hold(export, *, lease: datetime.timedelta) -> None:
    """A worker claimed the row (which clears queued_at) and renders it, or
    was killed doing so."""
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING,
        task_id="killed-task",
        lease_until=now + lease,
        started_at=now,
        attempts=1,
        queued_at=None,
    )


def all_done(revision) -> bool:
    return set(statuses(revision).values()) == {"done"}


def test_it_sends_the_exports_that_were_never_queued(revision):
    sent = exports_requeue()

    # In-process (the suite's eager tasks) sending them renders them.
    assert sorted(sent) == sorted(revision.exports.values_list("pk", flat=True))
    assert all_done(revision)
    for export in revision.exports.all():
        assert sha256(stored(export)) == export.sha256


def test_it_leaves_the_exports_queued_a_moment_ago(revision):
    queued(revision, timezone.now())

    assert exports_requeue() == []

    assert set(statuses(revision).values()) == {"pending"}


def test_it_sends_again_the_exports_queued_long_ago_and_never_taken(revision):
    # Redis restarted empty, and the queue went with it.
    queued(revision, timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1))

    assert len(exports_requeue()) == 4

    assert all_done(revision)


def test_it_sends_again_an_export_whose_worker_died_holding_it(revision, md):
    queued(revision, timezone.now())
    hold(md, lease=-datetime.timedelta(seconds=1))

    assert exports_requeue() == [md.pk]

    done = Export.objects.get(pk=md.pk)
    assert (done.status, done.attempts, done.queued_at) == ("done", 2, None)
    assert done.task_id != "killed-task"
    assert sha256(stored(done)) == done.sha256


def test_it_leaves_an_export_that_a_live_worker_holds(revision, md):
    queued(revision, timezone.now())
    hold(md, lease=LEASE)

    # Even long after it was queued (the others are sent again by then): the
    # lease is what says it is in hand.
    assert md.pk not in exports_requeue(now=timezone.now() + REQUEUE_AFTER * 2)

    assert Export.objects.get(pk=md.pk).task_id == "killed-task"


@pytest.mark.parametrize("status", ["done", "failed"])
def test_it_leaves_finished_exports(revision, status):
    revision.exports.update(status=status, sha256="0" * 64, queued_at=None)

    assert exports_requeue() == []

    assert set(statuses(revision).values()) == {status}


def test_the_task_sweeps_through_the_service(revision):
    requeue_exports.apply()

    assert all_done(revision)


def test_beat_wakes_the_sweep_every_half_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-exports"]

    assert entry["task"] == "talk.tasks.requeue_exports"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == datetime.timedelta(seconds=30)
    # A sweep still queued when the next is due is dropped, not piled up.
    assert entry["options"] == {"expires": 30}


# The queue down (Redis stopped): the freeze stands and answers, the files wait.


def test_a_freeze_with_the_queue_down_leaves_its_exports_waiting(
    issue, media, queue_down, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, logger="talk.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        revision = issue_freeze(issue_id=issue.pk, user=None)

    rows = list(revision.exports.values("status", "queued_at", "error", "attempts"))
    assert rows == [{"status": "pending", "queued_at": None, "error": "", "attempts": 0}] * 4
    assert all(export.unqueued for export in revision.exports.all())
    # One line for the four, not a traceback each.
    said = [record for record in caplog.records if "not queued" in record.getMessage()]
    assert len(said) == 1
    assert said[0].exc_info is None


def test_the_sweep_with_the_queue_still_down_sends_nothing_and_changes_nothing(
    revision, queue_down
):
    before = list(revision.exports.values())

    assert exports_requeue() == []

    assert list(revision.exports.values()) == before


def test_the_exports_go_by_themselves_once_the_queue_is_back(
    issue, media, quick_pdf, queue_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        revision = issue_freeze(issue_id=issue.pk, user=None)
    queue_down.back()

    exports_requeue()

    assert all_done(revision)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_the_freeze_answers_and_the_page_says_the_files_wait(
    client, host, issue, media, queue_down, django_capture_on_commit_callbacks, htmx
):
    client.force_login(host)
    freeze = reverse("issue-lifecycle", args=[issue.series.slug, issue.code, "freeze"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(freeze, headers=headers(htmx))

    assert response.status_code == (200 if htmx else 302)
    page = client.get(issue.get_absolute_url()).text
    panel = by_id(page, "issue-exports")
    assert panel.count(WAITING) == 4
    # Never the queue's own words (a connection error, a Celery message).
    for raw in ("Error", "Celery", "6379", "connecting"):
        assert raw not in panel
    # Still polled, so the files show up once rendered.
    assert 'hx-trigger="every 2s"' in panel
