"""Rendering the exports of a revision: each row is claimed by one task at a
time, a duplicate or late delivery changes nothing, a renderer's refusal is
shown to the host, and files are only ever whole."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import AuditEvent
from sections.errors import Invalid, NotAllowed
from talk import services
from talk.exports import RENDERERS, RenderError, fonts
from talk.exports.storage import absolute, export_path, write_atomically
from talk.models import Export, Issue, Revision
from talk.services import (
    export_give_up,
    export_retry,
    export_run,
    issue_correct,
    issue_freeze,
    pdf_exports_rerender,
)
from talk.tasks import export_render
from tests.talk.conftest import sha256, stored

pytestmark = pytest.mark.usefixtures("english")

LEASE = datetime.timedelta(minutes=5)


@pytest.fixture
def revision(issue, media):
    # Outside a transactional test the freeze's on_commit never runs: the
    # exports stay pending for these tests to deliver by hand.
    return issue_freeze(issue_id=issue.pk, user=None)


@pytest.fixture
def md(revision):
    return revision.exports.get(format="md")


def row(export) -> dict:
    return Export.objects.values().get(pk=export.pk)


def hold(export, task_id: str, lease: datetime.timedelta) -> None:
    """A task claimed the row and is rendering it (or died doing so)."""
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING,
        task_id=task_id,
        lease_until=now + lease,
        started_at=now,
        attempts=1,
    )


def fail(export) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.FAILED, error="RenderError: too wide", task_id="task-1", attempts=1
    )


def nothing_written(export) -> bool:
    directory = absolute(export_path(export)).parent
    return not directory.exists() or not any(directory.iterdir())


def test_it_renders_a_pending_export(md):
    done = export_run(export_id=md.pk, task_id="task-1")

    assert (done.status, done.task_id, done.attempts, done.error) == ("done", "task-1", 1, "")
    assert done.lease_until is None
    assert done.finished_at >= done.started_at
    data = stored(done)
    assert data
    assert (done.sha256, done.size) == (sha256(data), len(data))
    assert done.path == "exports/openllm-talk/8/r1/openllm-talk-8-r1.md"


@pytest.mark.parametrize("task_id", ["task-1", "task-2"])
def test_a_second_delivery_of_a_done_export_changes_nothing(md, task_id):
    done = export_run(export_id=md.pk, task_id="task-1")
    before, file = row(md), absolute(done.path)
    data, inode = file.read_bytes(), file.stat().st_ino

    assert export_run(export_id=md.pk, task_id=task_id) is None

    assert row(md) == before
    assert row(md)["attempts"] == 1
    assert file.read_bytes() == data
    assert file.stat().st_ino == inode, "the file was not written again"


def test_a_duplicate_delivery_leaves_a_row_that_a_live_task_holds(md):
    hold(md, "task-1", LEASE)
    before = row(md)

    assert export_run(export_id=md.pk, task_id="task-2") is None

    assert row(md) == before
    assert nothing_written(md)


def test_a_task_takes_over_a_row_whose_lease_ran_out(md):
    hold(md, "task-1", -datetime.timedelta(seconds=1))

    done = export_run(export_id=md.pk, task_id="task-2")

    assert (done.status, done.task_id, done.attempts) == ("done", "task-2", 2)
    assert sha256(stored(done)) == done.sha256


def test_a_redelivered_task_takes_its_own_row_back(md):
    # The worker died holding the row; the broker delivers the same task again.
    hold(md, "task-1", LEASE)

    done = export_run(export_id=md.pk, task_id="task-1")

    assert (done.status, done.task_id, done.attempts) == ("done", "task-1", 2)


def test_a_task_that_lost_its_lease_does_not_mark_the_row(md, monkeypatch):
    render = RENDERERS["md"]

    def slow(snapshot):
        # It rendered past its lease, and another task took the row over.
        Export.objects.filter(pk=md.pk).update(task_id="task-2", lease_until=timezone.now() + LEASE)
        return render(snapshot)

    monkeypatch.setitem(RENDERERS, "md", slow)
    export_run(export_id=md.pk, task_id="task-1")

    assert (row(md)["status"], row(md)["task_id"], row(md)["sha256"]) == ("running", "task-2", "")
    monkeypatch.setitem(RENDERERS, "md", render)
    done = export_run(export_id=md.pk, task_id="task-2")
    assert (done.status, done.attempts) == ("done", 2)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        # A refusal is the renderer's words to the host; any other error a fault.
        (RenderError("a table too wide for a page"), "a table too wide for a page"),
        (ValueError("no such glyph"), "ValueError: no such glyph"),
    ],
)
def test_a_renderer_that_refuses_marks_the_export_failed(md, monkeypatch, error, message):
    def refuse(snapshot):
        raise error

    monkeypatch.setitem(RENDERERS, "md", refuse)

    failed = export_run(export_id=md.pk, task_id="task-1")

    assert (failed.status, failed.error) == ("failed", message)
    assert (failed.path, failed.sha256, failed.size) == ("", "", None)
    assert failed.lease_until is None
    assert failed.finished_at is not None
    assert nothing_written(md)
    # Only the host's retry renders it again, not a late delivery.
    assert export_run(export_id=md.pk, task_id="task-2") is None
    assert row(md)["status"] == "failed"


def test_a_passing_fault_propagates_and_the_retry_completes(md, monkeypatch):
    def disk_full(relative, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.exports, "write_atomically", disk_full)
    with pytest.raises(OSError, match="No space left"):
        export_run(export_id=md.pk, task_id="task-1")
    assert (row(md)["status"], row(md)["task_id"]) == ("running", "task-1")

    monkeypatch.undo()
    done = export_run(export_id=md.pk, task_id="task-1")

    assert (done.status, done.attempts) == ("done", 2)


def test_the_task_renders_through_the_service(md):
    export_render.apply(args=[md.pk], task_id="celery-1")

    assert (row(md)["status"], row(md)["task_id"]) == ("done", "celery-1")


def test_giving_up_marks_a_running_export_failed(md):
    hold(md, "task-1", LEASE)

    export_give_up(export_id=md.pk, task_id="task-1", reason="OSError: " + "x" * 3000)

    failed = Export.objects.get(pk=md.pk)
    assert failed.status == "failed"
    assert failed.error.startswith("OSError: x")
    assert len(failed.error) == 2000
    assert failed.lease_until is None
    assert failed.finished_at is not None


def test_giving_up_leaves_a_row_that_another_task_finished(md):
    export_run(export_id=md.pk, task_id="task-2")
    before = row(md)

    export_give_up(export_id=md.pk, task_id="task-1", reason="SoftTimeLimitExceeded: ")

    assert row(md) == before


@pytest.mark.parametrize("role", ["host", "editor", "admin"])
def test_the_stewards_retry_a_failed_export(
    md, people, editor, role, django_capture_on_commit_callbacks
):
    fail(md)
    user = editor if role == "editor" else people[role]

    with django_capture_on_commit_callbacks(execute=True):
        retried = export_retry(export_id=md.pk, user=user)
        assert (retried.status, retried.error, retried.task_id) == ("pending", "", "")

    done = Export.objects.get(pk=md.pk)
    assert (done.status, done.attempts, done.error) == ("done", 2, "")
    assert sha256(stored(done)) == done.sha256


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("author", "Only the host, the editor and admins can do that."),
        ("outsider", "Only the host, the editor and admins can do that."),
        ("owner", "Only the host, the editor and admins can do that."),
        ("anonymous", "Log in to contribute."),
    ],
)
def test_nobody_else_retries_an_export(md, people, role, message):
    fail(md)
    before = row(md)
    user = AnonymousUser() if role == "anonymous" else people[role]

    with pytest.raises(NotAllowed) as refused:
        export_retry(export_id=md.pk, user=user)

    assert str(refused.value.message) == message
    assert row(md) == before


def test_a_stalled_export_is_retried(md, host, django_capture_on_commit_callbacks):
    # Its worker was killed at the hard time limit: nothing marked the row.
    hold(md, "killed-task", -LEASE)
    assert Export.objects.get(pk=md.pk).stalled

    with django_capture_on_commit_callbacks(execute=True):
        export_retry(export_id=md.pk, user=host)

    done = Export.objects.get(pk=md.pk)
    assert (done.status, done.attempts) == ("done", 2)


@pytest.mark.parametrize("status", ["pending", "running", "done"])
def test_only_a_failed_export_is_retried(md, host, status):
    if status == "running":
        hold(md, "task-1", LEASE)
    if status == "done":
        export_run(export_id=md.pk, task_id="task-1")
    before = row(md)

    with pytest.raises(Invalid) as refused:
        export_retry(export_id=md.pk, user=host)

    assert str(refused.value.message) == "Only a failed or stalled export can be tried again."
    assert row(md) == before


# The PDF's font


@pytest.fixture
def pdf_export(revision, quick_pdf):
    return revision.exports.get(format="pdf")


@pytest.fixture
def take_fonts_away(monkeypatch, settings, tmp_path):
    """From the call on, neither the system nor the environment has a CJK font."""

    def take() -> None:
        monkeypatch.setattr(fonts, "system_fonts", dict)
        settings.PDF_CJK_FONT = str(tmp_path / "missing.ttc")

    return take


def test_a_pdf_records_the_font_its_chinese_is_set_in(pdf_export, md):
    done = export_run(export_id=pdf_export.pk, task_id="task-1")

    assert done.status == "done"
    assert done.font == fonts.cjk_font().name
    assert done.font.startswith("Noto Sans CJK SC (")
    assert export_run(export_id=md.pk, task_id="task-1").font == ""


def test_without_a_cjk_font_a_pdf_fails_with_a_message_and_no_file(pdf_export, take_fonts_away):
    take_fonts_away()

    failed = export_run(export_id=pdf_export.pk, task_id="task-1")

    assert failed.status == "failed"
    assert failed.error == str(fonts.NoCJKFont())
    assert failed.error.startswith("The PDF was not made: no font on this server has its Chinese")
    assert (failed.sha256, failed.font) == ("", "")
    assert nothing_written(pdf_export)


def unfonted(revision) -> list[Export]:
    """The revision's PDF as rendered before the desk recorded fonts (maybe
    boxes), and the same issue's correction whose PDF failed without one."""
    pdf = revision.exports.get(format="pdf")
    export_run(export_id=pdf.pk, task_id="task-1")
    Export.objects.filter(pk=pdf.pk).update(font="", sha256="0" * 64)
    issue_correct(issue_id=revision.issue_id, user=None)
    correction = issue_freeze(issue_id=revision.issue_id, user=None, note="typo")
    failed = correction.exports.get(format="pdf")
    Export.objects.filter(pk=failed.pk).update(status="failed", error="no font", attempts=1)
    return [Export.objects.get(pk=pdf.pk), Export.objects.get(pk=failed.pk)]


