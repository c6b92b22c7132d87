import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from sections.models import SectionShape


class Series(models.Model):
    """A talk series such as "OpenLLM Talk", with its preface and schedule."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    origin = models.TextField(_("origin (缘起)"), blank=True)
    structure = models.TextField(_("structure (结构)"), blank=True)
    privacy_notice = models.TextField(_("privacy notice"), blank=True)
    notices = models.TextField(_("notices (注意事项)"), blank=True)
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
    created_at = models.DateTimeField(auto_now_add=True)

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

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="templates")

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

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="issues")
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
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    host_name = models.CharField(_("host (name)"), max_length=120, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("editor"),
    )
    editor_name = models.CharField(_("editor (name)"), max_length=120, blank=True)
    highlights = models.TextField(_("highlights (本期提要)"), blank=True)
    video_url = models.URLField(_("video link"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        """Members and hosts can still change what is in the issue."""
        return self.status in (IssueStatus.DRAFT, IssueStatus.LIVE)

    def is_hosted_by(self, user) -> bool:
        return user.is_authenticated and user.pk in (self.host_id, self.editor_id)

    @property
    def host_display(self) -> str:
        return self.host.alias if self.host_id else self.host_name

    @property
    def editor_display(self) -> str:
        return self.editor.alias if self.editor_id else self.editor_name
