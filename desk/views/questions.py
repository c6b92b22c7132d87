"""Free Talk: questions and their threaded answers, votes and acceptance."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from sections import services
from sections.errors import DeskError, IssueClosed
from sections.models import Answer, Question
from sections.policy import can_curate_section
from sections.selectors import question_content, visible_posts

from ..forms.sections import AnswerForm, QuestionForm
from .getters import ISSUE_ROWS, get_answer, get_question, get_section
from .page import added, question_fragment, section_fragment
from .respond import (
    changed,
    edit_page,
    form_invalid,
    fragment_or_page,
    member_required,
    refuse_editor,
    refused,
    save_edit,
)


@require_POST
def question_ask(request, pk):
    section = get_section(pk)
    form = QuestionForm(
        request.POST, section=section, may_credit=can_curate_section(request.user, section)
    )

    if not form.is_valid():
        return form_invalid(request, section, form)
    try:
        question = services.question_ask(
            section=section,
            user=request.user,
            body=form.cleaned_data["body"],
            subgroup=form.cleaned_data.get("subgroup", ""),
            credit_to=form.credit or "",
        )
    except DeskError as error:
        form.add_error(None, error.message)
        return form_invalid(request, section, form, status=error.status, flash=error.message)
    return changed(
        request,
        section.issue,
        f"question-{question.pk}",
        lambda: added(request, section, question=question),
    )


@member_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    question = get_question(pk, request.user)
    section = question.section
    if request.method == "GET" and (refusal := refuse_editor(request, question, section)):
        return refusal
    may_credit = can_curate_section(request.user, section)
    initial = {
        "body": question.body,
        "subgroup": question.subgroup,
        "credit_to": question.attribution,
        "version": question.version,
    }
    form = QuestionForm(
        request.POST or None,
        section=section,
        question=question,
        may_credit=may_credit,
        initial=initial,
    )
    edit = save_edit(
        request,
        form,
        lambda form: services.question_update(
            question_id=question.pk,
            user=request.user,
            version=form.cleaned_data["version"] or 0,
            body=form.cleaned_data["body"],
            subgroup=form.cleaned_data.get("subgroup", ""),
            credit_to=form.credit,
        ),
    )
    if edit.saved:
        return changed(
            request, section.issue, f"question-{pk}", lambda: question_fragment(request, question)
        )
    context = {
        "issue": section.issue,
        "post": question,
        # newer.html says what happened, above theirs.
        "form": edit.form,
        "newer": edit.newer,
        "kind": "question",
        "question": question,
    }
    return edit_page(request, "sections/post_edit.html", "post-edit", context, edit.status)


@require_POST
def question_delete(request, pk):
    question = get_question(pk, request.user)
    section = question.section
    try:
        services.question_delete(question_id=question.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return changed(
        request,
        section.issue,
        f"section-{section.pk}",
        lambda: section_fragment(request, section),
    )


@require_POST
def question_vote(request, pk):
    question = get_question(pk, request.user)
    try:
        services.question_vote(question_id=question.pk, user=request.user)
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return changed(
        request,
        question.section.issue,
        f"question-{pk}",
        lambda: question_fragment(request, question),
    )


@require_POST
def question_answered(request, pk):
    question = get_question(pk, request.user)
    try:
        services.question_set_answered(
            question_id=question.pk, user=request.user, answered=request.POST.get("answered") == "1"
        )
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return changed(
        request,
        question.section.issue,
        f"question-{pk}",
        lambda: question_fragment(request, question),
    )


@member_required
@require_http_methods(["GET", "POST"])
def answer_create(request, pk):
    """GET: the form to answer a question (or, with ?parent=, to reply to one
    of its answers), loaded where it is needed; POST: post it."""
    question = get_question(pk, request.user)
    section = question.section
    data = request.POST if request.method == "POST" else request.GET
    parent = _get_parent(question, data.get("parent", ""), request.user)
    form = AnswerForm(
        request.POST or None,
        may_credit=can_curate_section(request.user, section),
        # Two answer forms open at once must not share ids (labels and error
        # links would point at the first): the question's id keeps them apart,
        # as the parent's does for replies.
        key=str(parent.pk) if parent else f"q{question.pk}",
        initial={"parent": parent.pk if parent else None},
    )
    if request.method == "GET":
        if not section.issue.accepts_content_from(request.user):
            return refused(request, section.issue, IssueClosed())
        form.fields["body"].widget.attrs["data-autofocus"] = ""
        return _answer_form(request, question, parent, form, 200)
    if not form.is_valid():
        return _answer_form(request, question, parent, form, 422)
    try:
        answer = services.answer_post(
            question_id=question.pk,
            user=request.user,
            body=form.cleaned_data["body"],
            parent_id=parent.pk if parent else None,
            credit_to=form.credit or "",
        )
    except DeskError as error:
        if request.htmx:
            return refused(request, section.issue, error)  # the typed answer stays open
        form.add_error(None, error.message)
        return _answer_form(request, question, parent, form, error.status)
    # The keyboard goes to the new answer, which the poster came to read.
    return changed(
        request,
        section.issue,
        f"question-{pk}",
        lambda: question_fragment(request, question, posted=answer.pk),
    )


def _get_parent(question: Question, raw: str, viewer) -> Answer | None:
    if not raw:
        return None
    try:
        return question.answers.filter(visible_posts(viewer)).get(pk=int(raw))
    except (ValueError, Answer.DoesNotExist):
        raise Http404 from None


def _answer_form(request, question: Question, parent, form, status: int):
    context = {
        "issue": question.section.issue,
        "question": question,
        "parent": parent,
        "form": form,
    }
    if not request.htmx:
        return render(request, "sections/answer_new.html", context, status=status)
    response = render(request, "sections/answer_new.html#answer-form", context, status=status)
    if request.method == "POST":
        # The form posts to its question; with errors it goes back to its slot.
        slot = f"#reply-slot-{parent.pk}" if parent else f"#answer-slot-{question.pk}"
        response = retarget(reswap(response, "innerHTML"), slot)
    return response


@member_required
@require_http_methods(["GET", "POST"])
def answer_edit(request, pk):
    answer = get_answer(pk, request.user)
    question = answer.question
    section = question.section
    if request.method == "GET" and (refusal := refuse_editor(request, answer, section)):
        return refusal
    may_credit = can_curate_section(request.user, section)
    initial = {"body": answer.body, "credit_to": answer.attribution, "version": answer.version}
    form = AnswerForm(request.POST or None, answer=answer, may_credit=may_credit, initial=initial)
    edit = save_edit(
        request,
        form,
        lambda form: services.answer_update(
            answer_id=answer.pk,
            user=request.user,
            version=form.cleaned_data["version"] or 0,
            body=form.cleaned_data["body"],
            credit_to=form.credit,
        ),
    )
    if edit.saved:
        return changed(
            request,
            section.issue,
            f"question-{question.pk}",
            lambda: question_fragment(request, question),
        )
    context = {
        "issue": section.issue,
        "post": answer,
        # newer.html says what happened, above theirs.
        "form": edit.form,
        "newer": edit.newer,
        "kind": "answer",
        "question": question,
    }
    response = edit_page(request, "sections/post_edit.html", "post-edit", context, edit.status)
    if request.htmx and request.method == "POST":
        # The form aims at its question, which a saved answer changes; a
        # refused one puts the form back where it is, not over the question.
        response = reswap(retarget(response, f"#answer-{answer.pk}"), "outerHTML")
    return response


@require_POST
def answer_delete(request, pk):
    answer = get_answer(pk, request.user)
    question = answer.question
    try:
        services.answer_delete(answer_id=answer.pk, user=request.user)
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return changed(
        request,
        question.section.issue,
        f"question-{question.pk}",
        lambda: question_fragment(request, question),
    )


@require_POST
def answer_accept(request, pk):
    answer = get_answer(pk, request.user)
    question = answer.question
    try:
        services.answer_accept(
            answer_id=answer.pk, user=request.user, accepted=request.POST.get("accepted") == "1"
        )
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return changed(
        request,
        question.section.issue,
        f"question-{question.pk}",
        lambda: question_fragment(request, question),
    )


@require_safe
def question_detail(request, pk):
    """The question with its answers as on its issue page, fetched again
    when it changed."""
    issue = get_object_or_404(ISSUE_ROWS, sections__questions=pk)

    def fragment():
        try:
            asked = question_content(pk, issue=issue, viewer=request.user)
        except Question.DoesNotExist:
            raise Http404 from None
        context = {"issue": issue, "asked": asked, "section": asked.row.section}
        return render(request, "sections/question.html", context)

    def exists():
        questions = Question.objects.filter(visible_posts(request.user), section__issue=issue)
        return questions.filter(pk=pk).exists()

    return fragment_or_page(request, issue, f"question-{pk}", fragment, exists)
