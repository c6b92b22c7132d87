"""The host's desk on the issue page (start, freeze, publish, correct), the
exports panel with its progress, downloads and retries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from talk.exports.storage import absolute
from talk.models import Export, Issue
from talk.services import export_run, issue_correct, issue_create
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_id, headers, rendered
from tests.talk.conftest import put_in, sha256

pytestmark = pytest.mark.usefixtures("english")

NOT_STEWARD = "Only the host, the editor and admins can do that."
LOG_IN = "Log in to contribute."
POLLING = 'hx-trigger="every 2s"'
ACTIONS = ["start", "freeze", "publish", "correct"]


def url(name, issue, *args):
    return reverse(name, args=[issue.series.slug, issue.code, *args])


def state_of(issue) -> tuple:
    issue = Issue.objects.get(pk=issue.pk)
    return issue.status, issue.correcting, issue.revisions.count()


def page_of(client, issue) -> str:
    response = client.get(issue.get_absolute_url())
    assert response.status_code == 200
    return response.text


# Lifecycle actions: (action, the state it starts from, the state after)
STEPS = [
    ("start", "draft", ("live", False, 0)),
    ("freeze", "draft", ("frozen", False, 1)),
    ("publish", "frozen", ("published", False, 1)),
    ("correct", "published", ("published", True, 1)),
]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["host", "admin"])
@pytest.mark.parametrize(("action", "state", "after"), STEPS, ids=[s[0] for s in STEPS])
def test_it_moves_the_issue_for_the_host_and_admins(
    client_as, issue, role, action, state, after, htmx
):
    put_in(issue, state)

    response = client_as(role).post(url("issue-lifecycle", issue, action), headers=headers(htmx))

    if htmx:
        # The whole page changes with the status: htmx reloads it.
        assert response.status_code == 200
        assert response.headers["HX-Refresh"] == "true"
        # A freeze lands the host on the progress of its files.
        if action == "freeze":
            assert response.headers["HX-Redirect"] == f"{issue.get_absolute_url()}#issue-exports"
        else:
            assert "HX-Redirect" not in response.headers
    else:
        assert response.status_code == 302
        assert response.url == f"{issue.get_absolute_url()}#issue-exports"
    assert state_of(issue) == after


def test_it_lets_the_editor_freeze(client, editor, issue):
    client.force_login(editor)

    response = client.post(url("issue-lifecycle", issue, "freeze"), headers=HTMX)

    assert response.headers["HX-Refresh"] == "true"
    assert state_of(issue) == ("frozen", False, 1)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        ("anonymous", 403, LOG_IN),
        ("outsider", 403, NOT_STEWARD),
        ("owner", 403, NOT_STEWARD),
        ("author", 403, NOT_STEWARD),
    ],
)
@pytest.mark.parametrize(("action", "state", "after"), STEPS, ids=[s[0] for s in STEPS])
def test_it_refuses_everyone_else(
    client_as, issue, role, status, message, action, state, after, htmx
):
    put_in(issue, state)
    before = state_of(issue)

    response = client_as(role).post(url("issue-lifecycle", issue, action), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=status, message=message)
    assert state_of(issue) == before


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("action", "state", "message"),
    [
        ("start", "frozen", "Only a draft can start."),
        ("publish", "draft", "Only a frozen issue can be published."),
        ("correct", "live", "Only a frozen or published issue can be corrected."),
        ("freeze", "published", "This issue is already frozen; open a correction to change it."),
    ],
)
def test_it_says_why_a_step_is_not_possible_now(client_as, issue, action, state, message, htmx):
    put_in(issue, state)
    before = state_of(issue)

    response = client_as("host").post(url("issue-lifecycle", issue, action), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=409, message=message)
    assert state_of(issue) == before


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_freezes_a_correction_with_its_note(client_as, issue, htmx):
    put_in(issue, "correcting")

    response = client_as("host").post(
        url("issue-lifecycle", issue, "freeze"), {"note": "Fixed a link."}, headers=headers(htmx)
    )

    assert response.status_code == (200 if htmx else 302)
    assert state_of(issue) == ("frozen", False, 2)
    assert issue.revisions.get(number=2).note == "Fixed a link."


def assert_note_refused(response, *, htmx: bool, message: str, note: str):
    """The correction's note is refused at its field, with the note as typed."""
    assert response.status_code == 422, response.text
    form = by_id(response.text, "freeze-form")
    assert escape(message) in form
    assert f">\n{note}</textarea>" in form
    if not htmx:  # the whole page again, saying it at the top too
        assert escape(message) in by_id(response.text, "flash")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_says_a_correction_note_is_too_long(client_as, issue, htmx):
    put_in(issue, "correcting")

    response = client_as("host").post(
        url("issue-lifecycle", issue, "freeze"), {"note": "长" * 2001}, headers=headers(htmx)
    )

    assert_note_refused(
        response,
        htmx=htmx,
        message="Ensure this value has at most 2000 characters (it has 2001).",
        note="长" * 2001,
    )
    assert state_of(issue) == ("frozen", True, 1)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_note_of_a_correction(client_as, issue, htmx):
    put_in(issue, "correcting")

    response = client_as("host").post(
        url("issue-lifecycle", issue, "freeze"), {"note": " "}, headers=headers(htmx)
    )

    assert_note_refused(
        response, htmx=htmx, message="Say in a few words what the correction changed.", note=" "
    )
    assert state_of(issue) == ("frozen", True, 1)


