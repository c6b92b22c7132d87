"""Sections of an issue and everything members put in them.

A section is copied from its series' template when the issue is created, so a
later template edit never rewrites an earlier issue. Every row a member can
edit carries a `version`; services save with a conditional UPDATE on it so two
editors never silently overwrite each other.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SectionKind(models.TextChoices):
    ITEMS = "items", _("Items")
    QUESTIONS = "questions", _("Questions and answers")
    CHAT = "chat", _("Chat log")
    REFERENCES = "references", _("References")


class SectionShape(models.Model):
    """The fields a section template and a section share (the copy)."""

    key = models.SlugField(_("key"), max_length=40)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    time_budget_minutes = models.PositiveSmallIntegerField(
        _("time budget (minutes)"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    optional = models.BooleanField(_("optional"), default=False)
    owner_cap = models.PositiveSmallIntegerField(
        _("owners"), default=2, help_text=_("How many members can claim it (0 to 2).")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SectionKind, default=SectionKind.ITEMS
    )
    subgroups = models.JSONField(_("sub-groups"), default=list, blank=True)
    has_nominations = models.BooleanField(_("nominations area"), default=False)
    has_suggestions = models.BooleanField(_("suggestions area"), default=False)
    theme_label = models.CharField(
        _("theme label"),
        max_length=20,
        blank=True,
        help_text=_("For example 本期主题; empty: no theme."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    @classmethod
    def shape_of(cls, other: "SectionShape") -> dict:
        return {field.name: getattr(other, field.name) for field in SectionShape._meta.fields}


OWNER_CAP_MAX = 2


class Section(SectionShape):
    issue = models.ForeignKey(
        "talk.Issue", on_delete=models.CASCADE, related_name="sections", verbose_name=_("issue")
    )
    template = models.ForeignKey(
        "talk.SectionTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    theme_item = models.ForeignKey(
        "sections.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme item"),
    )
    # An imported record's budget as it was written ("共~10 分钟"): the
    # minutes alone would lose its wording.
    time_budget_wording = models.CharField(
        _("time budget as written"),
        max_length=40,
        blank=True,
        help_text=_("What the exports write for the budget; empty: “~N 分钟” from the minutes."),
    )
    # Contributors known only by name (imported issues, the group chat).
    contributor_names = models.JSONField(_("contributors by name"), default=list, blank=True)
    # The 【贡献者】 line as an imported text wrote those names ("羡鱼（编辑）
    # +OpenLLM 群友"): the exports write it while they are still the names.
    contributors_written = models.CharField(
        _("contributors as written"), max_length=300, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta(SectionShape.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["issue", "key"], name="sections_section_key_unique"),
            models.CheckConstraint(
                condition=models.Q(owner_cap__lte=OWNER_CAP_MAX),
                name="sections_section_owner_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    """A member owning a section (版块负责人).

    `slot` is 1..owner_cap: the unique (section, slot) pair and the range check
    make a third owner impossible in the database even if a service forgot the
    row lock it takes before counting.
    """

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="claims", verbose_name=_("section")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    slot = models.PositiveSmallIntegerField(_("slot"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(fields=["section", "member"], name="sections_claim_once"),
            models.UniqueConstraint(fields=["section", "slot"], name="sections_claim_slot_unique"),
            models.CheckConstraint(
                condition=models.Q(slot__gte=1, slot__lte=OWNER_CAP_MAX),
                name="sections_claim_slot_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.section}"


class Attributed(models.Model):
    """Who a row is attributed to (a member, or a plain name) and who typed it."""

    # PROTECT: deleting a member must not take their name off the record
    # (a frozen issue's page and contributors); the admin suspends instead.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(
        _("author name"), max_length=80, blank=True, help_text=_("For people without an account.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When its words last changed (sections.history), unlike `updated_at`,
    # which moderation and a new credit move too: the page marks an edited
    # post from the row it reads anyway, without reading the audit log.
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def attribution(self) -> str:
        return self.author.alias if self.author is not None else self.author_name


class Item(Attributed):
    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry")
        NOMINATION = "nomination", _("Nomination")
        SUGGESTION = "suggestion", _("Suggestion")
        NOTE = "note", _("Note")
        SNIPPET = "snippet", _("Code snippet")

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ENTRY)
    subgroup = models.CharField(_("sub-group"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    # Sub-points, outline or numbered points: one per line (the corpus lists
    # them under an entry, numbered "1）" or bulleted).
    points = models.TextField(_("points"), blank=True, help_text=_("One per line."))
    # An import keeps how the text listed them; the desk numbers its own.
    bulleted_points = models.BooleanField(_("bulleted points"), default=False)
    # False for what the text wrote as a paragraph or a code block of its own
    # rather than as an entry of a list (注意事项's lines): written back so.
    listed = models.BooleanField(_("listed"), default=True)
    # In 提名区/建议区 the text writes entries on the label's line, each
    # followed by its separator ("位置编码、量化", "A；B；"): kept to write
    # them back as written. "" for an entry made in the desk.
    separator = models.CharField(_("separator"), max_length=2, blank=True)
    # What the text wrote before the link ("from-"): the link then closes the
    # entry, after its points, as it did there.
    url_prefix = models.CharField(_("link prefix"), max_length=20, blank=True)
    code = models.TextField(_("code"), blank=True)
    language = models.CharField(_("code language"), max_length=30, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Marked by the host during the meeting.
    discussed = models.BooleanField(_("discussed"), default=False)
    # The link, normalised (sections.links): the same article shared twice
    # has the same key, whatever tracking parameters came with it.
    url_key = models.CharField(_("link key"), max_length=2000, blank=True, editable=False)
    # Submitted knowing the link was already there: shown as a follow-up.
    follow_up = models.BooleanField(_("follow-up"), default=False)
    # A nomination not chosen last week, carried into this issue.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("carried from"),
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["section", "position"], name="sections_item_order"),
            models.Index(fields=["url_key"], name="sections_item_url_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "carried_from"],
                condition=models.Q(carried_from__isnull=False),
                name="sections_item_carried_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.body[:60] or f"#{self.pk}"

    @property
    def point_list(self) -> list[str]:
        """The points, one a line, without a bullet or number typed before
        one: the page and the exports number them ("1. 1. 第一点" otherwise).
        A number goes only where it is the one written in its place: "2）"
        before the first point is the writer's word and stays."""
        lines = [line.strip() for line in self.points.splitlines() if line.strip()]
        return [_unmarked(line, position) for position, line in enumerate(lines, 1)]


