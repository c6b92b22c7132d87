"""What each kind of event says, to one recipient, in their language.

Two steps. `summarize` runs once, at the fan-out: the names an entry shows
(who, which issue and section, where it links), none of them a post's words,
so an inbox entry can be listed without reading its rows again. `compose`
runs at each send: it reads the rows again and returns None when the
recipient may no longer read what the event is about (the answer was
hidden meanwhile), so a hidden post's text never goes out.
"""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from sections.models import Answer, Item, PostStatus, Question, Report, Section
from talk.models import Export, ExportStatus, Issue

from .kinds import Kind
from .message import Message
from .models import Event

EXCERPT = 280


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def excerpt(text: str, length: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _post(subject: dict) -> Question | Answer | None:
    if "answer" in subject:
        return Answer.objects.select_related("question").filter(pk=subject["answer"]).first()
    if "question" in subject:
        return Question.objects.filter(pk=subject["question"]).first()
    return None


def _section_id(event: Event) -> int | None:
    subject = event.subject
    if "section" in subject:
        return subject["section"]
    if "item" in subject:
        return Item.objects.filter(pk=subject["item"]).values_list("section_id", flat=True).first()
    if "report" in subject:
        report = Report.objects.select_related("question", "answer__question").get(
            pk=subject["report"]
        )
        if report.question is not None:
            return report.question.section_id
        assert report.answer is not None  # a report is of a question or an answer
        return report.answer.question.section_id
    post = _post(subject)
    if post is None:
        return None
    return post.question.section_id if isinstance(post, Answer) else post.section_id


def _anchor(subject: dict) -> str:
    for name in ("answer", "question", "item", "section"):
        if name in subject:
            return f"#{name}-{subject[name]}"
    return ""


def summarize(event: Event) -> dict[str, Any]:
    """The names an entry shows, read once at the fan-out."""
    issue = event.issue
    summary: dict[str, Any] = {
        "actor": event.actor.alias if event.actor else "",
        "issue": issue.title if issue else event.series.name,
        "url": issue.get_absolute_url() if issue else event.series.get_absolute_url(),
    }
    section_id = _section_id(event)
    if section_id is not None:
        section = Section.objects.only("title").get(pk=section_id)
        summary["section"] = section.title
        if event.kind == Kind.REVIEW_NEEDED:
            summary["url"] = reverse("section-moderation", args=[section_id])
            return summary
    summary["url"] += _anchor(event.subject)
    return summary


def title(event: Event) -> str:
    """The entry's one line (in the active language), from the summary."""
    names = {"actor": "", "issue": "", "section": "", **event.summary}
    subject = event.subject
    kind = event.kind
    if kind == Kind.ISSUE_OPENED:
        return _("%(issue)s is open: claim a section or nominate") % names
    if kind == Kind.MEETING_REMINDER:
        if subject.get("lead", 0) >= 60 * 24:
            return _("%(issue)s meets tomorrow") % names
        return _("%(issue)s meets soon") % names
    if kind == Kind.MEETING_STARTED:
        return _("%(issue)s has started: join the live page") % names
    if kind == Kind.ISSUE_PUBLISHED:
        return _("%(issue)s is published") % names
    if kind == Kind.ANSWERED:
        if subject.get("reply"):
            return _("%(actor)s replied in a thread you are in (%(section)s, %(issue)s)") % names
        return _("%(actor)s answered your question (%(section)s, %(issue)s)") % names
    if kind == Kind.ANSWER_ACCEPTED:
        return _("Your answer was accepted (%(section)s, %(issue)s)") % names
    if kind == Kind.POST_MODERATED:
        status = subject.get("status")
        if status == PostStatus.PENDING:
            return _("Your post waits for approval (%(section)s, %(issue)s)") % names
        if status == PostStatus.REJECTED:
            return _("Your post was rejected (%(section)s, %(issue)s)") % names
        return _("Your post was hidden (%(section)s, %(issue)s)") % names
    if kind == Kind.SECTION_CURATED:
        return _("%(actor)s changed your section %(section)s (%(issue)s)") % names
    if kind == Kind.CREDITED:
        return _("%(actor)s credited you on an item in %(section)s (%(issue)s)") % names
    if "report" in subject:
        return _("A new report waits for review (%(section)s, %(issue)s)") % names
    return _("A post waits for approval (%(section)s, %(issue)s)") % names


def compose(event: Event, recipient: User | None, *, key: str) -> Message | None:
    """The message for `recipient` (None: a series' chat), or None when there
    is nothing they may be told any more."""
    language = (recipient.language if recipient else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        body = _body(event, recipient)
        if body is None:
            return None
        return Message(
            kind=event.kind,
            title=title(event),
            text=body,
            url=absolute(event.summary["url"]),
            key=key,
        )


def _body(event: Event, recipient: User | None) -> str | None:
    kind = event.kind
    issue = event.issue
    assert issue is not None  # every kind so far is of an issue
    if kind in (Kind.ISSUE_OPENED, Kind.MEETING_REMINDER):
        return _issue_call(issue)
    if kind == Kind.MEETING_STARTED:
        return _("The meeting is on: follow it on the [live page](%(url)s).") % {
            "url": absolute(issue.get_absolute_url())
        }
    if kind == Kind.ISSUE_PUBLISHED:
        return _published(issue)
    if kind in (Kind.ANSWERED, Kind.ANSWER_ACCEPTED):
        answer = _post(event.subject)
        if not isinstance(answer, Answer) or not _public(answer):
            return None
        return _("> %(answer)s\n\nOn the question: %(question)s") % {
            "answer": excerpt(answer.body),
            "question": excerpt(answer.question.body, 120),
        }
    if kind == Kind.POST_MODERATED:
        post = _post(event.subject)
        if post is None or post.status != event.subject.get("status"):
            return None  # decided again meanwhile: the later event tells
        if post.status == PostStatus.PENDING:
            return _("A moderator will look at it soon; until then only you see it.")
        return _("The moderator's reason: %(reason)s") % {
            "reason": post.moderation_note or _("none given")
        }
    if kind == Kind.SECTION_CURATED:
        return _("See what changed in [%(section)s](%(url)s).") % {
            "section": event.summary.get("section", ""),
            "url": absolute(event.summary["url"]),
        }
    if kind == Kind.CREDITED:
        item = Item.objects.filter(pk=event.subject.get("item")).first()
        if item is None:
            return None
        return f"> {excerpt(str(item))}"
    return _review(event)


def _public(answer: Answer) -> bool:
    return answer.status == PostStatus.VISIBLE and answer.question.status == PostStatus.VISIBLE


def _meeting_time(issue: Issue) -> str:
    if issue.meeting_at is None:
        return _("not set yet")
    zone = ZoneInfo(issue.series.meeting_time_zone)
    local: datetime.datetime = issue.meeting_at.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} ({zone.key})"


def _issue_call(issue: Issue) -> str:
    """The meeting's time, the sections nobody claimed, the host role if free."""
    lines = [_("Meeting: %(when)s") % {"when": _meeting_time(issue)}]
    unclaimed = list(
        Section.objects.filter(issue=issue, owner_cap__gt=0, claims__isnull=True)
        .order_by("position", "id")
        .values_list("title", flat=True)
    )
    if unclaimed:
        lines.append(_("Sections still unclaimed:"))
        lines.extend(f"- {title}" for title in unclaimed)
    if issue.host_id is None and not issue.host_name:
        lines.append(_("The host role is free."))
    lines.append(
        _("[Claim a section or nominate](%(url)s)") % {"url": absolute(issue.get_absolute_url())}
    )
    return "\n\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])


def _published(issue: Issue) -> str:
    archive = absolute(reverse("series-archive", args=[issue.series.slug]))
    lines = [_("Read it in the [archive](%(url)s).") % {"url": archive}]
    revision = issue.revisions.order_by("-number").first()
    if revision is not None:
        for export in revision.exports.filter(status=ExportStatus.DONE).order_by("format"):
            lines.append(f"- [{export.get_format_display()}]({absolute(_download(export))})")
    return "\n".join(lines)


def _download(export: Export) -> str:
    issue = export.revision.issue
    return reverse(
        "export-download",
        args=[issue.series.slug, issue.code, export.revision.number, export.format],
    )


def _review(event: Event) -> str | None:
    subject = event.subject
    if "report" in subject:
        report = Report.objects.select_related("question", "answer").get(pk=subject["report"])
        post: Question | Answer | None = report.question or report.answer
        reason = report.reason
    else:
        post = _post(subject)
        reason = ""
    if post is None:
        return None
    text = f"> {excerpt(post.body)}"
    if reason:
        text += "\n\n" + _("Reason given: %(reason)s") % {"reason": excerpt(reason)}
    return text
