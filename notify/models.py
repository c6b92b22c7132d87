"""The outbox and what comes of it.

An `Event` is written in the same transaction as the change it tells of; a
task fans it out after the commit into `Notice`s (the inbox) and
`Delivery` rows (one per email recipient or chat bot), which workers send at
least once and, thanks to the row's status, never twice.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bots import Platform
from .kinds import FOR_BOTS, Email, Kind


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    series = models.ForeignKey("talk.Series", on_delete=models.CASCADE, related_name="+")
    issue = models.ForeignKey(
        "talk.Issue", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The ids of what it is about ({"answer": 12}); read again at each send,
    # so a post hidden meanwhile is not quoted.
    subject = models.JSONField(default=dict)
    # The names an inbox entry shows, read at the fan-out (compose.summarize).
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="notify_event_unfanned",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notice(models.Model):
    """One inbox entry."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notify_notice_once")
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_notice_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notify_notice_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient_id}"


class Bot(models.Model):
    """A series' group-chat bot (or a generic webhook)."""

    series = models.ForeignKey("talk.Series", on_delete=models.CASCADE, related_name="bots")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform)
    name = models.CharField(
        _("name"), max_length=80, help_text=_("Which chat it posts to; seen by admins only.")
    )
    # Most platforms put the bot's key in the URL: it is a secret too.
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    chat_id = models.CharField(_("chat id"), max_length=100, blank=True)
    kinds = models.JSONField(_("what it is told"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The last send's outcome, for the admins' list.
    last_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)
    last_result = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("chat bot")
        verbose_name_plural = _("chat bots")
        ordering = ["series", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.kinds and self._state.adding:
            self.kinds = list(FOR_BOTS)
        super().save(*args, **kwargs)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    BOT = "bot", _("Chat bot")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Nothing to send any more: the post was hidden, the member unsubscribed.
    SKIPPED = "skipped", _("Not sent")


class Delivery(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    bot = models.ForeignKey(
        Bot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("bot"),
    )
    # Waits for the recipient's daily digest instead of going alone.
    digest = models.BooleanField(_("digest"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A worker holds a row it sends until then; one killed meanwhile frees it.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=80, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"],
                condition=Q(recipient__isnull=False),
                name="notify_delivery_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["event", "bot"],
                condition=Q(bot__isnull=False),
                name="notify_delivery_once_per_bot",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, bot__isnull=True, channel="email")
                | Q(recipient__isnull=True, bot__isnull=False, channel="bot"),
                name="notify_delivery_one_receiver",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notify_delivery_open",
            ),
            models.Index(
                fields=["-created_at"], condition=Q(status="failed"), name="notify_delivery_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"


class Preference(models.Model):
    """How a member hears of one kind of event; no row means the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    inbox = models.BooleanField(_("in the inbox"))
    email = models.CharField(_("by email"), max_length=12, choices=Email)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_once")
        ]
        indexes = [models.Index(fields=["kind"], name="notify_preference_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