def test_pdfs_without_a_font_are_rendered_again_in_their_revision(
    pdf_export, revision, django_capture_on_commit_callbacks
):
    boxed, failed = unfonted(revision)
    snapshot, revisions = revision.snapshot, Revision.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        assert pdf_exports_rerender() == 2

    for before in (boxed, failed):
        after = Export.objects.get(pk=before.pk)
        assert (after.status, after.font) == ("done", fonts.cjk_font().name)
        assert after.sha256 == sha256(stored(after))
    # The same file of the same revision, in a font this time.
    assert Export.objects.get(pk=boxed.pk).path == boxed.path
    assert Revision.objects.get(pk=revision.pk).snapshot == snapshot
    assert Revision.objects.count() == revisions
    audit = AuditEvent.objects.get(action="export.rerender", target_id=str(boxed.pk))
    assert audit.before == {"status": "done", "sha256": "0" * 64}
    # Done once: a PDF with its font recorded is left alone, run after run.
    assert pdf_exports_rerender() == 0


def test_nothing_is_rendered_again_while_there_is_no_cjk_font(
    pdf_export, revision, take_fonts_away
):
    boxed, failed = unfonted(revision)
    take_fonts_away()

    assert pdf_exports_rerender() == 0

    assert Export.objects.get(pk=boxed.pk).status == "done"
    assert Export.objects.get(pk=failed.pk).status == "failed"


