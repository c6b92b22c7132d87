"""Free Talk: questions, their threaded answers, votes and acceptance."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer

from .. import events
from ..errors import Invalid, NotAllowed
from ..models import (
    Answer,
    PostStatus,
    Question,
    Section,
    SectionKind,
    Vote,
)
from ..moderation import moderation_mode
from ..policy import (
    can_curate_issue,
    can_curate_section,
    require_member,
    require_open,
)
from .rules import (
    _create_last,
    _credit,
    _question_changed,
    _require_editor,
    _require_poster,
    _require_visible,
    _save_edit,
    _section,
    _section_changed,
    _tell_posted,
)

VOTES_PER_MINUTE = 60


def _check_question_shape(
    section: Section, subgroup: str, current_subgroup: str | None = None
) -> None:
    if section.kind != SectionKind.QUESTIONS:
        raise Invalid(_("This section does not take questions."))
    if subgroup and subgroup not in section.subgroups and subgroup != current_subgroup:
        raise Invalid(_("This section has no sub-group “%(name)s”.") % {"name": subgroup})


def _first_status(user: Viewer, section: Section) -> str:
    """Under pre-moderation a member's post waits for approval; the
    moderators' own posts (admins, the issue's host) do not."""
    if moderation_mode(section.issue) == "pre" and not can_curate_issue(user, section.issue):
        return PostStatus.PENDING
    return PostStatus.VISIBLE


@transaction.atomic
def question_ask(
    *, section: Section, user: Viewer, body: str, subgroup: str = "", credit_to: str = ""
) -> Question:
    limit = section.issue.series.questions_per_minute
    user = _require_poster(user, section, action="question", per_minute=limit)
    _check_question_shape(section, subgroup)
    _section_changed(section)
    question = _create_last(
        Question,
        section,
        subgroup=subgroup,
        body=body,
        status=_first_status(user, section),
        submitted_by=user,
        **_credit(user, section, credit_to),
    )
    _tell_posted(question, section, user)
    return question


@transaction.atomic
def question_update(
    *,
    question_id: int,
    user: Viewer,
    version: int,
    body: str,
    subgroup: str,
    credit_to: str | None = None,
) -> Question:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_editor(user, question, section)
    _check_question_shape(section, subgroup, current_subgroup=question.subgroup)
    fields = {"body": body, "subgroup": subgroup}
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_edit(question, version, fields, user=user, section=section)
    _question_changed(question, section)
    return saved


@transaction.atomic
def question_delete(*, question_id: int, user: Viewer) -> None:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_editor(user, question, section)
    answered_by_others = question.answers.exclude(submitted_by=user).exists()
    if answered_by_others and not can_curate_section(user, section):
        raise NotAllowed(_("Others have answered this question; it can no longer be deleted."))
    question.delete()
    _section_changed(section)


def _require_asker_or_curator(user: Viewer, question: Question, section: Section) -> None:
    require_member(user)
    require_open(section.issue, user)
    asker = user.pk in (question.author_id, question.submitted_by_id)
    if not (asker or can_curate_section(user, section)):
        raise NotAllowed(_("Only the asker and the host can do that."))


@transaction.atomic
def question_set_answered(*, question_id: int, user: Viewer, answered: bool) -> Question:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    _require_asker_or_curator(user, question, section)
    _require_visible(question)
    Question.objects.filter(pk=question.pk).update(answered=answered)
    _question_changed(question, section)
    question.answered = answered
    return question


@transaction.atomic
def question_vote(*, question_id: int, user: Viewer) -> bool:
    """Toggle the member's vote; returns whether they now vote for it."""
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_poster(user, section, action="vote", per_minute=VOTES_PER_MINUTE)
    _require_visible(question)
    if user.pk in (question.author_id, question.submitted_by_id):
        raise NotAllowed(_("You cannot vote for your own question."))
    _question_changed(question, section)
    removed, _deleted = Vote.objects.filter(question=question, member=user).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, member=user)
    except IntegrityError:
        pass  # the same member's second click raced the first; one vote stands
    return True


@transaction.atomic
def answer_post(
    *, question_id: int, user: Viewer, body: str, parent_id: int | None = None, credit_to: str = ""
) -> Answer:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    limit = section.issue.series.answers_per_minute
    user = _require_poster(user, section, action="answer", per_minute=limit)
    _require_visible(question)
    if question.locked:
        raise NotAllowed(_("This thread is locked: it takes no more answers."))
    if parent_id is not None and not question.answers.filter(pk=parent_id).exists():
        raise Invalid(_("You can only reply to an answer of this question."))
    _question_changed(question, section)
    answer = Answer.objects.create(
        question=question,
        parent_id=parent_id,
        body=body,
        status=_first_status(user, section),
        submitted_by=user,
        **_credit(user, section, credit_to),
    )
    _tell_posted(answer, section, user)
    return answer


@transaction.atomic
def answer_update(
    *, answer_id: int, user: Viewer, version: int, body: str, credit_to: str | None = None
) -> Answer:
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    section = _section(answer.question.section_id)
    user = _require_editor(user, answer, section)
    fields = {"body": body}
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_edit(answer, version, fields, user=user, section=section)
    _question_changed(answer.question, section)
    return saved


@transaction.atomic
def answer_delete(*, answer_id: int, user: Viewer) -> None:
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    section = _section(answer.question.section_id)
    _require_editor(user, answer, section)
    if answer.replies.exists() and not can_curate_section(user, section):
        raise NotAllowed(_("This answer has replies; edit it instead of deleting it."))
    answer.delete()
    _question_changed(answer.question, section)


@transaction.atomic
def answer_accept(*, answer_id: int, user: Viewer, accepted: bool) -> Answer:
    """Accept one answer of a question (the asker or the host); accepting it
    marks the question answered and withdraws any earlier acceptance."""
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    question = answer.question
    section = _section(question.section_id)
    _require_asker_or_curator(user, question, section)
    _question_changed(question, section)
    if accepted:
        question.answers.exclude(pk=answer.pk).update(accepted=False)
        Question.objects.filter(pk=question.pk).update(answered=True)
        if not answer.accepted:
            events.tell("answer_accepted", issue_id=section.issue_id, actor=user, answer=answer.pk)
    Answer.objects.filter(pk=answer.pk).update(accepted=accepted)
    answer.accepted = accepted
    return answer
