"""Searching a series: the rows that match, as the viewer may see them,
grouped by issue.

The engines find the rows by their terms (PostgreSQL: a GIN index over the
terms as a stored tsvector; SQLite: an FTS5 table over them), both fed the same
terms (search.terms), so both find the same rows; the order is decided in
SQL both understand alike: the exact phrase first when asked for relevance
(search.terms.flat), then the newest issue, then the page's order.
"""

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Viewer
from sections.models import Section
from sections.selectors import visible_posts
from talk.models import Issue, Series

from .models import Entry, Kind
from .terms import Query, normalized

LIMIT = 100
EXCERPT = 160
ORDERS = ("newest", "relevance")
# How many of the newest rows a query of several terms tests in turn before
# it asks the index of terms (_Walk): enough for a pair as common as 位置编码
# (one row in 23) to fill a page.
WINDOW = 3000
# The results' order, the index's (search_entry_newest).
NEWEST = ("-issue_at", "-issue_number", "issue_id", "position", "id")
# What a hit shows, in _grouped's order.
_SHOWN = ("kind", "anchor", "alias", "text", "status", "section_id", "issue_id")


@dataclass(frozen=True)
class Filters:
    section_kind: str = ""
    number_from: int | None = None
    number_to: int | None = None
    alias: str = ""
    unanswered: bool = False


@dataclass(frozen=True)
class Hit:
    kind: str
    url: str
    section: str
    alias: str
    excerpt: SafeString
    shown: bool  # False: hidden or waiting, found by who may see it


@dataclass
class IssueHits:
    title: str
    url: str
    # By relevance: the group of the exact phrase's hits (an issue may
    # head one group of them and one of the others).
    phrase: bool = False
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    query: str
    groups: list[IssueHits]
    count: int
    more: bool  # past LIMIT: narrow the search


def search(
    *,
    series: Series,
    viewer: Viewer,
    text: str,
    order: str = "newest",
    filters: Filters = Filters(),
    limit: int = LIMIT,
) -> Results:
    query = Query(text)
    if not query:
        return Results(query=text, groups=[], count=0, more=False)
    rows = _filtered(Entry.objects.filter(series=series).filter(visible_posts(viewer)), filters)
    walk = _Walk(query, edge=_window_edge(series, query))
    if order == "relevance" and query.terms_are_phrase:
        # Every match is the phrase's: one walk, with no phrase condition
        # the planner would take for a rare one and sort every match for.
        ranked = [(row, 1) for row in walk.first(rows, limit + 1)]
    elif order == "relevance":
        # Compared folded on both sides (search.terms.flat) by a
        # case-sensitive LIKE, which both engines run alike; `icontains` on
        # the text would fold case each its own way (SQLite: ASCII only).
        # The phrase's rows first, then the others: two walks, not one sort.
        phrase = Q(flat__contains=query.phrase)
        ranked = [(row, 1) for row in walk.first(rows.filter(phrase), limit + 1)]
        if len(ranked) <= limit:
            rest = walk.first(rows.exclude(phrase), limit + 1 - len(ranked))
            ranked += [(row, 0) for row in rest]
    else:
        ranked = [(row, 0) for row in walk.first(rows, limit + 1)]
    found = ranked[:limit]
    return Results(
        query=query.text,
        groups=_grouped(found, query, series),
        count=len(found),
        more=len(ranked) > limit,
    )


def _window_edge(series: Series, query: Query) -> datetime | None:
    """Where the window of the newest rows ends (`_Walk`): the place of the
    series' WINDOW-th newest row; None, no window, for a query of one term
    or a series with fewer rows."""
    if not query.several_terms:
        return None
    newest = Entry.objects.filter(series=series).order_by(*NEWEST)
    return next(iter(newest.values_list("issue_at", flat=True)[WINDOW : WINDOW + 1]), None)


@dataclass(frozen=True)
class _Walk:
    """The rows that match `query`, the first of them in the results' order.

    The query walks the index in that order (search_entry_newest) and stops
    at the count asked for, or reads a rare term's few rows from the index
    of terms and sorts them: the planner chooses by the term's frequency.
    For several terms it multiplies their frequencies as if independent
    (`位置编码`: 8 rows estimated, 3,517 found in bench/search.py's archive),
    takes them for rare and sorts every match (PostgreSQL: 18 ms by hand).
    So with an `edge`, the newest rows down to it (the window) are walked
    first, each tested in turn (terms__matches_in_turn, 4.7 ms), and the index
    of terms is asked only for what the window lacked, from beyond it."""

    query: Query
    edge: datetime | None

    def first(self, rows: QuerySet[Entry], count: int) -> list[tuple]:
        if self.edge is None:
            return _read(rows.filter(terms__matches=self.query), count)
        window = rows.filter(issue_at__gte=self.edge, terms__matches_in_turn=self.query)
        found = _read(window, count)
        if len(found) < count:
            beyond = rows.filter(issue_at__lt=self.edge, terms__matches=self.query)
            found += _read(beyond, count - len(found))
        return found