# Files on disk


def names(directory) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_it_leaves_no_part_file_behind(media):
    write_atomically("exports/s/8/r1/s-8-r1.md", b"# Issue\n")

    directory = media / "exports/s/8/r1"
    assert names(directory) == ["s-8-r1.md"]
    assert (directory / "s-8-r1.md").read_bytes() == b"# Issue\n"


def test_it_replaces_an_existing_file(media):
    write_atomically("exports/s/8/r1/s-8-r1.md", b"old and longer\n")

    write_atomically("exports/s/8/r1/s-8-r1.md", b"new\n")

    directory = media / "exports/s/8/r1"
    assert names(directory) == ["s-8-r1.md"]
    assert (directory / "s-8-r1.md").read_bytes() == b"new\n"


def test_it_removes_the_half_files_of_the_same_export_only(media):
    directory = media / "exports/s/8/r1"
    directory.mkdir(parents=True)
    (directory / ".s-8-r1.md.0a1b2c.part").write_bytes(b"# half")
    (directory / ".s-8-r1.html.3d4e5f.part").write_bytes(b"<p>another worker's")

    write_atomically("exports/s/8/r1/s-8-r1.md", b"# whole\n")

    assert names(directory) == [".s-8-r1.html.3d4e5f.part", "s-8-r1.md"]


