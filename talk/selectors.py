import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from accounts.models import User
from sections.links import normalize_url
from sections.markup import plain_line
from sections.models import Item, PostStatus, Question, Section
from sections.selectors import SHOWN, WALKED

from .models import Export, Holiday, Issue, IssueStatus, JobRun, Revision, SectionTemplate, Series
from .schedule import next_meeting

OPEN_STATUSES = (IssueStatus.DRAFT, IssueStatus.LIVE)
ARCHIVED_STATUSES = (IssueStatus.FROZEN, IssueStatus.PUBLISHED)


@dataclass
class SeriesOverview:
    series: Series
    current: Issue | None
    archive: list[Issue]


def issue_recency(issue: Issue) -> tuple:
    """The key that sorts issues newest last: by when they met (special
    editions have no number but a date); issues without a date yet by
    number, then creation."""
    return (issue.meeting_at or issue.created_at, issue.number or 0, issue.created_at)


def _issue_order(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=issue_recency, reverse=True)


def series_overview() -> list[SeriesOverview]:
    """Each series with the issue being prepared and its archive (two queries)."""
    series_list = Series.objects.prefetch_related(
        Prefetch("issues", queryset=Issue.objects.select_related("series"))
    )
    overview = []
    for series in series_list:
        issues = _issue_order(list(series.issues.all()))
        overview.append(
            SeriesOverview(
                series=series,
                current=_current([i for i in issues if i.status in OPEN_STATUSES]),
                archive=[i for i in issues if i.status in ARCHIVED_STATUSES],
            )
        )
    return overview


def current_issue(series: Series) -> Issue | None:
    """The issue the series is preparing now (see `_current`)."""
    issues = series.issues.filter(status__in=OPEN_STATUSES).select_related("series")
    return _current(_issue_order(list(issues)))


def _current(open_issues: list[Issue]) -> Issue | None:
    """The issue members mean by this week's: the meeting under way, else
    the next meeting's draft (one without a date has its meeting to come),
    else the latest. Not simply the oldest open one: an imported backdated
    draft would take the home page."""
    now = timezone.now()
    live = [i for i in open_issues if i.status == IssueStatus.LIVE]
    coming = [i for i in open_issues if i.meeting_at is None or i.meeting_at >= now]
    if live:
        return live[0]
    if coming:
        return min(coming, key=lambda i: (i.meeting_at is None, i.meeting_at or now, i.number or 0))
    return open_issues[0] if open_issues else None


def series_issues(series: Series) -> list[Issue]:
    return _issue_order(list(series.issues.select_related("series")))


def series_holidays(series: Series) -> list[Holiday]:
    """The holidays still to come (from today, in the series' zone): the
    ones that move a meeting. Past ones stay on record."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(series.meeting_time_zone))
    return list(series.holidays.filter(date__gte=today).order_by("date"))


def series_templates(series: Series) -> list[SectionTemplate]:
    """The section templates in the order issues copy them."""
    return list(series.templates.order_by("position", "id"))


def issue_revisions(issue: Issue) -> list[Revision]:
    """The issue's revisions, newest first, each with its exports (two queries)."""
    return list(
        issue.revisions.select_related("created_by")
        .prefetch_related(Prefetch("exports", queryset=Export.objects.order_by("format")))
        .order_by("-number")
    )


def exports_in_progress(revisions: list[Revision]) -> bool:
    return any(
        export.status in (Export.Status.PENDING, Export.Status.RUNNING) and not export.stalled
        for revision in revisions
        for export in revision.exports.all()
    )


@dataclass
class ArchivedIssue:
    """A published issue as the archive and the feed show it."""

    row: Issue
    # The newest revision whose files are ready: a correction just frozen
    # keeps showing the previous files until its own are rendered.
    latest_revision: Revision | None
    # Its first publication: its meeting's time, or its first revision's if
    # that came earlier (`feed_issues` fills it in).
    first_published_at: datetime.datetime | None = None