def test_it_answers_404_for_an_action_that_does_not_exist(client_as, issue):
    response = client_as("host").post(url("issue-lifecycle", issue, "archive"), headers=HTMX)

    assert response.status_code == 404
    assert state_of(issue) == ("draft", False, 0)


def test_it_answers_404_for_an_unknown_issue(client_as, issue):
    response = client_as("host").post(
        reverse("issue-lifecycle", args=[issue.series.slug, "999", "start"])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_it_takes_only_posts(client_as, issue, action):
    assert client_as("host").get(url("issue-lifecycle", issue, action)).status_code == 405
    assert state_of(issue) == ("draft", False, 0)


# The issue page


@pytest.mark.parametrize("role", ["host", "editor", "admin"])
def test_it_shows_the_host_s_desk_to_the_stewards(client, who, issue, role):
    client.force_login(who(role))

    desk = by_id(page_of(client, issue), "issue-steward")

    assert "Start the meeting" in desk
    assert "Freeze the issue" in desk


@pytest.mark.parametrize("role", ["anonymous", "author", "outsider", "owner"])
def test_it_hides_the_host_s_desk_from_everyone_else(client_as, issue, role):
    page = page_of(client_as(role), issue)

    # An empty, hidden placeholder stays, for live updates to fill.
    assert 'id="steward-title"' not in page
    assert url("issue-lifecycle", issue, "freeze") not in page
    assert url("meeting-highlights", issue) not in page


@pytest.mark.parametrize(
    ("state", "actions"),
    [
        ("draft", {"start", "freeze"}),
        ("live", {"freeze"}),
        ("frozen", {"publish", "correct"}),
        ("published", {"correct"}),
        ("correcting", {"freeze"}),
    ],
)
def test_it_offers_the_steps_the_issue_can_take(client_as, issue, state, actions):
    put_in(issue, state)

    desk = by_id(page_of(client_as("host"), issue), "issue-steward")

    offered = {a for a in ACTIONS if url("issue-lifecycle", issue, a) in desk}
    assert offered == actions
    assert ('name="note"' in desk) == (state == "correcting")


@pytest.mark.parametrize(
    ("state", "banner"),
    [
        ("draft", None),
        ("live", None),
        ("frozen", "This issue is frozen: its content no longer changes."),
        ("published", "This issue is frozen: its content no longer changes."),
        ("correcting", "This issue is being corrected by its host"),
    ],
)
def test_it_says_when_the_issue_is_closed(client_as, issue, state, banner):
    put_in(issue, state)

    page = page_of(client_as("author"), issue)

    if banner is None:
        assert 'id="status-banner"' not in page
    else:
        assert banner in by_id(page, "status-banner")


def test_it_shows_no_exports_before_a_freeze(client, issue):
    assert 'id="issue-exports"' not in page_of(client, issue)


def test_it_lists_the_files_with_their_checksums(client, issue, freeze):
    revision = freeze(issue)

    panel = by_id(page_of(client, issue), "issue-exports")

    assert POLLING not in panel
    for export in revision.exports.all():
        assert url("export-download", issue, 1, export.format) in panel
        assert export.filename in panel
        assert export.sha256 in panel
    assert "Try again" not in panel


def test_it_keeps_revision_1_listed_after_a_correction(client, issue, freeze, host):
    first = freeze(issue)
    issue_correct(issue_id=issue.pk, user=host)
    freeze(issue, user=host, note="Fixed a link.")

    panel = by_id(page_of(client, issue), "issue-exports")

    assert "Fixed a link." in by_id(panel, "revision-2")
    for export in first.exports.all():
        assert export.sha256 in by_id(panel, "revision-1")
        assert url("export-download", issue, 1, export.format) in panel
    assert panel.index('id="revision-2"') < panel.index('id="revision-1"'), "newest first"


@pytest.mark.parametrize("status", ["pending", "running"])
def test_it_polls_while_a_file_is_being_rendered(client, issue, status):
    put_in(issue, "frozen")
    Export.objects.exclude(format="md").update(status="done", sha256="0" * 64, size=1)
    Export.objects.filter(format="md").update(status=status)

    panel = by_id(page_of(client, issue), "issue-exports")

    assert POLLING in panel
    assert f'hx-get="{url("issue-exports", issue)}"' in panel
    assert panel.count("<progress") == 1


def test_it_stops_polling_when_the_files_are_done_or_failed(client, issue):
    put_in(issue, "frozen")
    Export.objects.filter(format="pdf").update(status="failed", error="RenderError: too wide")
    Export.objects.exclude(format="pdf").update(status="done", sha256="0" * 64, size=1)

    panel = by_id(page_of(client, issue), "issue-exports")

    assert POLLING not in panel
    assert "RenderError: too wide" in panel


@pytest.mark.parametrize(
    ("role", "may_retry"), [("host", True), ("admin", True), ("author", False)]
)
def test_it_offers_a_retry_of_a_failed_file_to_the_stewards(client_as, issue, role, may_retry):
    put_in(issue, "frozen")
    failed = Export.objects.get(format="pdf")
    Export.objects.filter(pk=failed.pk).update(status="failed", error="RenderError: too wide")

    panel = by_id(page_of(client_as(role), issue), "issue-exports")

    assert (url("export-retry", issue, failed.pk) in panel) == may_retry


def test_it_says_a_file_stalled_and_offers_it_again_instead_of_polling(client_as, issue):
    put_in(issue, "frozen")
    Export.objects.exclude(format="pdf").update(status="done", sha256="0" * 64, size=1)
    # The PDF's worker was killed at its hard time limit, leaving the row held.
    gone = timezone.now() - datetime.timedelta(minutes=1)
    Export.objects.filter(format="pdf").update(status="running", task_id="t", lease_until=gone)

    panel = by_id(page_of(client_as("host"), issue), "issue-exports")

    assert POLLING not in panel
    assert "The worker stopped before it finished this file." in panel
    assert url("export-retry", issue, Export.objects.get(format="pdf").pk) in panel


# The exports fragment


def test_it_serves_the_exports_panel_to_htmx(client, issue):
    put_in(issue, "frozen")

    response = client.get(url("issue-exports", issue), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == "talk/issue.html#issue-exports"
    assert response.text.lstrip().startswith('<section class="card" id="issue-exports"')
    assert POLLING in response.text


def test_its_last_poll_stops_polling(client, issue, media):
    put_in(issue, "frozen")
    for export in Export.objects.all():
        export_run(export_id=export.pk, task_id="task-1")

    response = client.get(url("issue-exports", issue), headers=HTMX)

    assert POLLING not in response.text
    assert response.text.count("checksum") == 4


@pytest.mark.parametrize("extra", [{}, {**HTMX, "HX-History-Restore-Request": "true"}])
def test_it_sends_plain_requests_for_the_panel_to_the_page(client, issue, extra):
    put_in(issue, "frozen")

    response = client.get(url("issue-exports", issue), headers=extra)

    assert response.status_code == 302
    assert response.url == f"{issue.get_absolute_url()}#issue-exports"


# Downloads


@pytest.mark.parametrize(
    ("format", "media_type", "disposition"),
    [
        ("md", "text/markdown; charset=utf-8", "attachment"),
        ("html", "text/html; charset=utf-8", "inline"),
        ("json", "application/json", "attachment"),
        ("pdf", "application/pdf", "attachment"),
    ],
)
def test_it_serves_a_file_with_its_checksum(client, issue, freeze, format, media_type, disposition):
    export = freeze(issue).exports.get(format=format)

    response = client.get(url("export-download", issue, 1, format))

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert (
        response["Content-Disposition"] == f'{disposition}; filename="openllm-talk-8-r1.{format}"'
    )
    assert response["X-Content-SHA256"] == sha256(body) == export.sha256
    assert body


@pytest.mark.parametrize("status", ["pending", "running", "failed"])
def test_it_answers_404_for_a_file_that_is_not_ready(client, issue, status):
    put_in(issue, "frozen")
    Export.objects.filter(format="md").update(status=status)

    assert client.get(url("export-download", issue, 1, "md")).status_code == 404


@pytest.mark.parametrize(("revision", "format"), [(2, "md"), (1, "docx"), (0, "json")])
def test_it_answers_404_for_a_revision_or_format_that_does_not_exist(
    client, issue, media, revision, format
):
    put_in(issue, "frozen")
    for export in Export.objects.filter(format__in=["md", "json"]):
        export_run(export_id=export.pk, task_id="task-1")

    assert client.get(url("export-download", issue, revision, format)).status_code == 404


def test_it_answers_404_when_the_file_is_gone(client, issue, media):
    put_in(issue, "frozen")
    export = export_run(export_id=Export.objects.get(format="md").pk, task_id="task-1")
    absolute(export.path).unlink()

    assert client.get(url("export-download", issue, 1, "md")).status_code == 404


# Retries


@pytest.fixture
def failed(issue, media):
    put_in(issue, "frozen")
    export = Export.objects.get(format="md")
    Export.objects.filter(pk=export.pk).update(
        status="failed", error="RenderError: too wide", attempts=1
    )
    return export


@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_retries_a_failed_file_for_htmx(
    client_as, issue, failed, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(role).post(url("export-retry", issue, failed.pk), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == "talk/issue.html#issue-exports"
    # Queued when the panel was drawn, so it polls for the new file.
    assert POLLING in response.text
    assert "RenderError" not in by_id(response.text, f"export-{failed.pk}")
    done = Export.objects.get(pk=failed.pk)
    assert (done.status, done.attempts) == ("done", 2)


def test_it_retries_a_failed_file_for_a_plain_post(client_as, issue, failed):
    response = client_as("host").post(url("export-retry", issue, failed.pk))

    assert response.status_code == 302
    assert response.url == f"{issue.get_absolute_url()}#issue-exports"
    assert Export.objects.get(pk=failed.pk).status == "pending"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("anonymous", LOG_IN),
        ("author", NOT_STEWARD),
        ("outsider", NOT_STEWARD),
        ("owner", NOT_STEWARD),
    ],
)
def test_it_refuses_a_retry_to_everyone_else(client_as, issue, failed, role, message, htmx):
    response = client_as(role).post(url("export-retry", issue, failed.pk), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert Export.objects.get(pk=failed.pk).status == "failed"


def test_it_retries_only_a_failed_file(client_as, issue, failed):
    other = Export.objects.get(format="html")

    response = client_as("host").post(url("export-retry", issue, other.pk), headers=HTMX)

    assert_refused(
        response,
        htmx=True,
        status=400,
        message="Only a failed or stalled export can be tried again.",
    )
    assert Export.objects.get(pk=other.pk).status == "pending"


def test_it_answers_404_for_an_export_of_another_issue(client_as, series, issue, failed):
    other = issue_create(series=series, by=None, number=9)

    response = client_as("admin").post(url("export-retry", other, failed.pk), headers=HTMX)

    assert response.status_code == 404
    assert Export.objects.get(pk=failed.pk).status == "failed"


def test_a_retry_takes_only_posts(client_as, issue, failed):
    assert client_as("host").get(url("export-retry", issue, failed.pk)).status_code == 405
