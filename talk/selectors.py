from dataclasses import dataclass

from django.db.models import Prefetch

from sections.models import Item

from .models import Export, Issue, IssueStatus, Revision, Series

OPEN_STATUSES = (IssueStatus.DRAFT, IssueStatus.LIVE)
ARCHIVED_STATUSES = (IssueStatus.FROZEN, IssueStatus.PUBLISHED)


@dataclass
class SeriesOverview:
    series: Series
    current: Issue | None
    archive: list[Issue]


def _issue_order(issues: list[Issue]) -> list[Issue]:
    # Newest first, by when they met (special editions have no number but a
    # date); issues without a date yet by number, then creation.
    return sorted(
        issues,
        key=lambda i: (i.meeting_at or i.created_at, i.number or 0, i.created_at),
        reverse=True,
    )


def series_overview() -> list[SeriesOverview]:
    """Each series with the issue being prepared and its archive (two queries)."""
    series_list = Series.objects.prefetch_related(
        Prefetch("issues", queryset=Issue.objects.select_related("series"))
    )
    overview = []
    for series in series_list:
        issues = _issue_order(list(series.issues.all()))
        open_issues = [i for i in issues if i.status in OPEN_STATUSES]
        overview.append(
            SeriesOverview(
                series=series,
                current=open_issues[-1] if open_issues else None,
                archive=[i for i in issues if i.status in ARCHIVED_STATUSES],
            )
        )
    return overview


def series_issues(series: Series) -> list[Issue]:
    return _issue_order(list(series.issues.select_related("series")))


def issue_revisions(issue: Issue) -> list:
    """The issue's revisions, newest first, each with its exports (two queries)."""
    return list(
        issue.revisions.select_related("created_by")
        .prefetch_related(Prefetch("exports", queryset=Export.objects.order_by("format")))
        .order_by("-number")
    )


def exports_in_progress(revisions: list) -> bool:
    return any(
        export.status in (Export.Status.PENDING, Export.Status.RUNNING)
        for revision in revisions
        for export in revision.exports.all()
    )


def published_issues(series: Series) -> list[Issue]:
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
    for issue in issues:
        # The newest revision whose files are ready: a correction just frozen
        # keeps showing the previous files until its own are rendered.
        revisions = list(issue.revisions.all())
        ready = [revision for revision in revisions if revision.exports.all()]
        issue.latest_revision = (ready or revisions or [None])[0]
    return _issue_order(issues)


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
    parts += list(titles.values_list("title", flat=True)[:HIGHLIGHTS_MAX])
    unique = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    return "".join(f"{part}；" for part in unique[:HIGHLIGHTS_MAX])
