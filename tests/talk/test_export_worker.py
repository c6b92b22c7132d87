"""A real Celery worker, killed in the middle of writing an export, leaves no
half-written file, and the redelivered task completes on another worker."""

import hashlib
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

from talk.celery import app
from talk.exports.storage import absolute
from talk.models import Export
from talk.services import issue_create, issue_freeze

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
# Short, so the killed worker's message and row come back within seconds.
VISIBILITY = 3


def wait_for(condition, timeout=30.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queue(settings):
    """A queue of this test's own on the shared Redis, sent to for real."""
    name = f"test-{uuid.uuid4().hex}"
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, name
    yield name
    app.conf.task_always_eager, app.conf.task_default_queue = saved


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def start_worker(queue, media, tmp_path):
    workers = []
    db = connection.settings_dict

    def start(app_module: str, marker: Path):
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "EXPORT_LEASE_SECONDS": str(VISIBILITY),
            "MEDIA_ROOT": str(media),
            "SLOW_EXPORT_MARKER": str(marker),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app_module,
            "worker",
            "--pool=solo",
            "-Q",
            queue,
        ]
        command += [
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_it_completes_an_export_after_its_worker_is_killed(
    transactional_db, series, media, start_worker, tmp_path
):
    issue = issue_create(series=series, by=None, number=50)
    marker = tmp_path / "slow"
    marker.write_text("")
    doomed = start_worker("tests.slow_worker", marker)

    revision = issue_freeze(issue_id=issue.pk, user=None)

    # The first export's worker has written half a file under its temporary
    # name and is about to rename it: kill it there, as a crash would.
    half = Path(wait_for(lambda: marker.read_text(), what="the slow write to start"))
    running = Export.objects.get(revision=revision, status=Export.Status.RUNNING)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    final = absolute(f"exports/{series.slug}/{issue.code}/r1/{running.filename}")
    assert half.exists()
    assert not final.exists(), "a killed worker must leave no file under the final name"
    marker.unlink()  # the next worker writes normally

    rescuer = start_worker("tests.worker_app", marker)
    try:
        wait_for(
            lambda: not revision.exports.exclude(status=Export.Status.DONE).exists(),
            timeout=45,
            what="every export to be rendered after the redelivery",
        )
    except AssertionError:
        rescuer.kill()
        states = list(revision.exports.values_list("format", "status", "attempts", "error"))
        raise AssertionError(f"{states}\n{rescuer.stderr.read().decode()[-3000:]}") from None

    for export in revision.exports.all():
        data = absolute(export.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == export.sha256
    running.refresh_from_db()
    assert running.attempts == 2
    assert not list(final.parent.glob("*.part")), "the half file is cleaned up"
