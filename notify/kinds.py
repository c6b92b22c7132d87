"""What the desk tells, and to whom by default.

Each kind has an audience: the series (its chat bots, and the members who
opted in), a member (the one the event is about), or the stewards (admins,
the issue's host and editor). Members choose per kind how they hear of it;
`DEFAULTS` is what they get before they choose.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ISSUE_OPENED = "issue_opened", _("The next issue is open for claims")
    MEETING_REMINDER = "meeting_reminder", _("A reminder before the meeting")
    MEETING_STARTED = "meeting_started", _("The meeting has started")
    ISSUE_PUBLISHED = "issue_published", _("The issue is published")
    ANSWERED = "answered", _("An answer or reply to your question or answer")
    ANSWER_ACCEPTED = "answer_accepted", _("Your answer was accepted")
    POST_MODERATED = "post_moderated", _("Your post is waiting, rejected or hidden")
    SECTION_CURATED = "section_curated", _("Someone else curated a section you own")
    CREDITED = "credited", _("You were credited on an item")
    REVIEW_NEEDED = "review_needed", _("A report or a post waiting for review (stewards)")


class Email(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never")


class Audience(models.TextChoices):
    SERIES = "series"
    MEMBER = "member"
    STEWARDS = "stewards"


@dataclass(frozen=True)
class Default:
    inbox: bool
    email: str


AUDIENCE = {
    Kind.ISSUE_OPENED: Audience.SERIES,
    Kind.MEETING_REMINDER: Audience.SERIES,
    Kind.MEETING_STARTED: Audience.SERIES,
    Kind.ISSUE_PUBLISHED: Audience.SERIES,
    Kind.ANSWERED: Audience.MEMBER,
    Kind.ANSWER_ACCEPTED: Audience.MEMBER,
    Kind.POST_MODERATED: Audience.MEMBER,
    Kind.SECTION_CURATED: Audience.MEMBER,
    Kind.CREDITED: Audience.MEMBER,
    Kind.REVIEW_NEEDED: Audience.STEWARDS,
}

# The series' news reaches the members who opted in (the chats carry it to
# everyone); what concerns a member reaches them unless they say otherwise.
DEFAULTS = {
    kind: Default(inbox=False, email=Email.NEVER)
    if AUDIENCE[kind] == Audience.SERIES
    else Default(inbox=True, email=Email.IMMEDIATELY)
    for kind in Kind
}

# What the series' chat bots are told.
FOR_BOTS = [Kind.ISSUE_OPENED, Kind.MEETING_REMINDER, Kind.MEETING_STARTED, Kind.ISSUE_PUBLISHED]
