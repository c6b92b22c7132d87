from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Issue, IssueStatus, Series

OPEN_STATUSES = (IssueStatus.DRAFT, IssueStatus.LIVE)
ARCHIVED_STATUSES = (IssueStatus.FROZEN, IssueStatus.PUBLISHED)


@dataclass
class SeriesOverview:
    series: Series
    current: Issue | None
    archive: list[Issue]


def _issue_order(issues: list[Issue]) -> list[Issue]:
    # Newest first: by number, special editions by creation time.
    return sorted(issues, key=lambda i: (i.number or 0, i.created_at), reverse=True)


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
