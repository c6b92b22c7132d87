"""Searching a series: the rows that match, as the viewer may see them,
grouped by issue.

The engines find the rows by their terms (PostgreSQL: a GIN index over the
terms as a stored tsvector; SQLite: an FTS5 table over them), both fed the same
terms (search.terms), so both find the same rows; the order is decided in
SQL both understand alike: the exact phrase first when asked for relevance
(search.terms.flat), then the newest issue, then the page's order.
"""

import html
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Viewer
from sections.selectors import visible_posts
from talk.models import Issue, Series

from .models import Entry, Kind
from .terms import Query, normalized

LIMIT = 100
EXCERPT = 160
ORDERS = ("newest", "relevance")


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


def _matching(query: Query) -> RawSQL:
    """The engine's condition for the rows whose terms match."""
    table = Entry._meta.db_table
    if connection.vendor == "postgresql":
        # terms_vector: the terms as a tsvector, stored (migration 0003).
        sql = f'"{table}"."terms_vector" @@ %s::tsquery'
        return RawSQL(sql, [query.tsquery()], output_field=BooleanField())
    sql = f'"{table}"."id" IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)'
    return RawSQL(sql, [query.fts5()], output_field=BooleanField())


def matches(query: Query) -> QuerySet[Entry]:
    return Entry.objects.filter(_matching(query))


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
    rows = matches(query).filter(series=series).filter(visible_posts(viewer))
    rows = _filtered(rows, filters)
    newest = ["-issue_at", "-issue_number", "issue_id", "position", "id"]
    # Each query walks the index in the results' order (search_entry_newest)
    # and stops at the page's length.
    if order == "relevance":
        # Compared folded on both sides (search.terms.flat) by a
        # case-sensitive LIKE, which both engines run alike; `icontains` on
        # the text would fold case each its own way (SQLite: ASCII only).
        # The phrase's rows first, then the others: two walks, not one sort.
        phrase = Q(flat__contains=query.phrase)
        ranked = [
            (pk, 1)
            for pk in rows.filter(phrase)
            .order_by(*newest)
            .values_list("pk", flat=True)[: limit + 1]
        ]
        if len(ranked) <= limit:
            rest = rows.exclude(phrase).order_by(*newest).values_list("pk", flat=True)
            ranked += [(pk, 0) for pk in rest[: limit + 1 - len(ranked)]]
    else:
        ranked = [
            (pk, 0) for pk in rows.order_by(*newest).values_list("pk", flat=True)[: limit + 1]
        ]
    shown = ranked[:limit]
    whole = Entry.objects.select_related("issue__series", "section").in_bulk(
        [pk for pk, _phrase in shown]
    )
    found = [(whole[pk], phrase) for pk, phrase in shown if pk in whole]
    return Results(
        query=query.text,
        groups=_grouped(found, query),
        count=len(found),
        more=len(ranked) > limit,
    )


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


def _grouped(rows: list[tuple[Entry, int]], query: Query) -> list[IssueHits]:
    """By issue, in the rows' order. By relevance the phrase's rows are
    grouped apart from the rest, so that they all come first: an issue may
    then head a group in each."""
    groups: dict[tuple[int, int], IssueHits] = {}
    for row, phrase in rows:
        issue: Issue = row.issue
        key = (phrase, issue.pk)
        group = groups.get(key)
        if group is None:
            group = groups[key] = IssueHits(
                title=issue.title, url=issue.get_absolute_url(), phrase=bool(phrase)
            )
        group.hits.append(
            Hit(
                kind=row.kind,
                url=f"{group.url}#{row.anchor}",
                section=row.section.title if row.section else "",
                alias=row.alias,
                excerpt=highlighted(row.text, query),
                shown=row.status == "visible",
            )
        )
    return list(groups.values())


@cache
def _fold(char: str) -> str:
    folded = normalized(char)
    return folded if len(folded) == 1 else char


def _folded(text: str) -> str:
    """Folded as the terms are (full width, case), one character for one, so
    positions stay the text's. Each character is folded once per process: a
    page of hits holds the same few thousand again and again."""
    return text.lower() if text.isascii() else "".join(map(_fold, text))


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
