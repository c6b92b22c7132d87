"""Business rules for series and issues."""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from accounts.services import audit_record
from sections import events
from sections.errors import DeskError, Invalid, IssueClosed, NotAllowed, RoleTaken, StaleWrite
from sections.models import Answer, Item, PostStatus, Question, Section, SectionKind, SectionShape
from sections.policy import can_curate_issue, is_admin, require_member, require_open
from sections.selectors import SHOWN, carried_links

from .exports import RenderError, render
from .exports.fonts import NoCJKFont, cjk_font
from .exports.storage import export_path, write_atomically
from .models import Export, Issue, IssueStatus, JobRun, Revision, Series
from .schedule import meeting_after
from .selectors import latest_issues
from .snapshot import snapshot_build
from .tasks import export_render

logger = logging.getLogger(__name__)


class IssueExists(DeskError):
    status = 409


class PointerMoved(DeskError):
    """The host and the editor pressed "next" at once: the second is told
    where the meeting is now instead of skipping a section."""

    status = 409


@transaction.atomic
def issue_create(
    *,
    series: Series,
    by,
    number: int | None = None,
    special_label: str = "",
    code: str = "",
    meeting_at: datetime.datetime | None = None,
) -> Issue:
    """Create an issue with its sections copied from the series' templates.

    `by` is None only for system callers (demo data, import, the schedule).
    """
    if by is not None and not is_admin(by):
        raise NotAllowed(_("Only admins can open an issue."))
    code = str(number) if number is not None else code
    require_new_code(series, code)
    issue = Issue.objects.create(
        series=series,
        number=number,
        code=code,
        special_label=special_label,
        meeting_at=meeting_at,
    )
    Section.objects.bulk_create(
        Section(issue=issue, template=template, **SectionShape.shape_of(template))
        for template in series.templates.all()
    )
    return issue


def require_new_code(series: Series, code: str) -> None:
    """Refuse an identifier the series already has (the admin's form asks
    before it saves; the unique constraint holds in any case)."""
    if Issue.objects.filter(series=series, code=code).exists():
        raise IssueExists(
            _("%(series)s already has an issue %(code)s.") % {"series": series.name, "code": code}
        )


ROLES = {"host": _("host"), "editor": _("editor")}


@transaction.atomic
def issue_role_claim(*, issue_id: int, user, role: str) -> Issue:
    """Take the host or editor role of an issue if nobody holds it.

    A conditional UPDATE: of two members clicking at once, one gets the role
    and the other is told who has it.
    """
    require_member(user)
    # Locked for update before require_open takes its shared lock: two
    # claimers sharing the row and then both updating it would deadlock.
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    taken = Issue.objects.filter(
        pk=issue_id, **{f"{role}__isnull": True, f"{role}_name": ""}
    ).update(**{role: user})
    issue = Issue.objects.select_related("host", "editor").get(pk=issue_id)
    events.announce(issue_id, events.ISSUE)
    if not taken and getattr(issue, f"{role}_id") != user.pk:
        holder = issue.host_display if role == "host" else issue.editor_display
        raise RoleTaken(
            _("%(holder)s is already the %(role)s of this issue.")
            % {"holder": holder, "role": ROLES[role]}
        )
    return issue


@transaction.atomic
def issue_role_release(*, issue_id: int, user, role: str) -> Issue:
    require_member(user)
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    if getattr(issue, f"{role}_id") != user.pk and not is_admin(user):
        raise NotAllowed(_("Only whoever holds the role, or an admin, can give it up."))
    Issue.objects.filter(pk=issue_id).update(**{role: None, f"{role}_name": ""})
    events.announce(issue_id, events.ISSUE)
    return Issue.objects.select_related("host", "editor").get(pk=issue_id)


# Lifecycle: draft → live → frozen → published; a correction reopens a frozen
# or published issue for its host until it is frozen as the next revision.


def _require_steward(user, issue: Issue) -> None:
    """The host, the editor or an admin; `user` None is the system itself
    (commands, the schedule)."""
    if user is None:
        return
    require_member(user)
    if not (is_admin(user) or issue.is_hosted_by(user)):
        raise NotAllowed(_("Only the host, the editor and admins can do that."))