def _read(rows: QuerySet[Entry], count: int) -> list[tuple]:
    """The first `count` rows as what their hits show. Tuples, not models:
    building the entries with their issue, series and section was most of a
    search's time."""
    return list(rows.order_by(*NEWEST).values_list(*_SHOWN)[:count])


def _filtered(rows: QuerySet[Entry], filters: Filters) -> QuerySet[Entry]:
    if filters.section_kind:
        rows = rows.filter(section_kind=filters.section_kind)
    if filters.number_from is not None:
        rows = rows.filter(issue_number__gte=filters.number_from)
    if filters.number_to is not None:
        rows = rows.filter(issue_number__lte=filters.number_to)
    if filters.alias:
        rows = rows.filter(alias__iexact=filters.alias)
    if filters.unanswered:
        rows = rows.filter(kind=Kind.QUESTION, unanswered=True)
    return rows


def _grouped(rows: list[tuple[tuple, int]], query: Query, series: Series) -> list[IssueHits]:
    """By issue, in the rows' order. By relevance the phrase's rows are
    grouped apart from the rest, so that they all come first: an issue may
    then head a group in each."""
    # Read after the walks: joined in them, the sections and issues were
    # read for every match before the sort and the limit.
    sections = dict(
        Section.objects.filter(pk__in={row[5] for row, _phrase in rows if row[5]})
        .order_by()
        .values_list("pk", "title")
    )
    issues = (
        Issue.objects.only("number", "special_label", "code")
        .order_by()
        .in_bulk({row[6] for row, _phrase in rows})
    )
    issue_url = _issue_urls(series)
    groups: dict[tuple[int, int], IssueHits] = {}
    for row, phrase in rows:
        kind, anchor, alias, text, status, section_id, issue_id = row
        key = (phrase, issue_id)
        group = groups.get(key)
        if group is None:
            issue = issues[issue_id]
            issue.series = series  # every row is of the series searched
            group = groups[key] = IssueHits(
                title=issue.title, url=issue_url(issue.code), phrase=bool(phrase)
            )
        group.hits.append(
            Hit(
                kind=kind,
                url=f"{group.url}#{anchor}",
                section=sections.get(section_id, ""),
                alias=alias,
                excerpt=highlighted(text, query),
                shown=status == "visible",
            )
        )
    return list(groups.values())


def _issue_urls(series: Series) -> Callable[[str], str]:
    """An issue's URL by its code, reversed once per search: reversed for
    each issue, as many as a page of hits holds, it was 2.6 ms of a search
    (bench/search.py). "-" stands in for the code: codes are slugs, which
    the URL holds as they are."""
    before, after = reverse("issue", args=[series.slug, "-"]).rsplit("/-/", 1)
    return lambda code: f"{before}/{code}/{after}"


class _Folds(dict[int, str]):
    """Each character folded as the terms are (full width, case), one
    character for one, so positions stay the text's; for str.translate,
    which asks for each character by its code."""

    def __missing__(self, code: int) -> str:
        folded = normalized(chr(code))
        self[code] = folded = folded if len(folded) == 1 else chr(code)
        return folded


# Each character is folded once per process: a page of hits holds the same
# few thousand again and again.
_FOLDS = _Folds()


def _folded(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def highlighted(text: str, query: Query, width: int = EXCERPT) -> SafeString:
    """An excerpt around the first match, every match in <mark>, the rest
    escaped."""
    folded = _folded(text)
    spans = []
    for piece in query.pieces:
        start = folded.find(piece)
        while start != -1:
            # A word matches where a word begins ("eval" in "c-eval", not
            # the "c" of "music"), as the index matches it.
            if not piece.isascii() or start == 0 or not folded[start - 1].isalnum():
                spans.append((start, start + len(piece)))
            start = folded.find(piece, start + len(piece))
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    out, at = [], begin
    for start, stop in spans:
        if start < at or start >= end:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        at = stop
    out.append(html.escape(text[at:end]))
    excerpt = "".join(out).replace("\n", " ")
    return mark_safe(("…" if begin else "") + excerpt + ("…" if end < len(text) else ""))