def test_a_freeze_stands_when_one_file_cannot_be_written(
    issue, media, monkeypatch, django_capture_on_commit_callbacks
):
    # Embedded mode renders in-process: a disk that refuses the PDF must not
    # undo the freeze, nor keep the other files from being written.
    from talk.exports import storage

    write = storage.write_atomically

    def refuse_pdf(relative, data):
        if relative.endswith(".pdf"):
            raise OSError("No space left on device")
        return write(relative, data)

    monkeypatch.setattr("talk.services.exports.write_atomically", refuse_pdf)

    with django_capture_on_commit_callbacks(execute=True):
        revision = services.issue_freeze(issue_id=issue.pk, user=None)

    issue.refresh_from_db()
    assert issue.status == Issue.Status.FROZEN
    formats = dict(revision.exports.values_list("format", "status"))
    assert formats == {"md": "done", "html": "done", "json": "done", "pdf": "failed"}
    pdf = revision.exports.get(format="pdf")
    # Every retry was spent, and the row names the fault itself.
    assert pdf.attempts == export_render.max_retries + 1
    assert pdf.error == "OSError: No space left on device"


def test_in_process_a_passing_fault_is_retried_and_the_file_written(
    issue, media, monkeypatch, quick_pdf, django_capture_on_commit_callbacks
):
    from talk.exports import storage

    write = storage.write_atomically
    refused = []

    def refuse_once(relative, data):
        if relative.endswith(".md") and not refused:
            refused.append(relative)
            raise OSError("Resource temporarily unavailable")
        return write(relative, data)

    monkeypatch.setattr("talk.services.exports.write_atomically", refuse_once)

    with django_capture_on_commit_callbacks(execute=True):
        revision = services.issue_freeze(issue_id=issue.pk, user=None)

    md = revision.exports.get(format="md")
    assert (md.status, md.attempts, md.error) == ("done", 2, "")