def published_issues(series: Series) -> list[ArchivedIssue]:
    """The public archive: published issues, newest first, each with its
    latest revision's exports."""
    issues = list(
        series.issues.filter(status=IssueStatus.PUBLISHED)
        .select_related("series")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=Revision.objects.order_by("-number").prefetch_related(
                    Prefetch("exports", queryset=Export.objects.filter(status=Export.Status.DONE))
                ),
            )
        )
    )
    archived = []
    for issue in _issue_order(issues):
        revisions = list(issue.revisions.all())
        ready = [revision for revision in revisions if revision.exports.all()]
        archived.append(
            ArchivedIssue(row=issue, latest_revision=next(iter(ready or revisions), None))
        )
    return archived


def feed_issues(series: Series, length: int) -> list[ArchivedIssue]:
    """The newest published issues, each with the time it was first
    published. A correction does not publish an issue again, and a record
    imported years after its meeting (the archive) was published then."""
    entries = published_issues(series)[:length]
    for entry in entries:
        issue = entry.row
        revisions = list(issue.revisions.all())  # newest first
        first = revisions[-1].created_at if revisions else issue.updated_at
        entry.first_published_at = min(first, issue.meeting_at or first)
    return entries


def find_issue(series_slug: str, ident: str) -> Issue:
    """An issue by the number people say ("8", "008") or a special edition's
    identifier ("extra-02"); Issue.DoesNotExist otherwise."""
    code = str(int(ident)) if ident.isdigit() else ident
    return Issue.objects.select_related("series", "host", "editor").get(
        series__slug=series_slug, code=code
    )


def current_snapshot(issue: Issue) -> tuple[dict, Revision | None]:
    """The latest revision's snapshot, or (before any freeze) the content as
    it stands now."""
    revision = issue.revisions.order_by("-number").first()
    if revision is not None:
        return revision.snapshot, revision
    from .snapshot import snapshot_build

    return snapshot_build(issue), None


HIGHLIGHTS_MAX = 15


def highlights_suggestion(issue: Issue) -> str:
    """A first draft of the highlights line (本期提要) in the corpus' shape,
    "A；B；C；": the themes picked, then the items the meeting discussed (all
    entries, when none is marked yet), each once. The host edits it."""
    sections = list(issue.sections.order_by("position", "id"))
    items = Item.objects.filter(section__issue=issue, kind=Item.Kind.ENTRY).exclude(title="")
    discussed = items.filter(discussed=True)
    titles = (discussed if discussed.exists() else items).order_by(
        "section__position", "section_id", "position", "id"
    )
    parts = [section.theme for section in sections if section.theme]
    # The titles' words: the line shows its own emphasis, not theirs.
    parts += [
        plain_line(title) for title in titles.values_list("title", flat=True)[:HIGHLIGHTS_MAX]
    ]
    unique = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    return "".join(f"{part}；" for part in unique[:HIGHLIGHTS_MAX])


