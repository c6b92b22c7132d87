import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, connection, connections
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    reswap,
    trigger_client_event,
)

from sections.errors import DeskError, Gone, Invalid, StaleWrite
from sections.models import Question, Section, SectionKind
from sections.policy import is_admin
from sections.selectors import (
    SHOWN,
    issue_content,
    question_content,
    section_content,
    visible_posts,
)
from sections.views.page import (
    CHANGED,
    attach_forms,
    refusal_fragment,
    refused,
    render_issue_page,
    sort_of,
)

from . import selectors, services
from .exports import MEDIA_TYPES
from .exports.storage import absolute
from .forms import FreezeForm, HighlightsForm
from .live.broker import broker
from .live.stream import event_stream
from .models import Export, Issue, Series

# What every view of an issue reads with it: the meeting's pointer included.
ISSUE_ROWS = Issue.objects.select_related(
    "series", "host", "editor", "current_section", "spotlight"
)


def get_issue(series_slug: str, code: str) -> Issue:
    """Issues are public: anyone may read one, so outsiders get it too."""
    return get_object_or_404(ISSUE_ROWS, series__slug=series_slug, code=code)


def not_found(request, exception):
    """A missing page in the site's frame and language. For htmx (a row
    deleted meanwhile, say), words in the page's alert region: a whole page
    swapped into a fragment would break the page around it."""
    if request.headers.get("X-Desk-Live"):
        # A live refresh that lost a race with a delete: the delete's own
        # event refreshes the section; nobody did anything to be told of.
        return reswap(HttpResponse(status=404), "none")
    if getattr(request, "htmx", False):
        return refusal_fragment(request, Gone())
    return render(request, "404.html", status=404)


@require_safe
def home(request):
    return render(request, "talk/home.html", {"series_list": selectors.series_overview()})


@require_safe
def series_detail(request, series_slug):
    series = get_object_or_404(Series, slug=series_slug)
    return render(
        request,
        "talk/series.html",
        {"series": series, "issues": selectors.series_issues(series)},
    )


@require_safe
def series_archive(request, series_slug):
    """The public archive: published issues with their files."""
    series = get_object_or_404(Series, slug=series_slug)
    return render(
        request,
        "talk/archive.html",
        {"series": series, "issues": selectors.published_issues(series)},
    )


@require_safe
def series_rules(request, series_slug):
    """The series' moderation rules, for anyone: linked from the Q&A."""
    series = get_object_or_404(Series, slug=series_slug)
    return render(request, "talk/rules.html", {"series": series})


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


# Fragments of the issue page, fetched again when what they show changed. A
# plain request (no JavaScript, or a history restore) is sent to the page.


def _fragment_or_page(request, issue, anchor: str, render_fragment, exists=None):
    """`exists` tells whether the row the anchor names is there for this viewer:
    a link to a missing one is a 404 with or without htmx."""
    if request.htmx and not request.htmx.history_restore_request:
        return render_fragment()
    if exists is not None and not exists():
        raise Http404
    return redirect(f"{issue.get_absolute_url()}#{anchor}")


def _record(request, issue, status=200):
    content = issue_content(issue, viewer=request.user)
    context = {"issue": issue, "content": content}
    return render(request, "talk/issue.html#issue-record", context, status=status)


@require_safe
def record_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return _fragment_or_page(request, issue, "issue-record", lambda: _record(request, issue))


@require_safe
def references_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)

    def fragment():
        content = issue_content(issue, viewer=request.user)
        return render(
            request, "sections/section.html#references", {"issue": issue, "content": content}
        )

    return _fragment_or_page(request, issue, "references", fragment)


@require_safe
def section_fragment(request, series_slug, code, pk):
    issue = get_issue(series_slug, code)

    def fragment():
        try:
            section = section_content(pk, issue=issue, viewer=request.user, sort=sort_of(request))
        except Section.DoesNotExist:
            raise Http404 from None
        attach_forms(section, request.user)
        context = {"issue": issue, "section": section}
        if section.kind == SectionKind.REFERENCES:
            # Its list is every link of the issue, not rows of its own.
            context["content"] = issue_content(issue, viewer=request.user)
        return render(request, "sections/section.html", context)

    def exists():
        return issue.sections.filter(pk=pk).exists()

    return _fragment_or_page(request, issue, f"section-{pk}", fragment, exists)