def _unmarked(line: str, position: int) -> str:
    marker = POINT_MARKER.match(line)
    if not marker or (marker["n"] and int(marker["n"]) != position):
        return line
    return line[marker.end() :] or line


# "1. ", "2）", "3、", "- ", "• ": a dot or bullet needs its space after
# it, or "3.5 亿参数" and "-1" would lose their first characters.
POINT_MARKER = re.compile(r"^(?:(?P<n>\d{1,3})(?:[.)]\s+|[、）]\s*)|[-*•·]\s+)")


class PostStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden")


class Moderated(models.Model):
    """What moderation says of a post: why it was rejected or hidden (the
    asker sees it)."""

    moderation_note = models.TextField(_("moderation note"), blank=True)

    class Meta:
        abstract = True


class Question(Moderated, Attributed):
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    subgroup = models.CharField(_("sub-group"), max_length=40, blank=True)
    body = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus, default=PostStatus.VISIBLE
    )
    answered = models.BooleanField(_("answered"), default=False)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("carried from"),
    )
    # An imported question marked 上期遗留: carried over from an issue the desk
    # may not hold, so there is no earlier question for carried_from.
    carried_over = models.BooleanField(_("carried over"), default=False)
    # Whether the exports write an empty "A1：" under it while it has no
    # answer, as the corpus does; an imported question whose text had no
    # answer line gets none added.
    answer_line = models.BooleanField(_("answer line"), default=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("No more answers."))
    # Put in the spotlight once in the meeting: "the next most-voted
    # question" is the next one not discussed yet.
    discussed = models.BooleanField(_("discussed"), default=False)
    # Asked by a visitor without an account, under the nickname in
    # author_name: nothing else about them is kept.
    by_guest = models.BooleanField(_("asked by a guest"), default=False)
    # A duplicate merged into another question: hidden, pointing to the kept one.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["section", "position"], name="sections_question_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "carried_from"],
                condition=models.Q(carried_from__isnull=False),
                name="sections_question_carried_once",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Answer(Moderated, Attributed):
    """An answer to a question, or (with `parent`) a reply to an answer."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(_("answer"))
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus, default=PostStatus.VISIBLE
    )
    accepted = models.BooleanField(_("accepted"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Report(models.Model):
    """A member's report of a question or an answer, for the review queue."""

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("question"),
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("answer"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False, answer__isnull=True)
                | models.Q(question__isnull=True, answer__isnull=False),
                name="sections_report_one_post",
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:60]


class Vote(models.Model):
    """A member's vote, or a guest's: a guest is known only by a digest of the
    question and a random number their browser keeps, which tells one vote
    per browser apart and nothing about who cast it."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="votes", verbose_name=_("question")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("member"),
    )
    guest = models.CharField(_("guest"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "member"], name="sections_vote_once"),
            models.UniqueConstraint(
                fields=["question", "guest"],
                condition=models.Q(member__isnull=True),
                name="sections_guest_vote_once",
            ),
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, guest="")
                | models.Q(member__isnull=True) & ~models.Q(guest=""),
                name="sections_vote_by_member_or_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id or 'guest'} ▲ {self.question_id}"


class ChatLine(models.Model):
    """A line pasted from the group chat (聊天区)."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="chat_lines", verbose_name=_("section")
    )
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker"),
    )
    speaker_name = models.CharField(_("speaker name"), max_length=80, blank=True)
    said_at = models.CharField(_("time"), max_length=20, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"), default=0)
    # Moderated like posts: a hidden line leaves the page and the record, and
    # says why to the moderators who see it.
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus, default=PostStatus.VISIBLE
    )
    moderation_note = models.TextField(_("moderation note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("chat line")
        verbose_name_plural = _("chat lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def attribution(self) -> str:
        return self.speaker.alias if self.speaker is not None else self.speaker_name