def latest_issues() -> list[Issue]:
    """Each series' numbered issue with the highest number (one query)."""
    newest = (
        Issue.objects.filter(series=OuterRef("series"), number__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    return list(
        Issue.objects.filter(pk=Subquery(newest)).select_related("series").order_by("series")
    )


# Scheduled jobs, for the admins' page: what failed, and what is late.

JOBS_FAILED_DAYS = 30
# A series whose latest issue met longer ago than this, with no next issue.
ISSUE_OVERDUE_AFTER = datetime.timedelta(days=1)
# A run that has not finished after this was killed on the way.
RUN_STUCK_AFTER = datetime.timedelta(hours=1)


@dataclass
class JobsOverview:
    failed: list[JobRun]
    stuck: list[JobRun]
    last_success: JobRun | None
    schedule_late: bool
    overdue: list[Issue]


def jobs_overview(now: datetime.datetime | None = None) -> JobsOverview:
    """Failed runs of the last 30 days, runs that never finished, whether the
    schedule has succeeded lately (it should every NEXT_ISSUE_CHECK_MINUTES;
    four missed runs make it late), and the series whose next issue is
    overdue (four queries)."""
    now = now or timezone.now()
    runs = JobRun.objects.all()
    last_success = runs.filter(status=JobRun.Status.DONE).order_by("-finished_at").first()
    finished = last_success.finished_at if last_success is not None else None
    expected = datetime.timedelta(minutes=4 * settings.NEXT_ISSUE_CHECK_MINUTES)
    return JobsOverview(
        failed=list(
            runs.filter(
                status=JobRun.Status.FAILED,
                started_at__gte=now - datetime.timedelta(days=JOBS_FAILED_DAYS),
            )
        ),
        stuck=list(runs.filter(status=JobRun.Status.RUNNING, started_at__lt=now - RUN_STUCK_AFTER)),
        last_success=last_success,
        schedule_late=finished is None or finished < now - expected,
        overdue=[
            issue
            for issue in latest_issues()
            if issue.meeting_at is not None and issue.meeting_at < now - ISSUE_OVERDUE_AFTER
        ],
    )


# Links shared before

SIGHTINGS_MAX = 12


@dataclass
class Sighting:
    """Where a link was shared before: enough to say so, and who brought it
    (an alias or a plain name, never anything of their account)."""

    item_id: int
    title: str
    attribution: str
    section_title: str
    issue_title: str
    issue_label: str
    issue_url: str
    in_this_issue: bool
    # The item's text, for a line under its title (the link's page).
    summary: str = ""
    # The alias whose contributor page to link, "" for none.
    person: str = ""


def person_linked(user: User | None) -> str:
    """The alias to link to its contributor page; "" for a name without an
    account (whether a member of that alias hid their page is not loaded)
    and for a member who switched their page off."""
    return user.alias if user is not None and user.public_profile else ""


def link_sightings(*, url: str, issue: Issue, limit_issues: int = 25) -> list[Sighting]:
    """The items whose link has the same key as `url`, in `issue` and in the
    `limit_issues` most recent other issues of its series (by number, then
    meeting time), this issue's first. One query; none for a text that is no
    link. At most SIGHTINGS_MAX: a link shared that often is well known."""
    key = normalize_url(url)
    if not key:
        return []
    recent = (
        Issue.objects.filter(series_id=issue.series_id)
        .exclude(pk=issue.pk)
        .order_by(*_recent_first())
        .values("pk")[:limit_issues]
    )
    items = (
        Item.objects.filter(Q(section__issue=issue) | Q(section__issue__in=recent), url_key=key)
        .select_related("author", "section__issue__series")
        .alias(elsewhere=Case(When(section__issue=issue, then=Value(1)), default=Value(2)))
        .order_by(
            "elsewhere", *_recent_first("section__issue__"), "section__position", "position", "id"
        )
    )
    return [item_sighting(item, issue) for item in items[:SIGHTINGS_MAX]]


def _recent_first(prefix: str = "") -> list:
    return [
        F(f"{prefix}number").desc(nulls_last=True),
        F(f"{prefix}meeting_at").desc(nulls_last=True),
        F(f"{prefix}created_at").desc(),
    ]


def item_sighting(item: Item, issue: Issue | None) -> Sighting:
    where = item.section.issue
    return Sighting(
        item_id=item.pk,
        title=item.title or item.url,
        attribution=item.attribution,
        section_title=item.section.title,
        issue_title=where.title,
        issue_label=where.label,
        issue_url=where.get_absolute_url(),
        in_this_issue=issue is not None and where.pk == issue.pk,
        summary=item.body,
        person=person_linked(item.author),
    )


# The meetings' calendar

# A meeting's length when its sections set no time budget.
MEETING_MINUTES = 120


@dataclass
class Meeting:
    """A meeting of a series as its calendar shows it."""

    # One per issue number (or special edition's code): a meeting moved, or
    # scheduled first and then opened as an issue, stays the same event.
    uid: str
    title: str
    starts_at: datetime.datetime
    minutes: int
    # The issue's page, once the issue is open.
    url: str = ""
    updated_at: datetime.datetime | None = None


def upcoming_meetings(
    series: Series, *, now: datetime.datetime | None = None, weeks: int = 8
) -> list[Meeting]:
    """The series' meetings from today on: the issues that have a meeting
    time (as the host set or moved it), then the schedule's, a week apart
    with the holidays skipped, until `weeks` weeks from now."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(series.meeting_time_zone)
    today = datetime.datetime.combine(now.astimezone(zone).date(), datetime.time(), tzinfo=zone)
    until = now + datetime.timedelta(weeks=weeks)
    budget = _meeting_minutes(series.templates.all())
    issues = list(
        series.issues.filter(meeting_at__gte=today, meeting_at__lte=until)
        .select_related("series")
        .prefetch_related("sections")
        .order_by("meeting_at")
    )
    meetings = [meeting for issue in issues if (meeting := issue_meeting(issue))]
    last = series.issues.filter(number__isnull=False).order_by("-number").first()
    number = last.number if last is not None else None
    after = max([now, *(m.starts_at for m in meetings)])
    if last is not None and last.meeting_at is not None:
        after = max(after, last.meeting_at)
    elif number is not None:
        # Open but not yet given a time: the next meeting the schedule
        # finds is its meeting.
        number -= 1
    holidays = set(series.holidays.filter(date__gte=today.date()).values_list("date", flat=True))
    while True:
        after = next_meeting(series, after, holidays)
        if after > until:
            return meetings
        number = None if number is None else number + 1
        meetings.append(
            Meeting(
                uid=_meeting_uid(series, number, after.date().isoformat()),
                title=f"{series.name} {number:03d}" if number is not None else series.name,
                starts_at=after,
                minutes=budget,
            )
        )


def issue_meeting(issue: Issue) -> Meeting | None:
    """The issue's meeting, once it has a time."""
    if issue.meeting_at is None:
        return None
    series = issue.series
    return Meeting(
        uid=_meeting_uid(series, issue.number, issue.code),
        title=issue.title,
        starts_at=issue.meeting_at.astimezone(zoneinfo.ZoneInfo(series.meeting_time_zone)),
        minutes=_meeting_minutes(issue.sections.all()),
        url=issue.get_absolute_url(),
        updated_at=issue.updated_at,
    )


def _meeting_uid(series: Series, number: int | None, code: str) -> str:
    return f"{series.slug}-{number if number is not None else code}@issue-desk"


def _meeting_minutes(sections: Iterable) -> int:
    return sum(s.time_budget_minutes or 0 for s in sections) or MEETING_MINUTES


@dataclass
class Stage:
    """What the shared screen shows of the meeting (present mode): only what
    everyone may see, whoever is logged in on the screen's browser."""

    issue: Issue
    section: Section | None
    items: list[Item]
    spotlight: Question | None
    next_section: Section | None


def meeting_stage(issue: Issue) -> Stage:
    section = issue.current_section if issue.status == IssueStatus.LIVE else None
    items: list[Item] = []
    next_section = None
    if section is not None:
        items = list(section.items.filter(WALKED).order_by("position", "id"))
        next_section = (
            issue.sections.filter(SHOWN)
            .filter(
                Q(position__gt=section.position) | Q(position=section.position, pk__gt=section.pk)
            )
            .order_by("position", "id")
            .first()
        )
    spotlight = None
    if issue.status == IssueStatus.LIVE and issue.spotlight_id is not None:
        spotlight = (
            Question.objects.select_related("author")
            .filter(pk=issue.spotlight_id, status=PostStatus.VISIBLE)
            .annotate(vote_count=Count("votes"))
            .first()
        )
    return Stage(issue, section, items, spotlight, next_section)
