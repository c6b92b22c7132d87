import hashlib
import json

import pytest
from django.contrib.auth.models import AnonymousUser

from talk import services
from talk.demo import CORPUS
from talk.exports import RENDERERS, html, jsonfmt, markdown
from talk.exports.storage import absolute
from talk.importing import issue_import
from talk.models import Export, Issue, Revision
from talk.snapshot import snapshot_build
from tests.conftest import section_of
from tests.factories import UserFactory

# The community's eight published issues, for fixtures parametrized by file.
FILES = sorted(path.name for path in CORPUS.glob("openllm-talk-*.txt"))


@pytest.fixture
def media(settings, tmp_path):
    """Export files go to this test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def quick_pdf(monkeypatch):
    # Pages that link files do so whatever the files hold; laying out a PDF
    # per freeze would only make those tests slow.
    monkeypatch.setitem(RENDERERS, "pdf", lambda snapshot: b"%PDF-1.7\n%%EOF\n")


@pytest.fixture
def editor(issue):
    user = UserFactory(alias="编辑")
    Issue.objects.filter(pk=issue.pk).update(editor=user)
    issue.editor = user
    return user


@pytest.fixture
def who(people, editor):
    """A user by the part they play; "system" is the commands' None."""

    def user(role: str):
        if role == "anonymous":
            return AnonymousUser()
        if role == "system":
            return None
        if role == "editor":
            return editor
        return people[role]

    return user


@pytest.fixture
def news(issue):
    return section_of(issue, "news")


@pytest.fixture
def freeze(media, django_capture_on_commit_callbacks):
    """Freeze as the host's button does, and render the exports the way the
    eager task does once the freeze commits."""

    def run(issue, *, user=None, note: str = "") -> Revision:
        with django_capture_on_commit_callbacks(execute=True):
            revision = services.issue_freeze(issue_id=issue.pk, user=user, note=note)
        return revision

    return run


def put_in(issue, state: str) -> None:
    """Bring the issue to `state` the way the desk does: as the system, and
    without rendering its files (outside a transactional test the freeze's
    on_commit never runs)."""
    if state == "live":
        services.issue_start(issue_id=issue.pk, user=None)
    if state in ("frozen", "published", "correcting"):
        services.issue_freeze(issue_id=issue.pk, user=None)
    if state == "published":
        services.issue_publish(issue_id=issue.pk, user=None)
    if state == "correcting":
        services.issue_correct(issue_id=issue.pk, user=None)


def statuses(revision: Revision) -> dict[str, str]:
    return dict(revision.exports.values_list("format", "status"))


def stored(export: Export) -> bytes:
    return absolute(export.path).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class QueueDown:
    """The Celery app sends for real, to a port where nothing listens: the
    queue as it is while Redis is down, until `back()` (then tasks run
    in-process again, as the rest of the suite runs them)."""

    def __init__(self) -> None:
        from talk.celery import app
        from tests.redis_server import free_port

        self.app = app
        self.saved = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager = False
        app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
        self._forget_connections()

    def back(self) -> None:
        self.app.conf.task_always_eager, self.app.conf.broker_url = self.saved
        self._forget_connections()

    def _forget_connections(self) -> None:
        # The app keeps the connections it made for the other URL: its pool,
        # which close() drops, and its producers' pool, which close() drops
        # only along with a connection pool (an eager task makes the one
        # without the other).
        self.app.close()
        self.app.amqp._producer_pool = None


@pytest.fixture
def queue_down():
    down = QueueDown()
    yield down
    down.back()


@pytest.fixture
def imported(request, series):
    """One corpus file imported, with its Markdown and JSON exports."""
    text = (CORPUS / request.param).read_text(encoding="utf-8")
    issue = issue_import(series=series, text=text)
    snapshot = snapshot_build(issue)
    return {
        "name": request.param,
        "text": text,
        "issue": issue,
        "markdown": markdown.render(snapshot).decode(),
        "html": html.render(snapshot).decode(),
        "json": json.loads(jsonfmt.render(snapshot)),
    }