@require_safe
def question_fragment(request, series_slug, code, pk):
    issue = get_issue(series_slug, code)

    def fragment():
        try:
            question = question_content(pk, issue=issue, viewer=request.user)
        except Question.DoesNotExist:
            raise Http404 from None
        context = {"issue": issue, "question": question, "section": question.section}
        return render(request, "sections/question.html", context)

    def exists():
        questions = Question.objects.filter(visible_posts(request.user), section__issue=issue)
        return questions.filter(pk=pk).exists()

    return _fragment_or_page(request, issue, f"question-{pk}", fragment, exists)


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
        return trigger_client_event(_record(request, get_issue(series_slug, code)), CHANGED)
    return redirect(f"{issue.get_absolute_url()}#issue-record")


# Lifecycle and exports


def can_steward(user, issue: Issue) -> bool:
    return user.is_authenticated and (is_admin(user) or issue.is_hosted_by(user))


def lifecycle_context(request, issue: Issue) -> dict:
    """What the issue page shows of its lifecycle and the meeting."""
    revisions = selectors.issue_revisions(issue)
    return {
        "revisions": revisions,
        "exports_in_progress": selectors.exports_in_progress(revisions),
        **steward_context(request, issue),
    }


def steward_context(request, issue: Issue, highlights_form=None) -> dict:
    steward = can_steward(request.user, issue)
    return {
        "can_steward": steward,
        "freeze_form": getattr(request, "freeze_form", None) or FreezeForm(),
        # A refused plain-form save renders the whole page again: the typed
        # text comes back through the request (see meeting_highlights).
        "highlights_form": highlights_form
        or getattr(request, "highlights_form", None)
        or HighlightsForm(initial={"text": issue.highlights, "version": issue.version}),
        # Read only where the host's console lists them.
        "meeting_sections": (
            list(issue.sections.filter(SHOWN).order_by("position", "id")) if steward else []
        ),
        "next_issue": _next_issue(issue) if steward else None,
    }


def _next_issue(issue: Issue) -> Issue | None:
    """The issue after this one, once this one is over: the desk links to it,
    or offers to open it when there is none yet."""
    if issue.number is None or issue.status not in selectors.ARCHIVED_STATUSES:
        return None
    return (
        Issue.objects.select_related("series")
        .filter(series=issue.series_id, number__gt=issue.number)
        .order_by("number")
        .first()
    )


def issue_page_context(request, issue: Issue) -> dict:
    """Added to the issue page by sections.views.page.render_issue_page."""
    return {**lifecycle_context(request, issue), "live_seq": broker().current_seq(issue.pk)}


LIFECYCLE = {
    "start": services.issue_start,
    "publish": services.issue_publish,
    "correct": services.issue_correct,
}


@require_POST
def issue_lifecycle(request, series_slug, code, action):
    """Start the meeting, freeze, publish, or open a correction. The whole
    page changes with the status, so htmx reloads it."""
    issue = get_issue(series_slug, code)
    try:
        if action == "freeze":
            # The service judges the note (needed for a correction, not too
            # long) once it has checked who asks.
            note = request.POST.get("note", "")
            services.issue_freeze(issue_id=issue.pk, user=request.user, note=note)
        elif action in LIFECYCLE:
            LIFECYCLE[action](issue_id=issue.pk, user=request.user)
        else:
            raise Http404
    except Invalid as error:
        # The correction's note (missing, too long): said at the field, with
        # the note as typed.
        return _freeze_form_again(request, issue, error)
    except DeskError as error:
        return refused(request, issue, error, kept=request.POST.get("note", ""))
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(f"{issue.get_absolute_url()}#issue-exports")


def _freeze_form_again(request, issue: Issue, error: Invalid) -> HttpResponse:
    form = FreezeForm(request.POST)
    if form.is_valid():  # the form's own checks may have said it already
        form.add_error("note", error.message)
    if request.htmx:
        context = {"issue": issue, "freeze_form": form}
        return render(request, "talk/issue.html#freeze-form", context, status=422)
    request.freeze_form = form
    return render_issue_page(request, issue, status=422, flash=error.message)


@require_safe
def exports_fragment(request, series_slug, code):
    """The exports panel, polled while files are being rendered."""
    issue = get_issue(series_slug, code)

    def fragment():
        context = {"issue": issue, **lifecycle_context(request, issue)}
        return render(request, "talk/issue.html#issue-exports", context)

    return _fragment_or_page(request, issue, "issue-exports", fragment)


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


