"""The series' news: the next issue open, the meeting started, the issue
published. The chats' bots get it in their platform's format; members get
it only if they opted in."""

import datetime

import pytest
from django.utils import timezone

from notify.bots import Platform
from notify.kinds import Email, Kind
from notify.models import Bot, Delivery, DeliveryStatus, Notice, Preference
from notify.services import delivery_send
from sections.models import Claim
from sections.services import answer_post, question_ask
from talk.exports import RENDERERS
from talk.models import Issue
from talk.services import issue_freeze, issue_move, issue_open_next
from tests.conftest import section_of
from tests.factories import UserFactory

from .receivers import Answer


@pytest.fixture
def met(issue):
    """Issue 8 met yesterday: the next one may open."""
    Issue.objects.filter(pk=issue.pk).update(
        meeting_at=timezone.now() - datetime.timedelta(days=1), status="frozen"
    )
    return issue


@pytest.fixture
def chats(series, receiver):
    """A Feishu group (signed), a DingTalk group and a WeCom group."""
    receiver.answer(*[Answer.json({"code": 0, "errcode": 0, "errmsg": "ok"})] * 10)
    return {
        platform: Bot.objects.create(
            series=series,
            platform=platform,
            name=f"{platform} group",
            url=f"{receiver.url}/{platform}?key=k-{platform}",
            secret="sec" if platform != Platform.WECOM else "",
        )
        for platform in (Platform.FEISHU, Platform.DINGTALK, Platform.WECOM)
    }


def by_path(receiver):
    return {request.path.strip("/"): request for request in receiver.requests}


def open_next(met, committed):
    with committed():
        return issue_open_next(series=met.series, user=None)


def test_the_chats_hear_the_next_issue_is_open(met, chats, receiver, committed):
    issue = open_next(met, committed)

    requests = by_path(receiver)
    assert set(requests) == {"feishu", "dingtalk", "wecom"}
    feishu = requests["feishu"].json()
    assert feishu["msg_type"] == "interactive"
    assert "sign" in feishu
    assert "OpenLLM Talk 009 is open" in feishu["card"]["header"]["title"]["content"]
    content = feishu["card"]["elements"][0]["text"]["content"]
    # What the chat needs to act: when, what is still free, where to go.
    assert "Meeting: " in content
    assert f"- {section_of(issue, 'news').title}" in content
    assert "The host role is free." in content
    assert "/s/openllm-talk/9/" in content
    dingtalk = requests["dingtalk"]
    assert dingtalk.query["sign"]
    assert dingtalk.query["timestamp"]
    assert dingtalk.json()["msgtype"] == "markdown"
    assert requests["wecom"].json()["msgtype"] == "markdown"
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_claimed_section_is_not_listed_as_free(met, chats, receiver, committed, member):
    with committed():
        issue = issue_open_next(series=met.series, user=None)
        Claim.objects.create(section=section_of(issue, "news"), member=member, slot=1)
    # The message is composed when it is sent, so what it says is current:
    # send it again now that the news section is taken.
    receiver.requests.clear()
    delivery = Delivery.objects.get(bot=chats[Platform.WECOM])
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
    delivery_send(delivery_id=delivery.pk)
    content = receiver.requests[0].json()["markdown"]["content"]
    assert f"- {section_of(issue, 'news').title}" not in content
    assert f"- {section_of(issue, 'recommend').title}" in content


def test_members_hear_of_it_only_if_they_opted_in(met, committed, smtp):
    keen = UserFactory(alias="keen", email="keen@example.org")
    UserFactory(alias="quiet", email="quiet@example.org")
    Preference.objects.create(
        user=keen, kind=Kind.ISSUE_OPENED, inbox=True, email=Email.IMMEDIATELY
    )

    open_next(met, committed)

    assert list(Notice.objects.values_list("recipient__alias", flat=True)) == ["keen"]
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "keen@example.org"


def test_the_chats_hear_the_meeting_started(issue, host, chats, receiver, committed):
    with committed():
        issue_move(issue_id=issue.pk, user=host, action="start")

    wecom = by_path(receiver)["wecom"].json()
    assert "OpenLLM Talk 008 has started" in wecom["markdown"]["content"]
    assert "/s/openllm-talk/8/" in wecom["markdown"]["content"]


def test_the_chats_hear_nothing_personal(issue, chats, receiver, committed, member, answerer):
    with committed():
        question = question_ask(section=section_of(issue, "free-talk"), user=member, body="Q?")
        answer_post(question_id=question.pk, user=answerer, body="A.")

    assert receiver.requests == []
    assert not Delivery.objects.filter(bot__isnull=False).exists()


def test_a_bot_told_only_some_kinds_hears_only_those(issue, host, chats, receiver, committed):
    Bot.objects.filter(pk=chats[Platform.WECOM].pk).update(kinds=[Kind.ISSUE_PUBLISHED])
    with committed():
        issue_move(issue_id=issue.pk, user=host, action="start")

    assert "wecom" not in by_path(receiver)


def test_an_inactive_bot_hears_nothing(issue, host, chats, receiver, committed):
    Bot.objects.update(active=False)
    with committed():
        issue_move(issue_id=issue.pk, user=host, action="start")

    assert receiver.requests == []


@pytest.fixture
def frozen(issue, host, settings, tmp_path, monkeypatch, committed):
    """Frozen, its files rendered (a stand-in PDF: its layout is not the point)."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setitem(RENDERERS, "pdf", lambda snapshot: b"%PDF-1.7\n%%EOF\n")
    with committed():
        issue_freeze(issue_id=issue.pk, user=host)
    return issue


def test_the_published_issue_links_the_archive_and_its_files(
    frozen, host, chats, receiver, committed
):
    issue = frozen
    receiver.requests.clear()
    with committed():
        issue_move(issue_id=issue.pk, user=host, action="publish")

    content = by_path(receiver)["wecom"].json()["markdown"]["content"]
    assert "OpenLLM Talk 008 is published" in content
    assert "/s/openllm-talk/archive/" in content
    assert "/s/openllm-talk/8/r1/md/" in content
    assert "/s/openllm-talk/8/r1/pdf/" in content
