"""Moderation of questions and answers: the review queue's actions and reports.

Moderators are the admins and, for their own issue, its host and editor. Every
action is a service that checks that, changes the post, writes an AuditEvent
(who, what, when, why, the text before and after) and tells the open pages.
A frozen or published issue is a written record: what changes a post waits
for a correction; reports, which are not part of the record, do not.
"""

from typing import TYPE_CHECKING, Any, Literal, overload

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer
from accounts.services import audit_record

from . import events, history
from .errors import Invalid, NotAllowed
from .models import Answer, PostStatus, Question, Report, Vote
from .policy import (
    can_curate_issue,
    may_dismiss_report,
    require_member,
    require_open,
)
from .ratelimit import rate_limit

if TYPE_CHECKING:
    from talk.models import Issue

KINDS: dict[str, type[Question] | type[Answer]] = {"question": Question, "answer": Answer}


def moderation_mode(issue: "Issue") -> str:
    """ "pre": posts wait for approval; "post": they show at once."""
    return issue.moderation or issue.series.moderation


def can_moderate(user: Viewer, issue: "Issue") -> bool:
    return user.is_authenticated and can_curate_issue(user, issue)


@overload
def _post(kind: Literal["question"], post_id: int, *, lock: bool = False) -> Question: ...
@overload
def _post(kind: str, post_id: int, *, lock: bool = False) -> Question | Answer: ...
def _post(kind: str, post_id: int, *, lock: bool = False) -> Question | Answer:
    model = KINDS.get(kind)
    if model is None:
        raise Invalid(_("There is no such kind of post."))
    rows = model.objects.select_for_update() if lock else model.objects
    related = "section__issue__series" if model is Question else "question__section__issue__series"
    return rows.select_related(related).get(pk=post_id)


def _issue_of(post: Question | Answer) -> "Issue":
    return post.section.issue if isinstance(post, Question) else post.question.section.issue


def _require_moderator(user: Viewer, post: Question | Answer) -> User:
    user = require_member(user)
    if not can_curate_issue(user, _issue_of(post)):
        raise NotAllowed(_("Only admins and the issue's host moderate."))
    return user


@overload
def _moderated(kind: Literal["question"], post_id: int, user: Viewer) -> tuple[Question, User]: ...
@overload
def _moderated(kind: str, post_id: int, user: Viewer) -> tuple[Question | Answer, User]: ...
def _moderated(kind: str, post_id: int, user: Viewer) -> tuple[Question | Answer, User]:
    """The post a moderator is about to change, locked, in an issue that
    still takes the change (checked under the issue's lock: see require_open),
    and the moderator."""
    post = _post(kind, post_id, lock=True)
    moderator = _require_moderator(user, post)
    require_open(_issue_of(post), moderator)
    return post, moderator


def _snapshot(post: Question | Answer) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "status": post.status,
        "body": post.body,
        "note": post.moderation_note,
    }
    # A merged question says where its answers and votes went: a wrong
    # merge is mended from the audit log.
    if isinstance(post, Question) and post.merged_into is not None:
        kept = post.merged_into
        snapshot["merged_into"] = {"id": kept.pk, "body": kept.body[:200]}
    return snapshot


def _record(
    user: User, action: str, post: Question | Answer, before: dict[str, Any], reason: str = ""
) -> None:
    issue = _issue_of(post)
    audit_record(
        actor=user,
        action=f"{post._meta.model_name}.{action}",
        target=post,
        scope=f"{issue.series.slug}/{issue.code}",
        reason=reason,
        before=before,
        after=_snapshot(post),
    )
    question = post if isinstance(post, Question) else post.question
    # A question appearing or going renumbers its section.
    events.announce(issue.pk, events.SECTION, id=question.section_id)


