"""聊天区 in the page: members say a line during the meeting, curators paste
a block copied from the group chat, moderators hide a line with a reason."""

import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer
from accounts.services import audit_record

from ..chatlog import read_chat
from ..errors import Invalid, NotAllowed
from ..models import ChatLine, PostStatus, Section, SectionKind
from ..policy import can_curate_issue, can_curate_section, require_member, require_open
from .rules import _create_last, _names_an_email, _require_poster, _section, _section_changed

LINE_MAX = 1_000
PASTE_MAX_LINES = 500
CHAT_LINES_PER_MINUTE = 20


def _chat_section(section_id: int) -> Section:
    section = _section(section_id)
    if section.kind != SectionKind.CHAT:
        raise Invalid(_("This section does not take chat lines."))
    return section


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid(_("Write something to say."))
    if len(text) > LINE_MAX:
        raise Invalid(_("A chat line holds at most %(max)s characters.") % {"max": LINE_MAX})
    return text


def _now_in(section: Section) -> str:
    zone = zoneinfo.ZoneInfo(section.issue.series.meeting_time_zone)
    return timezone.localtime(timezone.now(), zone).strftime("%H:%M")


@transaction.atomic
def chat_say(*, section_id: int, user: Viewer, text: str) -> ChatLine:
    """A line from the member, under their alias, timed now (the meeting's
    clock, in the series' time zone)."""
    section = _chat_section(section_id)
    member = _require_poster(user, section, "chat", CHAT_LINES_PER_MINUTE)
    line = _create_last(
        ChatLine,
        section,
        speaker=member,
        said_at=_now_in(section),
        text=_clean(text),
        submitted_by=member,
    )
    _section_changed(section)
    return line


def _speaker(name: str, aliases: dict[str, User]) -> dict:
    if _names_an_email(name):
        raise Invalid(
            _("“%(name)s” looks like an email address: the chat is public, write a name.")
            % {"name": name}
        )
    member = aliases.get(name.casefold())
    return {"speaker": member, "speaker_name": ""} if member else {"speaker_name": name[:80]}


@transaction.atomic
def chat_paste(*, section_id: int, user: Viewer, text: str) -> list[ChatLine]:
    """The lines of a block copied from WeChat, WeCom or Feishu, after the
    section's last line: a name that is a member's alias is that member, any
    other name stays a plain name. The section's owners and the stewards."""
    section = _chat_section(section_id)
    member = require_member(user)
    require_open(section.issue, member)
    if not can_curate_section(member, section):
        raise NotAllowed(_("Only the section's owners and the host can paste the chat."))
    pasted = read_chat(text)
    if not pasted:
        raise Invalid(_("Nothing to add: paste the messages copied from the chat."))
    if len(pasted) > PASTE_MAX_LINES:
        raise Invalid(
            _("At most %(max)s lines at a time: paste the chat in parts.")
            % {"max": PASTE_MAX_LINES}
        )
    names = {line.name for line in pasted if line.name}
    aliases = {found.alias.casefold(): found for found in User.objects.filter(alias__in=names)}
    rows = []
    for line in pasted:
        speaker = _speaker(line.name, aliases) if line.name else {}
        rows.append(
            _create_last(
                ChatLine,
                section,
                said_at=line.said_at,
                text=line.text[:LINE_MAX],
                submitted_by=member,
                **speaker,
            )
        )
    _section_changed(section)
    return rows


def _moderated_line(line_id: int, user: Viewer) -> tuple[ChatLine, User]:
    line = (
        ChatLine.objects.select_for_update()
        .select_related("section__issue__series")
        .get(pk=line_id)
    )
    moderator = require_member(user)
    if not can_curate_issue(moderator, line.section.issue):
        raise NotAllowed(_("Only admins and the issue's host moderate."))
    require_open(line.section.issue, moderator)
    return line, moderator


def _set_status(line_id: int, user: Viewer, status: str, reason: str, action: str) -> ChatLine:
    line, moderator = _moderated_line(line_id, user)
    before = {"status": line.status, "text": line.text, "note": line.moderation_note}
    line.status = status
    line.moderation_note = reason
    line.save(update_fields=["status", "moderation_note"])
    issue = line.section.issue
    audit_record(
        actor=moderator,
        action=f"chatline.{action}",
        target=line,
        scope=f"{issue.series.slug}/{issue.code}",
        reason=reason,
        before=before,
        after={"status": line.status, "text": line.text, "note": line.moderation_note},
    )
    _section_changed(line.section)
    return line


@transaction.atomic
def chat_line_hide(*, line_id: int, user: Viewer, reason: str) -> ChatLine:
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why: the reason is kept in the audit log."))
    return _set_status(line_id, user, PostStatus.HIDDEN, reason, "hide")


@transaction.atomic
def chat_line_restore(*, line_id: int, user: Viewer) -> ChatLine:
    return _set_status(line_id, user, PostStatus.VISIBLE, "", "restore")