@never_cache
@require_safe
def healthz(request):
    """200 while the database answers: without Redis the desk still serves
    and saves (live updates pause, exports wait), so Redis down is said in
    the body, not by a status that would take the process out of service."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    body = "ok\n" if broker().answers() else "ok\nredis: unavailable\n"
    return HttpResponse(body, content_type="text/plain")


# Live: the stream every open page keeps, and the meeting's host console.


WSGI_RETRY_MS = 60_000


@sync_to_async
def _stream_viewer(request, series_slug, code, streaming: bool) -> tuple[int, str]:
    """The issue's id and the viewer's alias (empty for a visitor). The
    stream needs no database after this, and the connection these reads
    opened would otherwise stay open as long as the page (Django closes it
    when the response ends): one per open page, and PostgreSQL's 100
    connections are gone at ~95 pages. Read and closed in one thread."""
    try:
        issue_id = get_object_or_404(Issue, series__slug=series_slug, code=code).pk
        user = request.user
        return issue_id, user.alias if user.is_authenticated else ""
    finally:
        if streaming:
            connections.close_all()


@require_safe
async def issue_events(request, series_slug, code):
    """Server-Sent Events of one issue. Events name what changed, never its
    content, so the stream serves anyone who may read the issue (everyone);
    each page fetches the fragments again with its viewer's rights."""
    streaming = isinstance(request, ASGIRequest)
    issue_id, alias = await _stream_viewer(request, series_slug, code, streaming)
    if not streaming:
        # A WSGI server (the test server, runserver) cannot hold a stream
        # open: the page is told updates are off and asks again later.
        hello = json.dumps({"kind": "hello", "seq": 0, "live": False})
        return HttpResponse(
            f"retry: {WSGI_RETRY_MS}\ndata: {hello}\n\n", content_type="text/event-stream"
        )
    response = StreamingHttpResponse(
        event_stream(issue_id, alias), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _live_bar(request, issue):
    return render(request, "talk/issue.html#live-bar", {"issue": issue})


@require_safe
def live_bar_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return _fragment_or_page(request, issue, "live", lambda: _live_bar(request, issue))


def _steward(request, issue, status=200, **extra):
    context = {"issue": issue, **steward_context(request, issue, **extra)}
    return render(request, "talk/issue.html#issue-steward", context, status=status)


@require_safe
def steward_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return _fragment_or_page(request, issue, "issue-steward", lambda: _steward(request, issue))


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


def _after_meeting_change(request, series_slug, code):
    issue = get_issue(series_slug, code)
    if request.htmx:
        # The console answers; the live bar follows through the event, as on
        # every other page.
        return _steward(request, issue)
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
    form = HighlightsForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.issue_highlights_save(
                issue_id=issue.pk,
                user=request.user,
                version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
            )
        except StaleWrite as error:
            form = form.rebased(error.current)
            form.add_error(None, error.message)
            status = error.status
        except DeskError as error:
            # Frozen meanwhile, or no longer a steward: the page has no
            # highlights form to fill again, so the line comes back beside
            # the refusal.
            return refused(request, issue, error, kept=form.cleaned_data["text"])
        else:
            issue = get_issue(series_slug, code)
            if request.htmx:
                return trigger_client_event(_steward(request, issue), CHANGED)
            return redirect(f"{issue.get_absolute_url()}#issue-record")
    if request.htmx:
        context = {"issue": issue, "highlights_form": form}
        return render(request, "talk/issue.html#highlights-form", context, status=status)
    request.highlights_form = form
    flash = " ".join(str(e) for e in form.non_field_errors()) or _("Check the highlights line.")
    return render_issue_page(request, issue, status=status, flash=flash)


# The next issue and the schedule


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


@login_required
@require_safe
def jobs(request):
    """For admins: scheduled runs that failed or never finished, a schedule
    that has stopped running, and series whose next issue is overdue."""
    if not is_admin(request.user):
        raise PermissionDenied
    context = {
        "jobs": selectors.jobs_overview(),
        # Without Redis there is no beat (the embedded mode): nothing runs on
        # a schedule, and the page says so instead of calling it late.
        "scheduled": bool(settings.REDIS_URL),
        "after_minutes": settings.NEXT_ISSUE_AFTER_MINUTES,
        "check_minutes": settings.NEXT_ISSUE_CHECK_MINUTES,
        "within_days": settings.NEXT_ISSUE_WITHIN_DAYS,
    }
    return render(request, "talk/jobs.html", context)
