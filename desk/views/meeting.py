"""The meeting: the live stream every open page keeps, the live bar, and the
host's console (the pointer, the spotlight, the highlights line)."""

import json

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from sections.errors import DeskError, Invalid, StaleWrite
from talk import selectors, services
from talk.live.stream import event_stream
from talk.models import Issue

from ..forms.issues import HighlightsForm
from .getters import get_issue
from .page import render_issue_page, steward_context
from .respond import CHANGED, fragment_or_page, refused, save_edit

WSGI_RETRY_MS = 60_000


@sync_to_async
def _stream_viewer(request, series_slug, code, streaming: bool) -> tuple[int, str, int | None]:
    """The issue's id, the viewer's alias (empty for a visitor) and id. The
    stream needs no database after this, and the connection these reads
    opened would otherwise stay open as long as the page (Django closes it
    when the response ends): one per open page, and PostgreSQL's 100
    connections are gone at ~95 pages. Read and closed in one thread."""
    try:
        issue_id = get_object_or_404(Issue, series__slug=series_slug, code=code).pk
        user = request.user
        if not user.is_authenticated:
            return issue_id, "", None
        return issue_id, user.alias, user.pk
    finally:
        if streaming:
            connections.close_all()


@require_safe
async def issue_events(request, series_slug, code):
    """Server-Sent Events of one issue. Events name what changed, never its
    content, so the stream serves anyone who may read the issue (everyone);
    each page fetches the fragments again with its viewer's rights."""
    streaming = isinstance(request, ASGIRequest)
    issue_id, alias, user_id = await _stream_viewer(request, series_slug, code, streaming)
    if not streaming:
        # A WSGI server (the test server, runserver) cannot hold a stream
        # open: the page is told updates are off and asks again later.
        hello = json.dumps({"kind": "hello", "seq": 0, "live": False})
        return HttpResponse(
            f"retry: {WSGI_RETRY_MS}\ndata: {hello}\n\n", content_type="text/event-stream"
        )
    response = StreamingHttpResponse(
        event_stream(issue_id, alias, user_id), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _live_bar(request, issue):
    return render(request, "talk/issue.html#live-bar", {"issue": issue})


@require_safe
def live_bar_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return fragment_or_page(request, issue, "live", lambda: _live_bar(request, issue))


def _steward(request, issue, status=200, **extra):
    context = {"issue": issue, **steward_context(request, issue, **extra)}
    return render(request, "talk/issue.html#issue-steward", context, status=status)


@require_safe
def steward_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return fragment_or_page(request, issue, "issue-steward", lambda: _steward(request, issue))


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@require_POST
def meeting_pointer(request, series_slug, code):
    """Next, previous, or straight to a section."""
    issue = get_issue(series_slug, code)
    step = {"next": 1, "previous": -1}.get(request.POST.get("step", ""), 0)
    try:
        services.issue_pointer_move(
            issue_id=issue.pk,
            user=request.user,
            expected_id=_int_or_none(request.POST.get("from")),
            step=step,
            section_id=None if step else _int_or_none(request.POST.get("section")),
        )
    except DeskError as error:
        return refused(request, issue, error)
    return _after_meeting_change(request, series_slug, code)


@require_POST
def meeting_spotlight(request, series_slug, code):
    issue = get_issue(series_slug, code)
    try:
        services.issue_spotlight(
            issue_id=issue.pk,
            user=request.user,
            question_id=_int_or_none(request.POST.get("question")),
        )
    except DeskError as error:
        return refused(request, issue, error)
    return _after_meeting_change(request, series_slug, code)


@require_POST
def meeting_spotlight_next(request, series_slug, code):
    """The next most-voted question not discussed yet (the host's "s" key)."""
    issue = get_issue(series_slug, code)
    try:
        services.issue_spotlight_next(issue_id=issue.pk, user=request.user)
    except DeskError as error:
        return refused(request, issue, error)
    return _after_meeting_change(request, series_slug, code)


@require_POST
def meeting_discuss_next(request, series_slug, code):
    """The current section's next item marked discussed (the "d" key)."""
    issue = get_issue(series_slug, code)
    try:
        services.issue_discuss_next_item(issue_id=issue.pk, user=request.user)
    except DeskError as error:
        return refused(request, issue, error)
    return _after_meeting_change(request, series_slug, code)


GUEST_CHOICES = {"1": True, "0": False, "": None}


@require_POST
def meeting_guests(request, series_slug, code):
    """Allow or stop guests' questions in this issue, or follow the series."""
    issue = get_issue(series_slug, code)
    choice = request.POST.get("allowed", "")
    if choice not in GUEST_CHOICES:
        return refused(request, issue, Invalid(_("Choose whether guests may ask.")))
    try:
        services.issue_guests_set(
            issue_id=issue.pk, user=request.user, allowed=GUEST_CHOICES[choice]
        )
    except DeskError as error:
        return refused(request, issue, error)
    issue = get_issue(series_slug, code)
    if request.htmx:
        return _steward(request, issue)
    return redirect(f"{issue.get_absolute_url()}#issue-steward")


def _after_meeting_change(request, series_slug, code):
    issue = get_issue(series_slug, code)
    if request.htmx:
        # The console answers; the live bar follows through the event, as on
        # every other page.
        return _steward(request, issue)
    if request.POST.get("back") == "present":
        return redirect("issue-present", series_slug, code)
    return redirect(f"{issue.get_absolute_url()}#live")


@require_http_methods(["GET", "POST"])
def meeting_highlights(request, series_slug, code):
    """GET: the form filled with a suggestion built from the issue (the
    host's text is not touched until they save). POST: save."""
    issue = get_issue(series_slug, code)
    if request.method == "GET":
        form = HighlightsForm(
            initial={"text": selectors.highlights_suggestion(issue), "version": issue.version}
        )
        if request.htmx:
            return render(
                request,
                "talk/issue.html#highlights-form",
                {"issue": issue, "highlights_form": form},
            )
        return redirect(f"{issue.get_absolute_url()}#issue-steward")
    edit = save_edit(
        request,
        HighlightsForm(request.POST),
        lambda form: services.issue_highlights_save(
            issue_id=issue.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        ),
        rebase=HighlightsForm.rebased,
    )
    if edit.saved:
        issue = get_issue(series_slug, code)
        if request.htmx:
            return trigger_client_event(_steward(request, issue), CHANGED)
        return redirect(f"{issue.get_absolute_url()}#issue-record")
    form, status = edit.form, edit.status
    if isinstance(edit.error, StaleWrite):
        form.add_error(None, edit.error.message)
    elif edit.error is not None:
        # Frozen meanwhile, or no longer a steward: the page has no
        # highlights form to fill again, so the line comes back beside the
        # refusal.
        return refused(request, issue, edit.error, kept=form.cleaned_data["text"])
    if request.htmx:
        context = {"issue": issue, "highlights_form": form}
        return render(request, "talk/issue.html#highlights-form", context, status=status)
    flash = " ".join(str(e) for e in form.non_field_errors()) or _("Check the highlights line.")
    return render_issue_page(request, issue, status=status, flash=flash, highlights_form=form)
