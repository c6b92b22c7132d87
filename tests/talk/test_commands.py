"""The admins' commands: freeze_issue (through the same service and task as
the host's button) and export_issue (the current revision, as a file or on
stdout)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sections.models import Claim
from talk.exports import RENDERERS, RenderError, fonts, render
from talk.models import Issue
from talk.services import issue_correct, issue_create, issue_freeze
from tests.factories import ItemFactory
from tests.talk.conftest import put_in, sha256, stored

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def status_of(issue) -> tuple:
    issue = Issue.objects.get(pk=issue.pk)
    return issue.status, issue.correcting, issue.revisions.count()


# freeze_issue


@pytest.mark.parametrize("number", ["8", "008"])
def test_it_freezes_an_issue_by_its_number(issue, number):
    out, _err = run("freeze_issue", "openllm-talk", number)

    assert out == "Froze OpenLLM Talk 008 as revision 1.\n"
    assert status_of(issue) == ("frozen", False, 1)


def test_it_freezes_a_special_edition_by_its_identifier(series):
    special = issue_create(series=series, by=None, special_label="番外 02", code="extra-02")

    out, _err = run("freeze_issue", "openllm-talk", "extra-02")

    assert out == "Froze OpenLLM Talk 番外 02 as revision 1.\n"
    assert status_of(special) == ("frozen", False, 1)


def test_it_freezes_a_correction_with_its_note(issue):
    issue_freeze(issue_id=issue.pk, user=None)
    issue_correct(issue_id=issue.pk, user=None)

    out, _err = run("freeze_issue", "openllm-talk", "8", "--note", "Fixed a link.")

    assert out == "Froze OpenLLM Talk 008 as revision 2.\n"
    assert issue.revisions.get(number=2).note == "Fixed a link."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["openllm-talk", "99"], "openllm-talk has no issue 99."),
        (["no-such-series", "8"], "no-such-series has no issue 8."),
        (["openllm-talk", "extra-99"], "openllm-talk has no issue extra-99."),
    ],
)
def test_it_says_when_there_is_no_such_issue(issue, args, message):
    with pytest.raises(CommandError) as refused:
        run("freeze_issue", *args)

    assert str(refused.value) == message
    assert status_of(issue) == ("draft", False, 0)


def test_it_refuses_an_issue_that_is_already_frozen(issue):
    issue_freeze(issue_id=issue.pk, user=None)

    with pytest.raises(CommandError) as refused:
        run("freeze_issue", "openllm-talk", "8")

    assert str(refused.value) == "This issue is already frozen; open a correction to change it."
    assert status_of(issue) == ("frozen", False, 1)


def test_it_asks_for_the_note_of_a_correction(issue):
    issue_freeze(issue_id=issue.pk, user=None)
    issue_correct(issue_id=issue.pk, user=None)

    with pytest.raises(CommandError) as refused:
        run("freeze_issue", "openllm-talk", "8")

    assert str(refused.value) == "Say in a few words what the correction changed."
    assert status_of(issue) == ("frozen", True, 1)


# --wait needs the freeze committed for real: its exports are queued (and,
# eager, rendered) only after the commit, and the command waits for them.


def test_it_waits_for_the_files_and_prints_them(transactional_db, series, media):
    issue = issue_create(series=series, by=None, number=8)

    out, err = run("freeze_issue", "openllm-talk", "008", "--wait", "--timeout", "60")

    revision = issue.revisions.get()
    lines = out.splitlines()
    assert lines[0] == "Froze OpenLLM Talk 008 as revision 1."
    assert lines[1:] == [
        f"  {export.format}: {export.path} sha256={export.sha256}"
        for export in revision.exports.order_by("format")
    ]
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["html", "json", "md", "pdf"]
    for export in revision.exports.all():
        assert sha256(stored(export)) == export.sha256
    assert err == ""


def test_it_says_which_files_failed(transactional_db, series, media, monkeypatch):
    def refuse(snapshot):
        raise RenderError("a table too wide for a page")

    monkeypatch.setitem(RENDERERS, "md", refuse)
    issue_create(series=series, by=None, number=8)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "freeze_issue", "openllm-talk", "8", "--wait", "--timeout", "60", stdout=out, stderr=err
        )

    assert str(failed.value) == "Some exports failed; retry them from the issue page."
    assert err.getvalue() == "  md: failed: a table too wide for a page\n"
    assert [line.split(":")[0].strip() for line in out.getvalue().splitlines()[1:]] == [
        "html",
        "json",
        "pdf",
    ]


# rerender_pdfs


@pytest.mark.usefixtures("quick_pdf")
def test_it_renders_again_the_pdfs_without_a_font(
    issue, freeze, django_capture_on_commit_callbacks
):
    revision = freeze(issue)
    revision.exports.filter(format="pdf").update(font="")

    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("rerender_pdfs")

    assert out == "PDFs without a CJK font, rendered again (or queued): 1\n"
    assert revision.exports.get(format="pdf").font
    assert run("rerender_pdfs")[0].endswith(": 0\n")


def test_it_says_when_there_is_no_font_to_render_them_in(db, monkeypatch, settings):
    monkeypatch.setattr(fonts, "system_fonts", dict)
    settings.PDF_CJK_FONT = "/nonexistent.ttc"

    with pytest.raises(CommandError) as refused:
        run("rerender_pdfs")

    assert str(refused.value) == "No CJK font can be found: the PDFs would fail again."


# export_issue


@pytest.fixture
def filled(issue, host):
    ItemFactory(
        section=issue.sections.get(key="news"),
        subgroup="学术",
        title="Falcon 上线 Hugging Face",
        author=host,
    )
    return issue


def output_of(tmp_path, *args) -> tuple[bytes, str]:
    target = tmp_path / "out"
    _out, err = run("export_issue", *args, "--output", str(target))
    return target.read_bytes(), err


def test_it_renders_the_current_content_before_a_freeze(filled, tmp_path):
    data, err = output_of(tmp_path, "openllm-talk", "8", "--format", "json")

    assert err == "OpenLLM Talk 008 is not frozen yet: rendering its content as it stands.\n"
    document = json.loads(data)
    assert (document["number"], document["title"]) == (8, "OpenLLM Talk 008")
    assert document["revision"]["number"] is None
    assert "Falcon 上线 Hugging Face" in data.decode()


@pytest.mark.parametrize("format", ["md", "html", "json"])
def test_it_writes_the_frozen_revision_byte_for_byte(filled, freeze, tmp_path, format):
    revision = freeze(filled)

    data, err = output_of(tmp_path, "openllm-talk", "008", "--format", format)

    assert err == ""
    assert data == stored(revision.exports.get(format=format))


def test_it_writes_a_pdf(filled, freeze, tmp_path):
    freeze(filled)

    data, _err = output_of(tmp_path, "openllm-talk", "8", "--format", "pdf")

    assert data.startswith(b"%PDF")


def test_it_writes_the_latest_revision_not_a_correction_in_progress(filled, host, tmp_path):
    issue_freeze(issue_id=filled.pk, user=None)
    issue_correct(issue_id=filled.pk, user=host)
    ItemFactory(section=filled.sections.get(key="news"), subgroup="学术", title="补充的新闻")

    first, _err = output_of(tmp_path, "openllm-talk", "8", "--format", "json")
    issue_freeze(issue_id=filled.pk, user=host, note="Added a news item.")
    second, _err = output_of(tmp_path, "openllm-talk", "8", "--format", "json")

    assert json.loads(first)["revision"]["number"] == 1
    assert "补充的新闻" not in first.decode()
    revision = json.loads(second)["revision"]
    assert (revision["number"], revision["note"]) == (2, "Added a news item.")
    assert "补充的新闻" in second.decode()


def test_it_writes_to_stdout_without_a_file(filled, monkeypatch):
    revision = issue_freeze(issue_id=filled.pk, user=None)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)

    call_command("export_issue", "openllm-talk", "8", "--format", "md")

    assert stdout.buffer.getvalue() == render("md", revision.snapshot)


@pytest.mark.postgres
def test_it_writes_to_the_stdout_of_a_real_process(transactional_db, series, tmp_path):
    issue = issue_create(series=series, by=None, number=8)
    ItemFactory(section=issue.sections.get(key="news"), subgroup="学术", title="Falcon 上线")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(tmp_path),
    }
    command = [sys.executable, "manage.py", "export_issue", "openllm-talk", "008"]

    done = subprocess.run(
        [*command, "--format", "json"], cwd=ROOT, env=env, capture_output=True, timeout=60
    )

    assert done.returncode == 0, done.stderr.decode()
    document = json.loads(done.stdout)
    assert (document["number"], document["title"]) == (8, "OpenLLM Talk 008")
    assert "Falcon 上线" in done.stdout.decode()
    assert "not frozen yet" in done.stderr.decode()


def test_it_says_when_there_is_nothing_to_export(db, series):
    with pytest.raises(CommandError) as refused:
        run("export_issue", "openllm-talk", "8", "--format", "md")

    assert str(refused.value) == "openllm-talk has no issue 8."


def test_it_refuses_a_format_it_does_not_have(issue):
    with pytest.raises(CommandError, match="invalid choice: 'docx'"):
        run("export_issue", "openllm-talk", "8", "--format", "docx")


# import_issue

CORPUS = ROOT / "talk" / "corpus"


def test_it_imports_a_corpus_file_and_prints_its_path_last(series):
    out, _ = run("import_issue", str(CORPUS / "openllm-talk-004.txt"))

    issue = Issue.objects.get(series=series, number=4)
    assert out.splitlines()[-1] == issue.get_absolute_url() == "/s/openllm-talk/4/"
    assert issue.status == Issue.Status.DRAFT


def test_it_refuses_a_taken_number_unless_asked_to_replace_the_draft(series):
    run("import_issue", str(CORPUS / "openllm-talk-004.txt"))
    first = Issue.objects.get(series=series, number=4)

    with pytest.raises(CommandError) as refused:
        run("import_issue", str(CORPUS / "openllm-talk-004.txt"))
    out, _ = run("import_issue", str(CORPUS / "openllm-talk-004.txt"), "--replace")

    assert str(refused.value) == (
        "OpenLLM Talk 004 already exists; replacing a draft has to be asked for. (--replace)"
    )
    assert out.splitlines()[-1] == "/s/openllm-talk/4/"
    assert not Issue.objects.filter(pk=first.pk).exists()


def test_it_says_at_once_that_a_published_issue_cannot_be_replaced(series):
    run("import_issue", str(CORPUS / "openllm-talk-004.txt"))
    issue = Issue.objects.get(series=series, number=4)
    put_in(issue, "published")

    with pytest.raises(CommandError) as refused:
        run("import_issue", str(CORPUS / "openllm-talk-004.txt"))

    assert str(refused.value) == (
        "OpenLLM Talk 004 already exists and is published: only a draft can be replaced."
    )


def test_it_does_not_replace_a_draft_holding_members_work(series, member):
    run("import_issue", str(CORPUS / "openllm-talk-004.txt"))
    draft = Issue.objects.get(series=series, number=4)
    Claim.objects.create(section=draft.sections.get(key="news"), member=member, slot=1)

    with pytest.raises(CommandError, match="holds members' work") as refused:
        run("import_issue", str(CORPUS / "openllm-talk-004.txt"), "--replace")

    assert "(claimed sections: 1, host and editor roles: 0," in str(refused.value)
    assert Claim.objects.filter(section__issue=draft).exists()


@pytest.mark.postgres
def test_it_refuses_a_file_with_a_nul(db, tmp_path):
    path = tmp_path / "021.txt"
    path.write_text("OpenLLM Talk 021\n本周新闻\x00\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"contains a NUL character \(\\x00\)"):
        run("import_issue", str(path))


def test_it_says_when_it_cannot_read_the_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_issue", str(tmp_path / "missing.txt"))
