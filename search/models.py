"""The search index: one row per thing a member may look for (an item, a
question, an answer, a chat line, a section's theme, an issue's highlights),
with its text as shown, its terms and flat text (search.terms) and what the
search filters and checks on. Rows are rebuilt from the content
(search.indexing); nothing else writes them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Lookup

from sections.models import PostStatus, SectionKind


class Kind(models.TextChoices):
    ITEM = "item"
    QUESTION = "question"
    ANSWER = "answer"
    CHAT = "chat"
    THEME = "theme"
    HIGHLIGHTS = "highlights"


class Entry(models.Model):
    series = models.ForeignKey("talk.Series", on_delete=models.CASCADE, related_name="+")
    issue = models.ForeignKey("talk.Issue", on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(
        "sections.Section", on_delete=models.CASCADE, null=True, related_name="+"
    )
    section_kind = models.CharField(max_length=20, choices=SectionKind, blank=True)
    kind = models.CharField(max_length=20, choices=Kind)
    target_id = models.PositiveBigIntegerField()
    # Where on the issue page it is: "item-12", "answer-40".
    anchor = models.CharField(max_length=40)
    # Its alias, or the name it is credited to (never anything private).
    alias = models.CharField(max_length=80, blank=True)
    # Who may see it while it is not shown (visible_posts' rule).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=PostStatus, default=PostStatus.VISIBLE)
    unanswered = models.BooleanField(default=False)
    # The question a question's or an answer's row belongs to.
    thread = models.PositiveBigIntegerField(null=True, db_index=True)
    text = models.TextField()
    terms = models.TextField()
    # The text's words in order, folded (search.terms.flat): the phrase rank's.
    flat = models.TextField(default="")
    position = models.PositiveIntegerField(default=0)
    # The issue's place among the newest (its meeting, or its creation
    # without one; then its number, 0 without one), copied so one index
    # gives the rows in the results' order: a search for a common word walks
    # it and stops at the page's length, instead of sorting every match.
    # Never empty (NULLS LAST has no place in an SQLite index); nullable
    # only so SQLite adds the columns without rebuilding the table.
    issue_at = models.DateTimeField(null=True)
    issue_number = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id"], name="search_entry_once")
        ]
        indexes = [
            models.Index(fields=["issue", "position"], name="search_entry_place"),
            models.Index(
                F("series"),
                F("issue_at").desc(),
                F("issue_number").desc(),
                F("issue"),
                F("position"),
                F("id"),
                name="search_entry_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_id}"


class Matches(Lookup):
    """`terms__matches=Query(...)`: the rows whose terms match, found by the
    engine's own index: on PostgreSQL the GIN index over the terms as a
    stored tsvector (migration 0003), on SQLite the FTS5 table over them
    (migration 0002). Written against the row's alias, so that it holds
    inside a subquery too."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        row = compiler.quote_name(self.lhs.alias)
        return f'{row}."terms_vector" @@ %s::tsquery', [self.rhs.tsquery()]

    def as_sqlite(self, compiler, connection):
        row = compiler.quote_name(self.lhs.alias)
        fts = f"{Entry._meta.db_table}_fts"
        return f'{row}."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)', [self.rhs.fts5()]


class MatchesInTurn(Matches):
    """`terms__matches_in_turn=Query(...)`: the same rows, each tested as a
    walk of another index reaches it. PostgreSQL's function form of `@@`,
    which no index serves, so the planner cannot read every match from the
    GIN index and sort them, as it does when it wrongly takes a match of
    several terms for rare (search.selectors.WINDOW)."""

    lookup_name = "matches_in_turn"

    def as_sql(self, compiler, connection):
        row = compiler.quote_name(self.lhs.alias)
        return f'ts_match_vq({row}."terms_vector", %s::tsquery)', [self.rhs.tsquery()]


Entry._meta.get_field("terms").register_lookup(Matches)
Entry._meta.get_field("terms").register_lookup(MatchesInTurn)
