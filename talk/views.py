from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from sections.errors import DeskError
from sections.models import Question, Section, SectionKind
from sections.selectors import issue_content, question_content, section_content, visible_posts
from sections.views import CHANGED, attach_forms, render_issue_page, sort_of

from . import selectors, services
from .models import Issue, Series


def get_issue(series_slug: str, code: str) -> Issue:
    """Issues are public: anyone may read one, so outsiders get it too."""
    return get_object_or_404(
        Issue.objects.select_related("series", "host", "editor"),
        series__slug=series_slug,
        code=code,
    )


@require_GET
def home(request):
    return render(request, "talk/home.html", {"series_list": selectors.series_overview()})


@require_GET
def series_detail(request, series_slug):
    series = get_object_or_404(Series, slug=series_slug)
    return render(
        request,
        "talk/series.html",
        {"series": series, "issues": selectors.series_issues(series)},
    )


@require_GET
def issue_detail(request, series_slug, code):
    return render_issue_page(request, get_issue(series_slug, code))


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


@require_GET
def record_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)
    return _fragment_or_page(request, issue, "issue-record", lambda: _record(request, issue))


@require_GET
def references_fragment(request, series_slug, code):
    issue = get_issue(series_slug, code)

    def fragment():
        content = issue_content(issue, viewer=request.user)
        return render(
            request, "sections/section.html#references", {"issue": issue, "content": content}
        )

    return _fragment_or_page(request, issue, "references", fragment)


@require_GET
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


@require_GET
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
        if request.htmx:
            response = render(
                request, "sections/refusal.html", {"message": error.message}, status=error.status
            )
            return retarget(reswap(response, "innerHTML"), "#flash")
        return render_issue_page(request, issue, status=error.status, flash=error.message)
    if request.htmx:
        return trigger_client_event(_record(request, get_issue(series_slug, code)), CHANGED)
    return redirect(f"{issue.get_absolute_url()}#issue-record")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
