import datetime
import functools
import secrets
import unicodedata
import zoneinfo
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ALIAS_MAX_LENGTH = 40


def validate_alias(value: str) -> None:
    # An alias is shown everywhere, so it must not carry an email address
    # (the privacy notice: protect your alias, expose nothing else).
    # It is judged as it will be stored: NFKC turns a full-width "＠" into "@"
    # and an ideographic space into a plain one.
    value = unicodedata.normalize("NFKC", value)
    if value != value.strip():
        raise ValidationError(_("An alias cannot start or end with a space."), code="spaces")
    if "@" in value:
        raise ValidationError(_("An alias cannot contain “@”."), code="at_sign")
    if any(not ch.isprintable() for ch in value):
        raise ValidationError(_("An alias cannot contain control characters."), code="control")


@functools.cache
def known_time_zones() -> frozenset[str]:
    # Listing the zones walks the zoneinfo directories; the answer only
    # changes when tzdata is upgraded, which means a restart anyway.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in known_time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, alias: str | None) -> "User":
        # Aliases are unique regardless of case, so login is too.
        return self.get(alias__iexact=alias)

    def create_user(self, alias: str, password: str | None = None, **extra_fields: Any) -> "User":
        if not alias:
            raise ValueError("A user needs an alias.")
        # Full-width "ｙｕｈａｎ" would otherwise be a second account that looks
        # like "yuhan" to every reader.
        user = self.model(alias=self.model.normalize_username(alias), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, alias: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(alias, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the community, known by an alias.

    There are no name fields on purpose: the community goes by aliases and
    the desk must never show a real name. The email is optional and private.
    """

    alias = models.CharField(
        _("alias"),
        max_length=ALIAS_MAX_LENGTH,
        unique=True,
        validators=[validate_alias],
        help_text=_("Shown next to everything you contribute. Do not use your real name."),
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Private; only for password resets.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    is_staff = models.BooleanField(
        _("admin"), default=False, help_text=_("Admins moderate and manage the series.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # A suspended member reads but does not post, until this moment.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason for the suspension"), blank=True)
    # Only the page that gathers a member's contributions across issues: each
    # issue's page still credits them where they contributed.
    public_profile = models.BooleanField(
        _("Show my contributor page"),
        default=True,
        help_text=_(
            "A page listing what you contributed across the issues, under your alias. "
            "Switched off, only you and the admins see it; each issue still credits you."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "alias"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("alias"),
                name="accounts_user_alias_ci_unique",
                violation_error_message=_("That alias is taken. Choose another."),
            ),
        ]

    def __str__(self) -> str:
        return self.alias

    def get_short_name(self) -> str:
        return self.alias

    def get_full_name(self) -> str:
        return self.alias

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()


# Whoever makes a request: policy and services answer the anonymous too.
type Viewer = User | AnonymousUser


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None) -> "InvitationQuerySet":
        """The invitations `Invitation.why_unusable` finds nothing against, as
        a filter: the sign-up takes a use with a conditional UPDATE on it."""
        return self.filter(
            uses__lt=models.F("max_uses"),
            expires_at__gt=now or timezone.now(),
            revoked_at__isnull=True,
        )


class Invitation(models.Model):
    """A sign-up link an admin (or a host the series lets) hands out; the only
    way to create an account."""

    OPEN = "open"
    EXPIRED = "expired"
    USED_UP = "used up"
    REVOKED = "revoked"

    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Who it is for; seen only by admins.")
    )
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    uses = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set once, never cleared: a withdrawn link stays withdrawn (a new one is
    # a click away), so nobody wonders which of its copies works again.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__gte=1), name="accounts_invitation_max_uses_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")),
                name="accounts_invitation_uses_within_max",
            ),
        ]

    def __str__(self) -> str:
        return self.note or self.token[:8]

    def clean(self) -> None:
        # The check constraint would refuse this too, but a form that leaves
        # out `uses` skips it and the admin would get a server error instead.
        if self.max_uses is not None and self.max_uses < self.uses:
            raise ValidationError(
                {
                    "max_uses": ValidationError(
                        _("It has been used %(uses)s times already; allow at least that many."),
                        params={"uses": self.uses},
                    )
                }
            )

    def why_unusable(self, now: datetime.datetime | None = None) -> str | None:
        """REVOKED, EXPIRED or USED_UP; None while the link still signs
        someone up (the rule `Invitation.objects.usable()` says in SQL)."""
        if self.revoked_at is not None:
            return self.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.EXPIRED
        if self.uses >= self.max_uses:
            return self.USED_UP
        return None

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.why_unusable(now) is None

    def status(self, now: datetime.datetime | None = None) -> str:
        """OPEN, or why it is not."""
        return self.why_unusable(now) or self.OPEN


class AuditEvent(models.Model):
    """One moderation or administration action, or an edit of a post's
    words (its history, sections.history). Rows are never changed.

    The database refuses UPDATE (and DELETE on PostgreSQL) through a trigger
    installed by the migration, so not even a bug can rewrite history.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.CharField(_("target id"), max_length=40)
    # Where it happened ("openllm-talk/8"), so admins can filter by issue.
    scope = models.CharField(_("scope"), max_length=120, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        # A post's edit history (sections.history) reads its rows by target.
        indexes = [models.Index(fields=["target_type", "target_id"], name="accounts_audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Audit events are append-only.")