def _move(issue_id: int, user, *, action: str, expect: Q, change: dict, refusal) -> Issue:
    issue = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    _require_steward(user, issue)
    if not Issue.objects.filter(expect, pk=issue_id).update(**change):
        raise IssueClosed(refusal)
    events.announce(issue_id, events.STATUS)
    issue.refresh_from_db()
    audit_record(
        actor=user,
        # Named by the verb, as every audit action is ("issue.freeze"): the
        # status it led to ("issue.published") gave one log two spellings.
        action=f"issue.{action}",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={key: str(value) for key, value in change.items()},
    )
    return issue


@transaction.atomic
def issue_start(*, issue_id: int, user) -> Issue:
    """The meeting begins: draft → live."""
    return _move(
        issue_id,
        user,
        action="start",
        expect=Q(status=IssueStatus.DRAFT),
        change={"status": IssueStatus.LIVE},
        refusal=_("Only a draft can start."),
    )


@transaction.atomic
def issue_publish(*, issue_id: int, user) -> Issue:
    """A frozen issue goes to the public archive and the feed."""
    return _move(
        issue_id,
        user,
        action="publish",
        expect=Q(status=IssueStatus.FROZEN, correcting=False),
        change={"status": IssueStatus.PUBLISHED},
        refusal=_("Only a frozen issue can be published."),
    )


@transaction.atomic
def issue_correct(*, issue_id: int, user) -> Issue:
    """Open a frozen or published issue for a correction."""
    return _move(
        issue_id,
        user,
        action="correct",
        expect=Q(status__in=[IssueStatus.FROZEN, IssueStatus.PUBLISHED], correcting=False),
        change={"correcting": True},
        refusal=_("Only a frozen or published issue can be corrected."),
    )


CHANGE_NOTE_MAX = 2000