def _save(post: Question | Answer, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(post, name, value)
    post.version += 1
    post.save(update_fields=[*fields, "version", "updated_at"])


def _resolve_reports(post: Question | Answer, user: User) -> None:
    open_reports = post.reports.filter(resolved_at__isnull=True)
    open_reports.update(resolved_at=timezone.now(), resolved_by=user)


@transaction.atomic
def post_approve(
    *, kind: str, post_id: int, user: Viewer, body: str | None = None
) -> Question | Answer:
    """Show a waiting (or rejected) post; `body` edits it on the way."""
    post, user = _moderated(kind, post_id, user)
    before = _snapshot(post)
    if post.status == PostStatus.VISIBLE and body is None:
        return post
    fields: dict[str, Any] = {"status": PostStatus.VISIBLE, "moderation_note": ""}
    if body is not None:
        if not body.strip():
            raise Invalid(_("The text cannot be empty."))
        fields["body"] = body
        # The audit row written below is the edit's entry in the post's
        # history (sections.history); only new words make it one.
        if history.words_changed(post, fields):
            fields["edited_at"] = timezone.now()
    _save(post, **fields)
    _resolve_reports(post, user)
    _record(user, "approve" if body is None else "edit-approve", post, before)
    if isinstance(post, Answer) and before["status"] != PostStatus.VISIBLE:
        # Shown only now: whom it answers hears of it now.
        events.tell(
            "answered",
            issue_id=_issue_of(post).pk,
            actor=post.submitted_by,
            answer=post.pk,
            reply=post.parent_id is not None,
        )
    return post


@transaction.atomic
def post_reject(*, kind: str, post_id: int, user: Viewer, reason: str) -> Question | Answer:
    """Keep a waiting post out; the asker sees why."""
    return _set_status(kind, post_id, user, PostStatus.REJECTED, "reject", reason)


@transaction.atomic
def post_hide(*, kind: str, post_id: int, user: Viewer, reason: str) -> Question | Answer:
    """Take a shown post off the page; its author still sees it, and why."""
    return _set_status(kind, post_id, user, PostStatus.HIDDEN, "hide", reason)


@transaction.atomic
def post_restore(*, kind: str, post_id: int, user: Viewer) -> Question | Answer:
    post, user = _moderated(kind, post_id, user)
    if post.status != PostStatus.HIDDEN:
        raise Invalid(_("Only a hidden post can be restored."))
    if isinstance(post, Question) and post.merged_into_id:
        raise Invalid(_("This question was merged into another; it stays with it."))
    before = _snapshot(post)
    _save(post, status=PostStatus.VISIBLE, moderation_note="")
    _record(user, "restore", post, before)
    return post


def _set_status(
    kind: str, post_id: int, user: Viewer, status: PostStatus, action: str, reason: str
) -> Question | Answer:
    post, user = _moderated(kind, post_id, user)
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why: the author will see it."))
    before = _snapshot(post)
    _save(post, status=status, moderation_note=reason)
    _resolve_reports(post, user)
    _record(user, action, post, before, reason)
    events.tell(
        "post_moderated",
        issue_id=_issue_of(post).pk,
        actor=user,
        status=status,
        **{kind: post.pk},
    )
    return post


@transaction.atomic
def question_merge(*, question_id: int, into_id: int, user: Viewer, reason: str = "") -> Question:
    """Merge a duplicate into the question that stays: its answers and votes
    move over (a member who voted for both keeps one vote), and the duplicate
    is hidden, pointing to the kept one."""
    if question_id == into_id:
        raise Invalid(_("A question cannot be merged into itself."))
    duplicate, user = _moderated("question", question_id, user)
    kept = _post("question", into_id, lock=True)
    if kept.section.issue_id != duplicate.section.issue_id:
        raise Invalid(_("Only questions of the same issue can be merged."))
    if kept.merged_into_id or kept.status != PostStatus.VISIBLE:
        raise Invalid(_("Merge into a question that is shown."))
    before = {**_snapshot(duplicate), "answers": duplicate.answers.count()}
    duplicate.answers.update(question=kept)
    voters = Vote.objects.filter(question=kept).values("member")
    Vote.objects.filter(question=duplicate).exclude(member__in=voters).update(question=kept)
    Vote.objects.filter(question=duplicate).delete()
    duplicate.reports.update(question=kept)
    note = reason.strip() or str(_("A duplicate of another question."))
    _save(duplicate, status=PostStatus.HIDDEN, merged_into=kept, moderation_note=note)
    _record(user, "merge", duplicate, before, note)
    events.announce(kept.section.issue_id, events.QUESTION, id=kept.pk, section=kept.section_id)
    return kept


@transaction.atomic
def question_pin(*, question_id: int, user: Viewer, pinned: bool) -> Question:
    """Pinned questions lead their section."""
    return _set_flag(question_id, user, "pinned", pinned)


@transaction.atomic
def question_lock(*, question_id: int, user: Viewer, locked: bool) -> Question:
    """A locked thread takes no more answers."""
    return _set_flag(question_id, user, "locked", locked)


def _set_flag(question_id: int, user: Viewer, flag: str, value: bool) -> Question:
    question, user = _moderated("question", question_id, user)
    before = {flag: getattr(question, flag)}
    _save(question, **{flag: value})
    issue = question.section.issue
    verb = {("pinned", True): "pin", ("pinned", False): "unpin"}.get(
        (flag, value), "lock" if value else "unlock"
    )
    audit_record(
        actor=user,
        action=f"question.{verb}",
        target=question,
        scope=f"{issue.series.slug}/{issue.code}",
        before=before,
        after={flag: value},
    )
    events.announce(issue.pk, events.SECTION, id=question.section_id)
    return question


@transaction.atomic
def post_report(*, kind: str, post_id: int, user: Viewer, reason: str) -> Report:
    """A member reports a post to the moderators; it lands in the queue.

    A closed issue takes reports too: its record stays public, and a report
    is how a reader points out what needs a correction."""
    user = require_member(user)
    post = _post(kind, post_id)
    if post.status != PostStatus.VISIBLE:
        raise Invalid(_("Only a post that is shown can be reported."))
    if post.submitted_by_id == user.pk:
        raise NotAllowed(_("This is your own post: edit or delete it instead of reporting it."))
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say what is wrong with it."))
    issue = _issue_of(post)
    rate_limit(user=user, action="report", per_minute=issue.series.reports_per_minute)
    existing = post.reports.filter(reporter=user, resolved_at__isnull=True).first()
    if existing is not None:
        raise Invalid(_("You have reported this already; the moderators will look at it."))
    report = Report.objects.create(**{kind: post}, reporter=user, reason=reason[:2000])
    events.tell("review_needed", issue_id=issue.pk, actor=user, report=report.pk)
    return report


@transaction.atomic
def report_dismiss(*, report_id: int, user: Viewer) -> Report:
    """Close a report without acting on its post; on a closed issue too, as
    it changes nothing in the record."""
    report = Report.objects.select_related(
        "question__section__issue__series", "answer__question__section__issue__series"
    ).get(pk=report_id)
    post = report.question or report.answer
    assert post is not None  # the sections_report_one_post constraint
    user = _require_moderator(user, post)
    if not may_dismiss_report(user, post):
        raise NotAllowed(_("A report about your own post is for an admin to judge."))
    Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now(), resolved_by=user)
    issue = _issue_of(post)
    audit_record(
        actor=user,
        action="report.dismiss",
        target=report,
        scope=f"{issue.series.slug}/{issue.code}",
        reason=report.reason,
    )
    return report
