"""The review queue of a section's questions and answers, and reports.

Moderators (admins, the issue's host and editor) act on posts from one page;
members report a post from where it stands. The services check who may do
what; these views parse, call one service and answer as the rest of the desk
does: the changed region for htmx, a redirect for a plain form post, and a
refusal in words.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sections import moderation
from sections.errors import DeskError, Invalid
from sections.models import Answer, Question, Report, Section
from sections.selectors import moderation_queue, question_numbered, visible_posts

from ..forms.sections import ReportForm
from .respond import member_required, refusal_fragment


def _get_section(pk: int) -> Section:
    return get_object_or_404(Section.objects.select_related("issue__series"), pk=pk)


def _section_of(kind: str, pk: int) -> Section:
    if kind == "question":
        rows = Question.objects.filter(pk=pk).values_list("section_id", flat=True)
    elif kind == "answer":
        rows = Answer.objects.filter(pk=pk).values_list("question__section_id", flat=True)
    else:
        raise Http404
    section_id = rows.first()
    if section_id is None:
        raise Http404
    return _get_section(section_id)


def _queue(request, section: Section, *, status=200, flash="", partial="", kept=""):
    if not moderation.can_moderate(request.user, section.issue):
        raise PermissionDenied(_("Only admins and the issue's host moderate."))
    context = {
        "issue": section.issue,
        "section": section,
        "queue": moderation_queue(section),
        "mode": moderation.moderation_mode(section.issue),
        "flash": flash,
        "kept": kept,
    }
    template = f"sections/moderation.html#{partial}" if partial else "sections/moderation.html"
    return render(request, template, context, status=status)


@member_required
@require_safe
def moderation_page(request, pk):
    return _queue(request, _get_section(pk))


# The actions of the queue, by the name in the URL. Reasons and texts come
# from the form; refusals (no reason, not a moderator) come back in words.
ACTIONS = {
    "approve": lambda kind, pk, user, post: moderation.post_approve(
        kind=kind, post_id=pk, user=user
    ),
    "edit-approve": lambda kind, pk, user, post: moderation.post_approve(
        kind=kind, post_id=pk, user=user, body=post.get("body", "")
    ),
    "reject": lambda kind, pk, user, post: moderation.post_reject(
        kind=kind, post_id=pk, user=user, reason=post.get("reason", "")
    ),
    "hide": lambda kind, pk, user, post: moderation.post_hide(
        kind=kind, post_id=pk, user=user, reason=post.get("reason", "")
    ),
    "restore": lambda kind, pk, user, post: moderation.post_restore(
        kind=kind, post_id=pk, user=user
    ),
}
QUESTION_ACTIONS = {
    "pin": lambda pk, user, post: moderation.question_pin(question_id=pk, user=user, pinned=True),
    "unpin": lambda pk, user, post: moderation.question_pin(
        question_id=pk, user=user, pinned=False
    ),
    "lock": lambda pk, user, post: moderation.question_lock(question_id=pk, user=user, locked=True),
    "unlock": lambda pk, user, post: moderation.question_lock(
        question_id=pk, user=user, locked=False
    ),
    "merge": lambda pk, user, post: moderation.question_merge(
        question_id=pk, into_id=_kept_question(pk, post.get("into")), user=user
    ),
}


def _kept_question(duplicate_id: int, raw: str | None) -> int:
    """The question that stays, named by its number as the page shows it (Q7)."""
    raw = (raw or "").strip().lstrip("Qq")
    kept = question_numbered(duplicate_id, int(raw)) if raw.isdigit() else None
    if kept is None:
        raise Invalid(_("There is no question with that number here."))
    return kept


@require_POST
def moderation_act(request, kind, pk, action):
    section = _section_of(kind, pk)
    try:
        if action in ACTIONS:
            ACTIONS[action](kind, pk, request.user, request.POST)
        elif kind == "question" and action in QUESTION_ACTIONS:
            QUESTION_ACTIONS[action](pk, request.user, request.POST)
        else:
            raise Http404
    except DeskError as error:
        return _refused(request, section, error)
    if request.htmx:
        return _queue(request, section, partial="moderation-queue")
    return redirect("section-moderation", section.pk)


@require_POST
def report_dismiss(request, pk):
    report = get_object_or_404(Report.objects.select_related("question", "answer__question"), pk=pk)
    section = _get_section((report.question or report.answer.question).section_id)
    try:
        moderation.report_dismiss(report_id=pk, user=request.user)
    except DeskError as error:
        return _refused(request, section, error)
    if request.htmx:
        return _queue(request, section, partial="moderation-queue")
    return redirect("section-moderation", section.pk)


def _refused(request, section: Section, error: DeskError):
    if request.htmx:
        return refusal_fragment(request, error)
    if not moderation.can_moderate(request.user, section.issue):
        raise PermissionDenied(error.message)
    # The queue comes back with empty forms: an edited text or a reason that
    # was typed is given back beside the refusal.
    typed = (request.POST.get(name, "").strip() for name in ("body", "reason"))
    kept = "\n\n".join(text for text in typed if text)
    return _queue(request, section, status=error.status, flash=error.message, kept=kept)


# Reports, by members, from where the post stands.


@member_required
@require_http_methods(["GET", "POST"])
def post_report(request, kind, pk):
    """GET: the form, loaded under the post (or on its own page); POST: send it."""
    model = {"question": Question, "answer": Answer}.get(kind)
    if model is None:
        raise Http404
    posts = model.objects.filter(visible_posts(request.user))
    related = "section__issue__series" if model is Question else "question__section__issue__series"
    post = get_object_or_404(posts.select_related(related), pk=pk)
    issue = post.section.issue if model is Question else post.question.section.issue
    form = ReportForm(request.POST or None, key=f"{kind}-{pk}")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                moderation.post_report(
                    kind=kind, post_id=pk, user=request.user, reason=form.cleaned_data["reason"]
                )
            except DeskError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                thanks = _("Thank you: the moderators will look at it.")
                if request.htmx:
                    return render(request, "sections/report.html#report-sent", {"thanks": thanks})
                messages.success(request, thanks)
                return redirect(f"{issue.get_absolute_url()}#{kind}-{pk}")
    context = {"issue": issue, "post": post, "kind": kind, "form": form}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "sections/report.html#report-form", context, status=status)
    return render(request, "sections/report.html", context, status=status)