@transaction.atomic
def issue_freeze(*, issue_id: int, user, note: str = "") -> Revision:
    """Freeze the issue as its next revision and queue its exports.

    The issue row is locked for update: writes in flight (which hold it
    shared) finish first, later ones see the frozen status. The exports are
    queued only after the commit, so a worker never looks for a revision that
    is not there yet.
    """
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("series", "host", "editor")
        .get(pk=issue_id)
    )
    _require_steward(user, issue)
    if issue.status in (IssueStatus.FROZEN, IssueStatus.PUBLISHED) and not issue.correcting:
        raise IssueClosed(_("This issue is already frozen; open a correction to change it."))
    number = (issue.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not note.strip():
        raise Invalid(_("Say in a few words what the correction changed."))
    try:
        MaxLengthValidator(CHANGE_NOTE_MAX)(note.strip())
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None
    now = timezone.now()
    # A corrected published issue stays in the archive and the feed, now
    # with its new revision: it was already public, and taking it off until
    # someone publishes it again would hide it for a typo fix.
    if issue.status != IssueStatus.PUBLISHED:
        issue.status = IssueStatus.FROZEN
    issue.correcting = False
    # The meeting is over: nothing is "current" in a frozen record.
    issue.current_section = issue.spotlight = issue.section_started_at = None
    issue.save(
        update_fields=[
            "status",
            "correcting",
            "current_section",
            "spotlight",
            "section_started_at",
            "updated_at",
        ]
    )
    revision = Revision.objects.create(
        issue=issue,
        number=number,
        note=note.strip(),
        snapshot=snapshot_build(issue, revision=number, note=note.strip(), frozen_at=now),
        created_by=user,
    )
    exports = Export.objects.bulk_create(
        Export(revision=revision, format=f) for f in Export.Format.values
    )
    audit_record(
        actor=user,
        action="issue.freeze",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={"revision": number, "note": revision.note},
    )
    events.announce(issue.pk, events.STATUS)
    transaction.on_commit(lambda: _enqueue([export.pk for export in exports]))
    return revision


# The meeting (live): the host walks the sections, spotlights questions and
# writes the highlights line; everyone's page follows.


def _meeting_issue(issue_id: int, user) -> Issue:
    issue = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    _require_steward(user, issue)
    if issue.status != IssueStatus.LIVE:
        raise IssueClosed(_("That is for the meeting: start it first (it is not live)."))
    return issue


@transaction.atomic
def issue_pointer_move(
    *, issue_id: int, user, expected_id: int | None, step: int = 0, section_id: int | None = None
) -> Issue:
    """Move the meeting to a section: `step` +1/-1 from `expected_id` (where
    the host saw the pointer), or straight to `section_id`. The move is a
    conditional UPDATE on the pointer the host saw, so two stewards pressing
    "next" at once move it once; the second is told where it is now."""
    issue = _meeting_issue(issue_id, user)
    order = list(issue.sections.order_by("position", "id").values_list("pk", flat=True))
    # Only the sections the page shows: an imported block that holds nothing
    # (序章) is not on the page, so the room could not follow the host there.
    shown = set(issue.sections.filter(SHOWN).values_list("pk", flat=True))
    walk = [pk for pk in order if pk in shown]
    if section_id is not None:
        if section_id not in walk:
            raise Invalid(_("That section is not part of this issue."))
        target = section_id
    elif expected_id is None:
        target = (walk[0] if step >= 0 else walk[-1]) if walk else None
    elif expected_id in order:
        # Counted from where the pointer is, even on a section not shown.
        index = order.index(expected_id)
        ahead = order[index + 1 :] if step > 0 else order[:index][::-1] if step < 0 else []
        target = next((pk for pk in ahead if pk in shown), expected_id)
    else:
        raise Invalid(_("That section is not part of this issue."))
    where_seen = Issue.objects.filter(
        pk=issue_id, status=IssueStatus.LIVE, current_section_id=expected_id
    )
    if target == expected_id:
        # Already there ("next" at the last section, or "go" to the current
        # one): the section's clock keeps running rather than start again.
        moved = where_seen.exists()
    else:
        moved = where_seen.update(current_section_id=target, section_started_at=timezone.now())
    issue = Issue.objects.select_related("current_section").get(pk=issue_id)
    if not moved:
        where = issue.current_section.title if issue.current_section else _("no section")
        raise PointerMoved(
            _("The meeting has already moved on: it is at %(section)s now.") % {"section": where}
        )
    if target != expected_id:
        events.announce(issue_id, events.POINTER)
    return issue


@transaction.atomic
def issue_spotlight(*, issue_id: int, user, question_id: int | None) -> Issue:
    """Put a question in the spotlight for everyone (None: clear it)."""
    _meeting_issue(issue_id, user)
    if question_id is not None:
        visible = Question.objects.filter(
            pk=question_id, section__issue_id=issue_id, status=PostStatus.VISIBLE
        )
        if not visible.exists():
            raise Invalid(_("Only a visible question of this issue can be discussed."))
    Issue.objects.filter(pk=issue_id).update(spotlight_id=question_id)
    events.announce(issue_id, events.POINTER)
    return Issue.objects.get(pk=issue_id)


@transaction.atomic
def issue_highlights_save(*, issue_id: int, user, version: int, text: str) -> Issue:
    """Save the highlights line (本期提要). Host and editor may both type it
    during the meeting: a save over a newer version is refused, never lost."""
    issue = Issue.objects.select_related("host", "editor").get(pk=issue_id)
    _require_steward(user, issue)
    require_open(issue, user)
    saved = Issue.objects.filter(pk=issue_id, version=version).update(
        highlights=text.strip(), version=F("version") + 1, updated_at=timezone.now()
    )
    current = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    if not saved:
        raise StaleWrite(current)
    events.announce(issue_id, events.ISSUE)
    return current


def _enqueue(export_ids: list[int]) -> list[int]:
    """Hand the exports' tasks to the queue (after the commit); returns the
    ids handed. When the queue cannot be reached (Redis down) the rest stay
    waiting, unqueued: the page says so in words, the freeze itself stands
    and answers at once (sending gives up within seconds, see
    CELERY_TASK_PUBLISH_RETRY_POLICY), and the sweep (`exports_requeue`)
    sends them once the queue is back. In-process (embedded mode) `delay`
    renders them there and then."""
    queued = []
    for export_id in export_ids:
        try:
            export_render.delay(export_id)
        except OperationalError as error:  # kombu's word for "the broker did not answer"
            # The others would only wait as long again to fail the same way.
            logger.warning(
                "Exports %s not queued, the sweep sends them when the queue answers: %s",
                export_ids[len(queued) :],
                error,
            )
            break
        except Exception:
            logger.exception("Exports %s not queued", export_ids[len(queued) :])
            break
        now = timezone.now()
        Export.objects.filter(_waiting(now), pk=export_id).update(queued_at=now)
        queued.append(export_id)
    return queued


def _waiting(now: datetime.datetime) -> Q:
    """Exports no worker holds: not started, or started by a worker that
    died (its lease ran out)."""
    return Q(status=Export.Status.PENDING) | Q(status=Export.Status.RUNNING, lease_until__lt=now)


# A queued task no worker took after this long was probably lost (Redis
# restarted empty, or a worker died with it prefetched): it is sent again. A
# task that was only waiting its turn finds the row taken or done when its
# second copy comes, which changes nothing.
REQUEUE_AFTER = datetime.timedelta(minutes=2)


def exports_requeue(*, now: datetime.datetime | None = None) -> list[int]:
    """The sweep (beat, every EXPORT_SWEEP_SECONDS): send again the exports
    that nobody will render otherwise: never queued (Redis was down), queued
    long ago and never taken, or held by a worker whose lease ran out (killed
    mid-export; the broker would give its message back only after the
    visibility timeout). Returns the ids sent."""
    now = now or timezone.now()
    due = (
        Export.objects.filter(_waiting(now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _enqueue(list(due))


# Exports


def export_run(*, export_id: int, task_id: str) -> Export | None:
    """Render one export, if this task may: returns None when the row is done,
    failed, or held by another live task (a duplicate delivery changes nothing).

    A content error (the renderer refuses) marks the export failed with the
    message; a passing fault (database, disk) propagates so the task retries.
    """
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)
    claimable = (
        Q(status=Export.Status.PENDING)
        | Q(status=Export.Status.RUNNING, task_id=task_id)
        | Q(status=Export.Status.RUNNING, lease_until__lt=now)
    )
    claimed = Export.objects.filter(claimable, pk=export_id).update(
        status=Export.Status.RUNNING,
        task_id=task_id,
        lease_until=now + lease,
        started_at=now,
        attempts=F("attempts") + 1,
        error="",
        queued_at=None,
    )
    if not claimed:
        return None
    export = Export.objects.select_related("revision__issue__series").get(pk=export_id)
    issue_id = export.revision.issue_id
    events.announce(issue_id, events.EXPORTS)
    mine = Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING)
    font = ""
    try:
        if export.format == Export.Format.PDF:
            # The renderer finds the same font again; it refuses to draw boxes.
            found = cjk_font()
            if found is None:
                raise NoCJKFont()
            font = found.name
        data = render(export.format, export.revision.snapshot)
    except Exception as error:  # the renderers read only the snapshot: this is its content
        mine.update(
            status=Export.Status.FAILED,
            error=_describe(error),
            finished_at=timezone.now(),
            lease_until=None,
        )
        events.announce(issue_id, events.EXPORTS)
        return Export.objects.get(pk=export_id)
    path = export_path(export)
    write_atomically(path, data)
    mine.update(
        status=Export.Status.DONE,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        font=font,
        finished_at=timezone.now(),
        lease_until=None,
    )
    events.announce(issue_id, events.EXPORTS)
    return Export.objects.get(pk=export_id)


def export_give_up(*, export_id: int, task_id: str, reason: str) -> None:
    """The task ran out of retries: say so on the row the host sees."""
    failed = Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING)
    issue_id = failed.values_list("revision__issue_id", flat=True).first()
    if failed.update(
        status=Export.Status.FAILED,
        error=reason[:2000],
        finished_at=timezone.now(),
        lease_until=None,
    ):
        events.announce(issue_id, events.EXPORTS)


@transaction.atomic
def export_retry(*, export_id: int, user) -> Export:
    export = Export.objects.select_related("revision__issue__host", "revision__issue__editor").get(
        pk=export_id
    )
    _require_steward(user, export.revision.issue)
    stalled = Q(status=Export.Status.RUNNING, lease_until__lt=timezone.now())
    if not Export.objects.filter(Q(status=Export.Status.FAILED) | stalled, pk=export_id).update(
        status=Export.Status.PENDING, error="", task_id="", lease_until=None, queued_at=None
    ):
        raise Invalid(_("Only a failed or stalled export can be tried again."))
    transaction.on_commit(lambda: _enqueue([export_id]))
    events.announce(export.revision.issue_id, events.EXPORTS)
    export.refresh_from_db()
    return export


@transaction.atomic
def pdf_exports_rerender() -> int:
    """Queue again the PDFs that have no CJK font recorded: rendered before
    the desk made sure of one (their Chinese may be boxes) or failed; returns
    how many. Nothing while no CJK font can be found, or they would fail
    again. The revision and its snapshot stay as they are: when the render is
    done, the file and its checksum are replaced (the audit log keeps the old
    checksum). Once rendered, a PDF records its font and is left alone."""
    if cjk_font() is None:
        return 0
    unset = Export.objects.filter(
        format=Export.Format.PDF, font="", status__in=[Export.Status.DONE, Export.Status.FAILED]
    )
    exports = list(unset.select_related("revision__issue__series").select_for_update(of=("self",)))
    unset.filter(pk__in=[export.pk for export in exports]).update(
        status=Export.Status.PENDING, error="", task_id="", lease_until=None
    )
    for export in exports:
        issue = export.revision.issue
        audit_record(
            actor=None,
            action="export.rerender",
            target=export,
            reason="no CJK font recorded",
            before={"status": export.status, "sha256": export.sha256},
            scope=f"{issue.series.slug}/{issue.code}",
        )
    for issue_id in {export.revision.issue_id for export in exports}:
        events.announce(issue_id, events.EXPORTS)
    transaction.on_commit(lambda: _enqueue([export.pk for export in exports]))
    return len(exports)


def _describe(error: Exception) -> str:
    # A renderer's refusal is written for the host; any other error is a
    # fault, and its type says where to look.
    if isinstance(error, RenderError):
        return str(error)[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


# The next issue: opened by a steward once an issue is over, or by the
# schedule; it carries over what the last one left open.

OPEN_NEXT_JOB = "open_next_issues"


@dataclass(frozen=True)
class CarriedOver:
    questions: int
    nominations: int


def _has_met(issue: Issue, now: datetime.datetime) -> bool:
    return issue.status in (IssueStatus.FROZEN, IssueStatus.PUBLISHED) or (
        issue.meeting_at is not None and issue.meeting_at <= now
    )


@transaction.atomic
def issue_open_next(*, series: Series, user, after: Issue | None = None) -> Issue:
    """Open the issue after the series' latest: its number + 1, sections copied
    from the templates, host, editor and owners left to be claimed, the
    meeting at the series' next time after the latest one's (or now),
    skipping holidays; then carry over what the latest left open.

    Admins or the latest issue's host and editor; `user` None is the
    schedule. `after` is the issue the caller took for the latest (the page
    the button was on, the schedule's check). The series row is locked, so of
    two openers at once the second sees the first's issue and is refused:
    one issue, whoever asks and however often.
    """
    series = Series.objects.select_for_update().get(pk=series.pk)
    latest = (
        Issue.objects.filter(series=series, number__isnull=False)
        .select_related("series", "host", "editor")
        .order_by("-number")
        .first()
    )
    if latest is None:
        raise Invalid(
            _("%(series)s has no numbered issue yet to follow.") % {"series": series.name}
        )
    if after is None or after.pk == latest.pk:
        _require_steward(user, latest)
    else:
        # Asked on an earlier issue's page: its own stewards hear the news.
        _require_steward(user, Issue.objects.select_related("host", "editor").get(pk=after.pk))
    now = timezone.now()
    if after is not None and after.pk != latest.pk:
        raise IssueExists(_("%(title)s is already open.") % {"title": latest.title})
    if not _has_met(latest, now):
        if after is None:
            # The latest is still to meet: it is the next issue, already open.
            raise IssueExists(_("%(title)s is already open.") % {"title": latest.title})
        raise IssueClosed(
            _("%(title)s has not met yet: freeze it before opening the next one.")
            % {"title": latest.title}
        )
    start = max(latest.meeting_at, now) if latest.meeting_at else now
    issue = issue_create(
        series=series, by=None, number=latest.number + 1, meeting_at=meeting_after(series, start)
    )
    carried = _carry_over(latest, issue)
    audit_record(
        actor=user,
        action="issue.open_next",
        target=issue,
        scope=f"{series.slug}/{issue.code}",
        after={
            "after": latest.code,
            "meeting_at": issue.meeting_at.isoformat(),
            "questions": carried.questions,
            "nominations": carried.nominations,
        },
    )
    return issue


@transaction.atomic
def issue_carry_over(*, issue: Issue, user) -> CarriedOver:
    """Carry over into `issue` again from the issue before it, adding only
    what is missing: a copy someone deleted comes back, nothing comes twice.
    Admins, or the host or editor of either issue."""
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("series", "host", "editor")
        .get(pk=issue.pk)
    )
    previous = (
        Issue.objects.filter(series=issue.series_id, number__lt=issue.number)
        .select_related("series", "host", "editor")
        .order_by("-number")
        .first()
        if issue.number is not None
        else None
    )
    if user is not None:
        require_member(user)
        if not (
            can_curate_issue(user, issue)
            or (previous is not None and can_curate_issue(user, previous))
        ):
            raise NotAllowed(_("Only the host, the editor and admins can do that."))
    if previous is None:
        raise Invalid(_("%(title)s has no issue before it.") % {"title": issue.title})
    if issue.status not in (IssueStatus.DRAFT, IssueStatus.LIVE):
        raise IssueClosed(_("Only a draft or a live issue takes what is carried over."))
    carried = _carry_over(previous, issue)
    audit_record(
        actor=user,
        action="issue.carry_over",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={
            "from": previous.code,
            "questions": carried.questions,
            "nominations": carried.nominations,
        },
    )
    return carried


def _carry_over(previous: Issue, issue: Issue) -> CarriedOver:
    targets = {section.key: section for section in issue.sections.all()}
    questions = _carry_questions(previous, issue, targets)
    nominations = _carry_nominations(previous, issue, targets)
    for section_id in {row.section_id for row in [*questions, *nominations]}:
        events.announce(issue.pk, events.SECTION, id=section_id)
    return CarriedOver(questions=len(questions), nominations=len(nominations))


def _next_positions(model, issue: Issue) -> dict[int, int]:
    rows = model.objects.filter(section__issue=issue).values("section_id")
    return dict(rows.annotate(last=Max("position")).values_list("section_id", "last"))


def _carry_questions(previous: Issue, issue: Issue, targets: dict[str, Section]) -> list[Question]:
    """Questions the previous issue left open: shown, not merged into another,
    not marked answered and without a shown answer (their own, or one given
    to another copy of them), into the section with the same key."""
    left = list(
        Question.objects.filter(
            section__issue=previous,
            section__kind=SectionKind.QUESTIONS,
            status=PostStatus.VISIBLE,
            merged_into__isnull=True,
            answered=False,
        )
        .select_related("section")
        .order_by("section__position", "position", "id")
    )
    links = carried_links([q.pk for q in left])
    thread = {q.pk: {q.pk, *links.get(q.pk, ())} for q in left}
    answered = set(
        Answer.objects.filter(
            status=PostStatus.VISIBLE,
            question_id__in={pk for ids in thread.values() for pk in ids},
        ).values_list("question_id", flat=True)
    )
    there = set(
        Question.objects.filter(section__issue=issue, carried_from__in=left).values_list(
            "carried_from_id", flat=True
        )
    )
    last = _next_positions(Question, issue)
    copies = []
    for question in left:
        target = targets.get(question.section.key)
        if (
            target is None
            or target.kind != SectionKind.QUESTIONS
            or question.pk in there
            or thread[question.pk] & answered
        ):
            continue
        last[target.pk] = last.get(target.pk, 0) + 1
        copies.append(
            Question(
                section=target,
                carried_from=question,
                body=question.body,
                author_id=question.author_id,
                author_name=question.author_name,
                subgroup=question.subgroup,
                position=last[target.pk],
            )
        )
    # The unique (section, carried_from) constraint is the last word if two
    # carry-overs ever met; the issue row lock makes that not happen.
    Question.objects.bulk_create(copies, ignore_conflicts=True)
    return copies


def _chosen(nomination: Item) -> bool:
    section = nomination.section
    theme = section.theme.strip()
    return nomination.pk == section.theme_item_id or bool(
        theme and nomination.title.strip() == theme
    )


def _carry_nominations(previous: Issue, issue: Issue, targets: dict[str, Section]) -> list[Item]:
    """Nominations that were not chosen as their section's theme, into the
    nominations area of the section with the same key."""
    left = [
        nomination
        for nomination in Item.objects.filter(section__issue=previous, kind=Item.Kind.NOMINATION)
        .select_related("section")
        .order_by("section__position", "position", "id")
        if not _chosen(nomination)
    ]
    there = set(
        Item.objects.filter(section__issue=issue, carried_from__in=left).values_list(
            "carried_from_id", flat=True
        )
    )
    last = _next_positions(Item, issue)
    copies = []
    for nomination in left:
        target = targets.get(nomination.section.key)
        if target is None or not target.has_nominations or nomination.pk in there:
            continue
        last[target.pk] = last.get(target.pk, 0) + 1
        copies.append(
            Item(
                section=target,
                kind=Item.Kind.NOMINATION,
                carried_from=nomination,
                subgroup=nomination.subgroup,
                title=nomination.title,
                url=nomination.url,
                url_key=nomination.url_key,
                body=nomination.body,
                points=nomination.points,
                code=nomination.code,
                language=nomination.language,
                author_id=nomination.author_id,
                author_name=nomination.author_name,
                position=last[target.pk],
            )
        )
    Item.objects.bulk_create(copies, ignore_conflicts=True)
    return copies


def issues_open_due(*, now: datetime.datetime | None = None) -> JobRun:
    """The schedule's run: open the next issue of every series whose latest
    issue met more than NEXT_ISSUE_AFTER_MINUTES ago (and not more than
    NEXT_ISSUE_WITHIN_DAYS: an older one has paused). The run is a JobRun row
    (running, then done or failed with the reasons) for the admins' jobs
    page; a series that fails does not stop the others."""
    run = JobRun.objects.create(job=OPEN_NEXT_JOB)
    now = now or timezone.now()
    due_before = now - datetime.timedelta(minutes=settings.NEXT_ISSUE_AFTER_MINUTES)
    due_after = now - datetime.timedelta(days=settings.NEXT_ISSUE_WITHIN_DAYS)
    opened, failures = [], []
    try:
        due = [
            issue
            for issue in latest_issues()
            if issue.meeting_at and due_after <= issue.meeting_at <= due_before
        ]
    except Exception as error:
        logger.exception("The issues due could not be read")
        due, failures = [], [_describe(error)]
    for latest in due:
        try:
            issue = issue_open_next(series=latest.series, user=None, after=latest)
        except IssueExists:
            continue  # a host was quicker: that is the point
        except Exception as error:
            logger.exception("The issue after %s could not be opened", latest)
            failures.append(f"{latest.title}: {_describe(error)}")
        else:
            opened.append(issue.title)
    if opened:
        detail = _("Opened %(titles)s.") % {"titles": "、".join(opened)}
    else:
        detail = _("Nothing was due.")
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.FAILED if failures else JobRun.Status.DONE,
        detail="\n".join([str(detail), *failures])[:4000],
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
