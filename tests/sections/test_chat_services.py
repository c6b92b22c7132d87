"""聊天区 in the page: a member's own line, a block pasted from the group
chat by a curator, and a line hidden by a moderator with the reason."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import AuditEvent
from sections import services
from sections.errors import Invalid, IssueClosed, NotAllowed
from sections.models import ChatLine, PostStatus
from sections.selectors import issue_content
from talk.models import Issue
from talk.snapshot import snapshot_build
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")

PASTED = """初七 2023-06-10 21:05
位置编码怎么选？

群里的朋友 21:06
看任务长度
"""


@pytest.fixture
def chat(issue):
    return issue.sections.get(key="chat")


def lines(section) -> list[tuple[str, str, str]]:
    return [
        (line.attribution, line.said_at, line.text)
        for line in ChatLine.objects.filter(section=section).order_by("position", "id")
    ]


def test_a_member_says_a_line_under_their_alias_at_the_meeting_s_time(chat, member, monkeypatch):
    # 13:05 UTC is 21:05 in the series' time zone (Asia/Shanghai).
    moment = datetime.datetime(2026, 12, 8, 13, 5, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    line = services.chat_say(section_id=chat.pk, user=member, text="  位置编码怎么选？ ")

    assert (line.speaker, line.said_at, line.text) == (member, "21:05", "位置编码怎么选？")


@pytest.mark.parametrize(
    ("text", "message"), [("   ", "Write something"), ("长" * 1001, "at most 1000")]
)
def test_it_refuses_an_empty_or_overlong_line(chat, member, text, message):
    with pytest.raises(Invalid, match=message):
        services.chat_say(section_id=chat.pk, user=member, text=text)


def test_a_visitor_cannot_chat(chat):
    with pytest.raises(NotAllowed):
        services.chat_say(section_id=chat.pk, user=AnonymousUser(), text="hi")
    assert not ChatLine.objects.exists()


def test_nobody_chats_in_another_kind_of_section(issue, member):
    with pytest.raises(Invalid, match="does not take chat lines"):
        services.chat_say(section_id=issue.sections.get(key="news").pk, user=member, text="hi")


def test_nobody_chats_in_a_frozen_issue(chat, member):
    Issue.objects.filter(pk=chat.issue_id).update(status="frozen")

    with pytest.raises(IssueClosed):
        services.chat_say(section_id=chat.pk, user=member, text="hi")
    assert not ChatLine.objects.exists()


def test_a_pasted_block_becomes_lines_with_members_and_plain_names(chat, host, member):
    services.chat_say(section_id=chat.pk, user=member, text="先到的一行")

    added = services.chat_paste(section_id=chat.pk, user=host, text=PASTED)

    assert [line.speaker for line in added] == [member, None]
    # After what was there, in the order pasted.
    assert lines(chat)[0][2] == "先到的一行"
    assert lines(chat)[1:] == [
        ("初七", "2023-06-10 21:05", "位置编码怎么选？"),
        ("群里的朋友", "21:06", "看任务长度"),
    ]


def test_only_the_curators_paste_the_chat(chat, member):
    with pytest.raises(NotAllowed, match="owners and the host"):
        services.chat_paste(section_id=chat.pk, user=member, text=PASTED)
    assert not ChatLine.objects.exists()


@pytest.mark.parametrize("name", ["someone@example.com", "someone＠example.com"])
def test_a_paste_naming_an_email_address_is_refused_whole(chat, host, name):
    block = f"初七：好\n{name}：我也来"

    with pytest.raises(Invalid, match="email address"):
        services.chat_paste(section_id=chat.pk, user=host, text=block)
    assert not ChatLine.objects.exists()


def test_an_empty_paste_is_refused_in_words(chat, host):
    with pytest.raises(Invalid, match="Nothing to add"):
        services.chat_paste(section_id=chat.pk, user=host, text="\n \n")


def test_a_moderator_hides_a_line_with_a_reason_and_shows_it_again(chat, host, member):
    line = services.chat_say(section_id=chat.pk, user=member, text="某公司的内部消息")

    services.chat_line_hide(line_id=line.pk, user=host, reason="涉及他人隐私")

    line.refresh_from_db()
    assert (line.status, line.moderation_note) == (PostStatus.HIDDEN, "涉及他人隐私")
    event = AuditEvent.objects.get(action="chatline.hide")
    assert (event.actor, event.reason) == (host, "涉及他人隐私")
    assert event.before["status"] == "visible"
    assert event.after["status"] == "hidden"
    # Off the page for everyone else, and off the record.
    shown = issue_content(chat.issue, viewer=UserFactory(alias="阿九"))
    assert not any(view.row.chat_lines.all() for view in shown.sections)
    assert snapshot_build(Issue.objects.get(pk=chat.issue_id))["chat"] == []

    services.chat_line_restore(line_id=line.pk, user=host)

    line.refresh_from_db()
    assert line.status == PostStatus.VISIBLE
    assert AuditEvent.objects.filter(action="chatline.restore").count() == 1


def test_a_hide_needs_a_reason(chat, host, member):
    line = services.chat_say(section_id=chat.pk, user=member, text="hi")

    with pytest.raises(Invalid, match="Say why"):
        services.chat_line_hide(line_id=line.pk, user=host, reason=" ")


@pytest.mark.parametrize("who", ["member", "owner"])
def test_only_moderators_hide_a_line(chat, member, request, who):
    line = services.chat_say(section_id=chat.pk, user=member, text="hi")
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.chat_line_hide(line_id=line.pk, user=user, reason="no")
    line.refresh_from_db()
    assert line.status == PostStatus.VISIBLE
