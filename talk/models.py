import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer, validate_time_zone
from sections.models import SectionShape


def reminder_leads(text: str) -> list[int]:
    """ "1440, 60" as minutes, largest first."""
    return sorted(
        {int(part) for part in text.replace("，", ",").split(",") if part.strip()}, reverse=True
    )


def validate_reminders(value: str) -> None:
    try:
        leads = reminder_leads(value)
    except ValueError:
        raise ValidationError(_("Write minutes as whole numbers separated by commas.")) from None
    if any(lead <= 0 or lead > 60 * 24 * 14 for lead in leads):
        raise ValidationError(_("Each reminder is between 1 minute and 14 days before."))


PER_MINUTE = [MinValueValidator(1), MaxValueValidator(1000)]


class Series(models.Model):
    """A talk series such as "OpenLLM Talk", with its preface and schedule."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    origin = models.TextField(_("origin"), blank=True)
    structure = models.TextField(_("structure"), blank=True)
    privacy_notice = models.TextField(_("privacy notice"), blank=True)
    notices = models.TextField(_("notices"), blank=True)
    meeting_weekday = models.PositiveSmallIntegerField(
        _("meeting weekday"), default=5, help_text=_("0 is Monday, 5 is Saturday.")
    )
    meeting_time = models.TimeField(_("meeting time"), default=datetime.time(21, 0))
    meeting_time_zone = models.CharField(
        _("meeting time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
    )
    moderation = models.CharField(
        _("moderation of questions and answers"),
        max_length=10,
        choices=[("post", _("Shown at once, moderated after")), ("pre", _("Approved first"))],
        default="post",
    )
    moderation_rules = models.TextField(
        _("moderation rules"), blank=True, help_text=_("Public; linked from the Q&A.")
    )
    reminders = models.CharField(
        _("reminders"),
        max_length=100,
        default="1440, 60",
        validators=[validate_reminders],
        help_text=_(
            "Minutes before the meeting to remind members and the chats, separated by "
            "commas (1440 is a day). Empty: no reminders."
        ),
    )
    # Posting limits per member and minute (admins change them here, no deploy).
    # At least one: a limit of none would refuse every post; locking a
    # thread or approving first is how admins stop posting.
    questions_per_minute = models.PositiveSmallIntegerField(
        _("questions per minute"), default=5, validators=PER_MINUTE
    )
    answers_per_minute = models.PositiveSmallIntegerField(
        _("answers per minute"), default=10, validators=PER_MINUTE
    )
    reports_per_minute = models.PositiveSmallIntegerField(
        _("reports per minute"), default=5, validators=PER_MINUTE
    )
    hosts_invite = models.BooleanField(
        _("hosts may invite"),
        default=False,
        help_text=_("The host and editor of an open issue may hand out sign-up links too."),
    )
    guest_questions = models.BooleanField(
        _("guests may ask"),
        default=False,
        help_text=_(
            "Visitors without an account may ask and vote under a nickname, always approved first."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting_weekday__lte=6), name="talk_series_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("series", args=[self.slug])


class SectionTemplate(SectionShape):
    """A section as the series defines it today; issues copy it when created."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="templates", verbose_name=_("series")
    )

    class Meta(SectionShape.Meta):
        verbose_name = _("section template")
        verbose_name_plural = _("section templates")
        constraints = [
            models.UniqueConstraint(fields=["series", "key"], name="talk_template_key_unique"),
            models.CheckConstraint(
                condition=models.Q(owner_cap__lte=2), name="talk_template_owner_cap_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.title}"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    FROZEN = "frozen", _("Frozen")
    PUBLISHED = "published", _("Published")


class Issue(models.Model):
    """One numbered issue of a series: the meeting's agenda and its record.

    `code` is what the URL and the commands use: the number for a numbered
    issue ("8"), or a slug for a special edition without one ("extra-02").
    """

    Status = IssueStatus

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="issues", verbose_name=_("series")
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    code = models.SlugField(_("identifier"), max_length=40)
    special_label = models.CharField(
        _("special edition label"), max_length=40, blank=True, help_text=_("For example 番外 02.")
    )
    meeting_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus, default=IssueStatus.DRAFT, db_index=True
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # as an item's author (sections.models.Attributed)
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    host_name = models.CharField(_("host (name)"), max_length=120, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # as an item's author (sections.models.Attributed)
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("editor"),
    )
    editor_name = models.CharField(_("editor (name)"), max_length=120, blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    video_url = models.URLField(_("video link"), max_length=2000, blank=True)
    # An imported issue's preface labels as its text wrote them, in order:
    # [["编号", "OpenLLM Talk 004 (三位数是希望…）"], …]. The exports write the
    # preface and the record (本期记录) in those words (docs/importing.md);
    # empty for an issue made in the desk. Not a form field: it is what the
    # text said, and the issue's own fields take over where they differ.
    record_as_imported = models.JSONField(
        _("record as imported"), default=list, blank=True, editable=False
    )
    # A frozen or published issue opened again for a correction: its host and
    # admins may change it until it is frozen as the next revision.
    correcting = models.BooleanField(_("being corrected"), default=False)
    # Empty: the series' moderation applies.
    moderation = models.CharField(
        _("moderation of questions and answers"),
        max_length=10,
        choices=[("post", _("Shown at once, moderated after")), ("pre", _("Approved first"))],
        blank=True,
        help_text=_("Empty: as the series says."),
    )
    # None: as the series says.
    guest_questions = models.BooleanField(
        _("guests may ask"), null=True, blank=True, help_text=_("Empty: as the series says.")
    )
    # The meeting (live): the section the host is on, since when (its time
    # budget counts from there), and the question under discussion.
    current_section = models.ForeignKey(
        "sections.Section",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current section"),
    )
    section_started_at = models.DateTimeField(_("section started at"), null=True, blank=True)
    spotlight = models.ForeignKey(
        "sections.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question under discussion"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["series", "-number", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "code"], name="talk_issue_code_unique"),
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=models.Q(number__isnull=False),
                name="talk_issue_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True)
                | models.Q(code=Cast("number", models.CharField())),
                name="talk_issue_code_is_number",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=False) | ~models.Q(special_label=""),
                name="talk_issue_number_or_label",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("issue", args=[self.series.slug, self.code])

    @property
    def label(self) -> str:
        return f"{self.number:03d}" if self.number is not None else self.special_label

    @property
    def title(self) -> str:
        return f"{self.series.name} {self.label}"

    @property
    def accepts_content(self) -> bool:
        """The issue's content can still change (by someone)."""
        return self.status in (IssueStatus.DRAFT, IssueStatus.LIVE) or self.correcting

    def accepts_content_from(self, user: Viewer) -> bool:
        """During a correction only its host, editor and admins write."""
        if self.status in (IssueStatus.DRAFT, IssueStatus.LIVE):
            return True
        return self.correcting and (
            self.is_hosted_by(user) or (user.is_authenticated and user.is_staff)
        )

    def is_hosted_by(self, user: Viewer) -> bool:
        return user.is_authenticated and user.pk in (self.host_id, self.editor_id)

    @property
    def host_display(self) -> str:
        return self.host.alias if self.host is not None else self.host_name

    @property
    def editor_display(self) -> str:
        return self.editor.alias if self.editor is not None else self.editor_name


class Holiday(models.Model):
    """A date the series does not meet on: the schedule moves to the next week."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("series")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="talk_holiday_once"),
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.date}"


class JobRun(models.Model):
    """One run of a scheduled job, so admins see what failed or is late."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=80, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.RUNNING)
    detail = models.TextField(_("detail"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Revision(models.Model):
    """A frozen state of an issue: the snapshot every export renders from.

    Freezing makes revision 1; each correction after it makes the next. A
    revision never changes, so its files can always be rendered again byte
    for byte (PDF aside, whose renderer stamps its own metadata).
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("issue")
    )
    number = models.PositiveIntegerField(_("number"))
    note = models.TextField(_("change note"), blank=True)
    snapshot = models.JSONField(_("snapshot"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["issue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="talk_revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} r{self.number}"


class ExportFormat(models.TextChoices):
    MARKDOWN = "md", "Markdown"
    HTML = "html", "HTML"
    JSON = "json", "JSON"
    PDF = "pdf", "PDF"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Export(models.Model):
    """One file of one revision. The row is claimed with a conditional UPDATE
    before rendering, so a duplicate delivery or a retry changes nothing."""

    Format = ExportFormat
    Status = ExportStatus

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="exports", verbose_name=_("revision")
    )
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus, default=ExportStatus.PENDING
    )
    path = models.CharField(_("path"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    # The CJK font a PDF's Chinese is set in; blank for the other formats and
    # for a PDF rendered before the desk made sure it had one (maybe boxes).
    font = models.CharField(_("font"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Who holds the row while rendering, and until when: a redelivered task
    # (same id) or any task after the lease may take it over.
    task_id = models.CharField(_("task id"), max_length=80, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    # When its task was last handed to the queue while no worker held it:
    # empty when the queue could not be reached (the sweep sends it once it
    # can) and once a worker claims it. A queued message can be lost (Redis
    # keeps nothing on disk), so the sweep sends one again after a while.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["revision", "format"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "format"], name="talk_export_once"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(sha256=""),
                name="talk_export_done_has_checksum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision} {self.format}"

    @property
    def stalled(self) -> bool:
        """Rendering, but its task's lease ran out: the worker was killed (at
        its hard time limit, say) without marking the row. It can be tried
        again; a task still at it would lose its claim, not its file."""
        return (
            self.status == ExportStatus.RUNNING
            and self.lease_until is not None
            and self.lease_until < timezone.now()
        )

    @property
    def unqueued(self) -> bool:
        """Waiting, and its task could not be handed to the queue (Redis
        down): the sweep sends it when the queue is back."""
        return self.status == ExportStatus.PENDING and self.queued_at is None

    @property
    def filename(self) -> str:
        issue = self.revision.issue
        return f"{issue.series.slug}-{issue.code}-r{self.revision.number}.{self.format}"
