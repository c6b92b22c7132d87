"""The issue page and what belongs to the issue as a whole: its record and
references, the host and editor roles, the lifecycle (start, freeze,
publish, correct), the exports and their files, and opening the next one."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    trigger_client_event,
)

from sections.errors import DeskError, Invalid
from sections.selectors import issue_content
from talk import selectors, services
from talk.exports import MEDIA_TYPES
from talk.exports.storage import absolute
from talk.lifecycle import ACTIONS, FREEZE, lifecycle_move
from talk.models import Export, Issue

from ..calendar import calendar_response
from ..forms.issues import FreezeForm
from .getters import ISSUE_ROWS, get_issue
from .page import lifecycle_context, render_issue_page, render_record
from .respond import CHANGED, fragment_or_page, refused


@require_safe
def issue_detail(request, series_slug, code):
    try:
        issue = ISSUE_ROWS.get(series__slug=series_slug, code=code)
    except Issue.DoesNotExist:
        # Issues are shown zero-padded ("OpenLLM Talk 008"), and people type
        # the address as they read it; the address itself is the number.
        if code.isdigit() and code.startswith("0") and code != "0":
            return redirect("issue", series_slug, str(int(code)))
        raise Http404 from None
    return render_issue_page(request, issue)


@require_safe
def record_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return fragment_or_page(request, issue, "issue-record", lambda: render_record(request, issue))


@require_safe
def references_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)

    def fragment():
        content = issue_content(issue, viewer=request.user)
        return render(
            request, "sections/section.html#references", {"issue": issue, "content": content}
        )

    return fragment_or_page(request, issue, "references", fragment)


# Spelled out: any other word in the URL must not quietly give up the role.
ROLE_CHANGES = {"claim": services.issue_role_claim, "release": services.issue_role_release}


@require_POST
def issue_role(request, series_slug, code, role, action):
    """Claim or give up the host or editor role of the issue."""
    issue = get_issue(series_slug, code)
    change = ROLE_CHANGES.get(action)
    if change is None:
        raise Http404
    try:
        change(issue_id=issue.pk, user=request.user, role=role)
    except DeskError as error:
        return refused(request, issue, error)
    if request.htmx:
        return trigger_client_event(render_record(request, get_issue(series_slug, code)), CHANGED)
    return redirect(f"{issue.get_absolute_url()}#issue-record")


@require_POST
def issue_lifecycle(request, series_slug, code, action):
    """Start the meeting, freeze, publish, or open a correction. The whole
    page changes with the status, so htmx reloads it."""
    issue = get_issue(series_slug, code)
    if action not in ACTIONS:
        raise Http404
    try:
        # The service judges the freeze's note (needed for a correction, not
        # too long) once it has checked who asks.
        note = request.POST.get("note", "")
        services.issue_move(issue_id=issue.pk, user=request.user, action=action, note=note)
    except Invalid as error:
        # The correction's note (missing, too long): said at the field, with
        # the note as typed.
        return _freeze_form_again(request, issue, error)
    except DeskError as error:
        return refused(request, issue, error, kept=request.POST.get("note", ""))
    if request.htmx and action == FREEZE:
        # The host lands on the progress of the files being made. The
        # address changes only by its #fragment, which alone would not
        # load the page again: htmx reloads it after.
        landing = HttpResponseClientRedirect(f"{issue.get_absolute_url()}#issue-exports")
        landing["HX-Refresh"] = "true"
        return landing
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(f"{issue.get_absolute_url()}#issue-exports")


def _freeze_form_again(request, issue: Issue, error: Invalid) -> HttpResponse:
    form = FreezeForm(request.POST)
    if form.is_valid():  # the form's own checks may have said it already
        form.add_error("note", error.message)
    if request.htmx:
        context = {
            "issue": issue,
            "freeze_form": form,
            "freeze_move": lifecycle_move(issue, FREEZE),
        }
        return render(request, "talk/issue.html#freeze-form", context, status=422)
    return render_issue_page(request, issue, status=422, flash=error.message, freeze_form=form)


@require_safe
def exports_fragment(request, series_slug, code):
    """The exports panel, polled while files are being rendered."""
    issue = get_issue(series_slug, code)

    def fragment():
        context = {"issue": issue, **lifecycle_context(request, issue)}
        return render(request, "talk/issue.html#issue-exports", context)

    return fragment_or_page(request, issue, "issue-exports", fragment)


@require_POST
def export_retry(request, series_slug, code, pk):
    issue = get_issue(series_slug, code)
    get_object_or_404(Export, pk=pk, revision__issue=issue)
    try:
        services.export_retry(export_id=pk, user=request.user)
    except DeskError as error:
        return refused(request, issue, error)
    if request.htmx:
        context = {"issue": issue, **lifecycle_context(request, issue)}
        return render(request, "talk/issue.html#issue-exports", context)
    return redirect(f"{issue.get_absolute_url()}#issue-exports")


@require_safe
def issue_calendar(request, series_slug, code):
    """The issue's meeting as one event, to add to a calendar."""
    issue = get_issue(series_slug, code)
    meeting = selectors.issue_meeting(issue)
    if meeting is None:
        raise Http404
    filename = f"{issue.series.slug}-{issue.code}.ics"
    return calendar_response(request, issue.series, [meeting], filename)


@require_safe
def export_download(request, series_slug, code, revision, format):
    """A rendered file, as stored (with its SHA-256 in a header for checking)."""
    export = get_object_or_404(
        Export.objects.select_related("revision__issue__series"),
        revision__issue__series__slug=series_slug,
        revision__issue__code=code,
        revision__number=revision,
        format=format,
        status=Export.Status.DONE,
    )
    path = absolute(export.path)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=format != "html",
        filename=export.filename,
        content_type=MEDIA_TYPES[format],
    )
    response["X-Content-SHA256"] = export.sha256
    if format == "html":
        # Shown in the browser from our own origin: no scripts, no forms, no
        # same-origin rights, whatever the file holds.
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@require_POST
def open_next_issue(request, series_slug, code):
    """Open the issue after this one: its host, its editor or an admin."""
    issue = get_issue(series_slug, code)
    try:
        opened = services.issue_open_next(series=issue.series, user=request.user, after=issue)
    except DeskError as error:
        return refused(request, issue, error)
    messages.success(
        request,
        _("%(title)s is open: the host, the editor and the sections are there to be claimed.")
        % {"title": opened.title},
    )
    if request.htmx:
        return HttpResponseClientRedirect(opened.get_absolute_url())
    return redirect(opened.get_absolute_url())
