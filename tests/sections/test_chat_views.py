"""聊天区 in the page: the forms each viewer gets, a line said, a block
pasted, a line hidden with its reason; refusals in words, nothing typed lost."""

import pytest
from django.urls import reverse

from sections import services
from sections.models import ChatLine, PostStatus
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_id, headers, rendered, triggered

pytestmark = pytest.mark.usefixtures("english")

PASTED = "初七 21:05\n位置编码怎么选？\n\n群里的朋友 21:06\n看任务长度"


@pytest.fixture
def chat(issue):
    return issue.sections.get(key="chat")


def test_visitors_read_the_chat_and_get_no_form(client, chat, member):
    services.chat_say(section_id=chat.pk, user=member, text="大家好")

    section = by_id(client.get(chat.issue.get_absolute_url()).text, f"section-{chat.pk}")

    assert "大家好" in section
    assert reverse("chat-say", args=[chat.pk]) not in section
    assert reverse("chat-paste", args=[chat.pk]) not in section


def test_a_member_gets_the_line_form_and_the_host_the_paste_and_hide(client_as, chat, member):
    line = services.chat_say(section_id=chat.pk, user=member, text="大家好")

    as_member = by_id(
        client_as("author").get(chat.issue.get_absolute_url()).text, f"section-{chat.pk}"
    )
    as_host = by_id(client_as("host").get(chat.issue.get_absolute_url()).text, f"section-{chat.pk}")

    assert reverse("chat-say", args=[chat.pk]) in as_member
    assert reverse("chat-paste", args=[chat.pk]) not in as_member
    assert reverse("chat-hide", args=[line.pk]) not in as_member
    assert reverse("chat-paste", args=[chat.pk]) in as_host
    assert reverse("chat-hide", args=[line.pk]) in as_host


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_a_member_says_a_line(client_as, chat, htmx):
    response = client_as("author").post(
        reverse("chat-say", args=[chat.pk]), {"text": "位置编码怎么选？"}, headers=headers(htmx)
    )

    assert ChatLine.objects.get().text == "位置编码怎么选？"
    if htmx:
        assert rendered(response) == "sections/section.html"
        assert "位置编码怎么选？" in response.text
        assert triggered(response)
    else:
        assert response.url == f"{chat.issue.get_absolute_url()}#section-{chat.pk}"


def test_an_overlong_line_comes_back_in_its_form_with_the_words(client_as, chat):
    text = "长" * 1001

    response = client_as("author").post(
        reverse("chat-say", args=[chat.pk]), {"text": text}, headers=HTMX
    )

    assert response.status_code == 422
    form = by_id(response.text, f"chat-say-{chat.pk}")
    assert "at most 1000 characters" in form
    assert text in form
    assert not ChatLine.objects.exists()


def test_the_host_pastes_a_block_from_the_group_chat(client_as, chat, member):
    response = client_as("host").post(
        reverse("chat-paste", args=[chat.pk]), {"text": PASTED}, headers=HTMX
    )

    assert response.status_code == 200
    assert [(line.attribution, line.said_at) for line in ChatLine.objects.all()] == [
        ("初七", "21:05"),
        ("群里的朋友", "21:06"),
    ]
    assert "看任务长度" in by_id(response.text, f"chat-{chat.pk}")


def test_a_paste_with_an_email_address_comes_back_whole_in_its_form(client_as, chat):
    block = PASTED + "\n\nsomeone@example.com 21:07\n我也来"

    response = client_as("host").post(
        reverse("chat-paste", args=[chat.pk]), {"text": block}, headers=HTMX
    )

    assert response.status_code == 400
    form = by_id(response.text, f"chat-paste-{chat.pk}")
    assert "looks like an email address" in form
    assert "群里的朋友 21:06" in form
    assert not ChatLine.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_a_member_who_may_not_paste_is_told_and_keeps_the_text(client_as, chat, htmx):
    response = client_as("author").post(
        reverse("chat-paste", args=[chat.pk]), {"text": PASTED}, headers=headers(htmx)
    )

    assert_refused(
        response,
        htmx=htmx,
        status=403,
        message="Only the section's owners and the host can paste the chat.",
    )
    if not htmx:
        assert "位置编码怎么选？" in by_id(response.text, "kept-text")
    assert not ChatLine.objects.exists()


def test_the_host_hides_a_line_with_a_reason(client_as, chat, member):
    line = services.chat_say(section_id=chat.pk, user=member, text="某公司的内部消息")
    client = client_as("host")
    url = reverse("chat-hide", args=[line.pk])

    form = client.get(url, headers=HTMX)
    empty = client.post(url, {"reason": ""}, headers=HTMX)
    hidden = client.post(url, {"reason": "涉及他人隐私"}, headers=HTMX)

    assert rendered(form) == "sections/chat_hide.html#hide-form"
    assert empty.status_code == 422
    assert hidden.status_code == 200
    assert hidden.headers["HX-Retarget"] == f"#section-{chat.pk}"
    line.refresh_from_db()
    assert (line.status, line.moderation_note) == (PostStatus.HIDDEN, "涉及他人隐私")
    # The page no longer shows it to the room (its author still sees it, marked).
    assert "某公司的内部消息" not in client_as("outsider").get(chat.issue.get_absolute_url()).text


@pytest.mark.parametrize("role", ["anonymous", "author", "owner", "outsider"])
def test_only_moderators_hide_a_line(client_as, chat, member, role):
    line = services.chat_say(section_id=chat.pk, user=member, text="hi")
    client = client_as(role)

    form = client.get(reverse("chat-hide", args=[line.pk]), headers=HTMX)
    response = client.post(reverse("chat-hide", args=[line.pk]), {"reason": "no"}, headers=HTMX)

    assert form.status_code == 403
    assert "reason" not in form.text
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.status == PostStatus.VISIBLE
