"""Each platform's request, checked against its documented format and
signature (recomputed here, not by the module's own code), and its answers."""

import base64
import hashlib
import hmac
import html
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from notify import bots
from notify.bots import Platform, needs_chat_id, needs_secret, send, spec
from notify.message import Message, PermanentError, TransientError

from .receivers import Answer

MESSAGE = Message(
    kind="item.accepted",
    title="Your item was accepted",
    text="**Issue 8** took [your link](https://example.org/a?b=1&c=2) & more <3\n\n- one\n- two",
    url="https://desk.example.org/issues/8/#item-5",
    key="delivery-42",
)
SECRET = "s3cret-SEC-0123456789"


def send_to(platform, url, *, secret="", chat_id="", message=MESSAGE):
    return send(platform=platform, url=url, secret=secret, chat_id=chat_id, message=message)


def recent(timestamp: float) -> bool:
    return abs(time.time() - timestamp) < 60


# WeCom


def test_it_sends_wecom_a_markdown_message(receiver):
    receiver.answer(Answer.json({"errcode": 0, "errmsg": "ok"}))
    result = send_to(Platform.WECOM, f"{receiver.url}/cgi-bin/webhook/send?key=wecom-key")
    assert result == "200 OK"
    [request] = receiver.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": ["wecom-key"]}
    assert request.headers["content-type"] == "application/json"
    content = request.json()["markdown"]["content"]
    assert request.json()["msgtype"] == "markdown"
    assert content.startswith(f"**[Your item was accepted]({MESSAGE.url})**\n\n")
    assert content.endswith(MESSAGE.text)


@pytest.mark.parametrize(
    ("code", "error"), [(45009, TransientError), (93000, PermanentError), (40008, PermanentError)]
)
def test_it_reads_wecom_errcodes(receiver, code, error):
    receiver.answer(Answer.json({"errcode": code, "errmsg": "invalid webhook url"}))
    with pytest.raises(error) as raised:
        send_to(Platform.WECOM, f"{receiver.url}/cgi-bin/webhook/send?key=wecom-key")
    assert str(code) in str(raised.value)
    assert "wecom-key" not in str(raised.value)


def test_it_keeps_wecom_content_within_4096_bytes(receiver):
    long = Message(
        **{**MESSAGE.__dict__, "text": "长文本**加粗** [链接](https://example.org/x) " * 400}
    )
    receiver.answer(Answer.json({"errcode": 0}))
    send_to(Platform.WECOM, f"{receiver.url}/hook?key=k", message=long)
    content = receiver.requests[0].json()["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith("…") or content.endswith("…**")
    assert content.count("**") % 2 == 0
    assert content.count("](") == content.count("[") - content.count("\\[")


# Feishu / Lark


def test_it_signs_feishu_cards_as_feishu_documents(receiver):
    receiver.answer(Answer.json({"code": 0, "msg": "success", "data": {}}))
    send_to(Platform.FEISHU, f"{receiver.url}/open-apis/bot/v2/hook/abc", secret=SECRET)
    body = receiver.requests[0].json()
    timestamp = body["timestamp"]
    assert isinstance(timestamp, str)
    assert recent(int(timestamp))
    # Feishu: HMAC-SHA256 keyed with "timestamp\nsecret" over nothing, Base64.
    key = f"{timestamp}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"] == {"tag": "plain_text", "content": MESSAGE.title}
    div, action = card["elements"]
    assert div["text"] == {"tag": "lark_md", "content": MESSAGE.text}
    assert action["actions"][0]["url"] == MESSAGE.url


def test_it_leaves_feishu_cards_unsigned_without_a_key(receiver):
    receiver.answer(Answer.json({"StatusCode": 0, "StatusMessage": "success"}))
    assert send_to(Platform.FEISHU, f"{receiver.url}/hook/abc") == "200 OK"
    body = receiver.requests[0].json()
    assert "sign" not in body
    assert "timestamp" not in body


@pytest.mark.parametrize(
    ("code", "error"), [(11232, TransientError), (9499, TransientError), (19021, PermanentError)]
)
def test_it_reads_feishu_codes(receiver, code, error):
    receiver.answer(Answer.json({"code": code, "msg": "sign match fail", "data": {}}))
    with pytest.raises(error) as raised:
        send_to(Platform.FEISHU, f"{receiver.url}/hook/feishu-token", secret=SECRET)
    assert str(code) in str(raised.value)
    assert SECRET not in str(raised.value)
    assert "feishu-token" not in str(raised.value)


def test_it_reads_a_feishu_error_sent_with_a_4xx(receiver):
    receiver.answer(Answer.json({"code": 19001, "msg": "param invalid"}, status=400))
    with pytest.raises(PermanentError, match="19001 param invalid"):
        send_to(Platform.FEISHU, f"{receiver.url}/hook/abc")


# DingTalk


def test_it_signs_dingtalk_messages_as_dingtalk_documents(receiver):
    receiver.answer(Answer.json({"errcode": 0, "errmsg": "ok"}))
    send_to(Platform.DINGTALK, f"{receiver.url}/robot/send?access_token=ding-token", secret=SECRET)
    [request] = receiver.requests
    assert request.query["access_token"] == ["ding-token"]
    [timestamp] = request.query["timestamp"]
    assert recent(int(timestamp) / 1000)  # milliseconds
    # DingTalk: HMAC-SHA256 keyed with the secret over "timestamp\nsecret",
    # Base64, URL-encoded (parse_qs has decoded it again).
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == [base64.b64encode(digest).decode()]
    body = request.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == MESSAGE.title
    assert body["markdown"]["text"].startswith(f"#### [Your item was accepted]({MESSAGE.url})")
    assert body["markdown"]["text"].endswith(MESSAGE.text)


def test_it_leaves_dingtalk_unsigned_without_a_key(receiver):
    receiver.answer(Answer.json({"errcode": 0, "errmsg": "ok"}))
    send_to(Platform.DINGTALK, f"{receiver.url}/robot/send?access_token=t")
    assert set(receiver.requests[0].query) == {"access_token"}


@pytest.mark.parametrize(
    ("code", "error"),
    [(130101, TransientError), (310000, PermanentError), (300001, PermanentError)],
)
def test_it_reads_dingtalk_errcodes(receiver, code, error):
    receiver.answer(Answer.json({"errcode": code, "errmsg": "send too fast"}))
    with pytest.raises(error) as raised:
        send_to(Platform.DINGTALK, f"{receiver.url}/robot/send?access_token=ding-t", secret=SECRET)
    assert str(code) in str(raised.value)
    assert SECRET not in str(raised.value)
    assert "ding-t" not in str(raised.value)


# Slack


def test_it_sends_slack_mrkdwn(receiver):
    receiver.answer(Answer(body=b"ok"))
    assert send_to(Platform.SLACK, f"{receiver.url}/services/T0/B0/slack-token") == "200 OK"
    body = receiver.requests[0].json()
    assert body["text"] == MESSAGE.title
    [block] = body["blocks"]
    assert block["type"] == "section"
    assert block["text"] == {
        "type": "mrkdwn",
        "text": f"*<{MESSAGE.url}|Your item was accepted>*\n"
        "*Issue 8* took <https://example.org/a?b=1&amp;c=2|your link> &amp; more &lt;3\n\n"
        "• one\n• two",
    }


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (Answer(status=400, body=b"invalid_payload"), PermanentError, "invalid_payload"),
        (Answer(status=404, body=b"no_service"), PermanentError, "no_service"),
        (Answer(status=200, body=b"not ok"), PermanentError, "not ok"),
        (Answer(status=429, headers={"Retry-After": "30"}), TransientError, "429"),
        (Answer(status=503), TransientError, "503"),
    ],
)
def test_it_reads_slack_answers(receiver, answer, error, words):
    receiver.answer(answer)
    with pytest.raises(error, match=words) as raised:
        send_to(Platform.SLACK, f"{receiver.url}/services/T0/B0/slack-token")
    assert "slack-token" not in str(raised.value)
    if answer.status == 429:
        assert raised.value.retry_after == 30


def test_it_keeps_slack_sections_within_3000_characters(receiver):
    long = Message(**{**MESSAGE.__dict__, "text": "R&D <ok> " * 1000})
    receiver.answer(Answer(body=b"ok"))
    send_to(Platform.SLACK, f"{receiver.url}/hook", message=long)
    text = receiver.requests[0].json()["blocks"][0]["text"]["text"]
    assert len(text) <= 3000
    assert text.endswith("…")
    # No escape cut in half: every & starts a whole entity.
    assert text.count("&") == text.count("&amp;") + text.count("&lt;") + text.count("&gt;")


# Discord


def test_it_sends_discord_an_embed_that_pings_nobody(receiver):
    receiver.answer(Answer(status=204))
    everyone = Message(**{**MESSAGE.__dict__, "text": "@everyone look"})
    assert send_to(Platform.DISCORD, f"{receiver.url}/api/webhooks/1/tok", message=everyone) == (
        "204 No Content"
    )
    body = receiver.requests[0].json()
    assert body["allowed_mentions"] == {"parse": []}
    assert body["embeds"] == [
        {"title": MESSAGE.title, "url": MESSAGE.url, "description": "@everyone look"}
    ]


def test_it_waits_as_long_as_discord_asks(receiver):
    receiver.answer(
        Answer.json(
            {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
            status=429,
            headers={"Retry-After": "2"},
        ),
        Answer(status=429, headers={"Retry-After": "3"}),
    )
    for expected in (1.5, 3):
        with pytest.raises(TransientError) as raised:
            send_to(Platform.DISCORD, f"{receiver.url}/api/webhooks/1/discord-token")
        assert raised.value.retry_after == expected
        assert "discord-token" not in str(raised.value)


def test_it_reads_discord_errors(receiver):
    receiver.answer(
        Answer.json({"message": "Unknown Webhook", "code": 10015}, status=404),
        Answer(status=502),
    )
    url = f"{receiver.url}/api/webhooks/1/discord-token"
    with pytest.raises(PermanentError, match="Unknown Webhook") as raised:
        send_to(Platform.DISCORD, url)
    assert "discord-token" not in str(raised.value)
    with pytest.raises(TransientError):
        send_to(Platform.DISCORD, url)


def test_it_keeps_discord_descriptions_within_4096_characters(receiver):
    long = Message(
        **{**MESSAGE.__dict__, "title": "t" * 300, "text": "**b** [l](https://e.org) " * 400}
    )
    send_to(Platform.DISCORD, f"{receiver.url}/hook", message=long)
    [embed] = receiver.requests[0].json()["embeds"]
    assert len(embed["title"]) <= 256
    assert len(embed["description"]) <= 4096
    assert embed["description"].endswith("…")


# Telegram


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag

    def handle_data(self, data):
        self.text += data


def read_html(markup: str) -> _Tags:
    tags = _Tags()
    tags.feed(markup)
    tags.close()
    assert tags.open == []
    return tags


def test_it_sends_telegram_html(receiver):
    receiver.answer(Answer.json({"ok": True, "result": {"message_id": 1}}))
    result = send_to(Platform.TELEGRAM, receiver.url, secret="123:tg-token", chat_id="-1001")
    assert result == "200 OK"
    [request] = receiver.requests
    assert request.path == "/bot123:tg-token/sendMessage"
    body = request.json()
    assert body["chat_id"] == "-1001"
    assert body["parse_mode"] == "HTML"
    assert body["link_preview_options"] == {"is_disabled": True}
    assert body["text"] == (
        f'<b><a href="{html.escape(MESSAGE.url)}">Your item was accepted</a></b>\n\n'
        '<b>Issue 8</b> took <a href="https://example.org/a?b=1&amp;c=2">your link</a> '
        "&amp; more &lt;3\n\n• one\n• two"
    )


@pytest.mark.parametrize(
    ("answer", "error", "wait"),
    [
        (
            Answer.json(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 5",
                    "parameters": {"retry_after": 5},
                },
                status=429,
            ),
            TransientError,
            5,
        ),
        (
            Answer.json(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                status=400,
            ),
            PermanentError,
            None,
        ),
        (
            Answer.json(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            ),
            PermanentError,
            None,
        ),
        (Answer(status=502, body=b"<html>Bad Gateway</html>"), TransientError, None),
        # A platform that echoes the token back must not carry it into the error.
        (
            Answer.json({"ok": False, "description": "bot 123:tg-token is unknown"}, status=404),
            PermanentError,
            None,
        ),
    ],
)
def test_it_reads_telegram_answers(receiver, answer, error, wait):
    receiver.answer(answer)
    with pytest.raises(error) as raised:
        send_to(Platform.TELEGRAM, receiver.url, secret="123:tg-token", chat_id="-1001")
    assert "tg-token" not in str(raised.value)
    assert raised.value.retry_after == wait


def test_it_keeps_telegram_text_within_4096_characters_and_its_tags_whole(receiver):
    long = Message(
        **{**MESSAGE.__dict__, "text": "**粗体 &** [链接](https://e.org/?a=1&b=2) 😀 " * 400}
    )
    receiver.answer(Answer.json({"ok": True}))
    send_to(Platform.TELEGRAM, receiver.url, secret="1:t", chat_id="1", message=long)
    text = receiver.requests[0].json()["text"]
    visible = read_html(text).text
    assert len(visible.encode("utf-16-le")) // 2 <= 4096
    assert visible.endswith("…")


# Generic


def test_it_signs_generic_webhooks_as_docs_webhooks_md_says(receiver):
    receiver.answer(Answer(status=202))
    assert send_to(Platform.GENERIC, f"{receiver.url}/desk-hook", secret=SECRET) == "202 Accepted"
    [request] = receiver.requests
    assert request.json() == {
        "event": MESSAGE.kind,
        "title": MESSAGE.title,
        "text": MESSAGE.text,
        "url": MESSAGE.url,
        "key": MESSAGE.key,
    }
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["x-desk-event"] == "item.accepted"
    assert headers["x-desk-delivery"] == "delivery-42"
    timestamp = headers["x-desk-timestamp"]
    assert recent(int(timestamp))
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert headers["x-desk-signature"] == f"sha256={expected.hexdigest()}"


@pytest.mark.parametrize(("status", "error"), [(500, TransientError), (403, PermanentError)])
def test_it_reads_generic_answers(receiver, status, error):
    receiver.answer(Answer(status=status, body=SECRET.encode()))
    with pytest.raises(error) as raised:
        send_to(Platform.GENERIC, f"{receiver.url}/hook?token=generic-token", secret=SECRET)
    assert SECRET not in str(raised.value)
    assert "generic-token" not in str(raised.value)


# What the form asks for


def test_it_tells_the_form_which_fields_each_platform_needs():
    assert [p for p in Platform if needs_secret(p)] == [Platform.TELEGRAM, Platform.GENERIC]
    assert [p for p in Platform if needs_chat_id(p)] == [Platform.TELEGRAM]
    assert {p for p in Platform if spec(p).takes_secret} == {
        Platform.FEISHU,
        Platform.DINGTALK,
        Platform.TELEGRAM,
        Platform.GENERIC,
    }
    assert spec(Platform.TELEGRAM).default_url == "https://api.telegram.org"
    assert set(bots.TRANSPORTS) == set(Platform.values)
    assert Platform.GENERIC.label == "JSON POST signed with HMAC-SHA256"


def test_it_refuses_an_unknown_platform():
    with pytest.raises(PermanentError):
        send_to("carrier-pigeon", "https://example.org/")


def test_it_refuses_private_addresses_for_every_platform(settings):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    for platform in Platform:
        with pytest.raises(PermanentError) as raised:
            send_to(platform, "https://127.0.0.1/hook?key=k-123", secret=SECRET, chat_id="1")
        assert "k-123" not in str(raised.value)
        assert SECRET not in str(raised.value)


def receivers_check():
    """The `verify` function docs/webhooks.md gives receivers."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    [snippet] = re.findall(r"```python\n(.*?)```", doc, re.S)
    namespace: dict = {}
    exec(snippet, namespace)
    return namespace["verify"]


def test_it_passes_the_check_docs_webhooks_md_gives_receivers(receiver):
    verify = receivers_check()
    send_to(Platform.GENERIC, f"{receiver.url}/desk-hook", secret=SECRET)
    [request] = receiver.requests
    headers = {
        "X-Desk-Timestamp": request.headers["x-desk-timestamp"],
        "X-Desk-Signature": request.headers["x-desk-signature"],
    }
    assert verify(SECRET, headers, request.body)
    assert not verify("another secret", headers, request.body)
    assert not verify(SECRET, headers, request.body + b" ")
    # Ten minutes old, and signed right: refused all the same.
    old = str(int(headers["X-Desk-Timestamp"]) - 600)
    signed = hmac.new(SECRET.encode(), f"{old}.".encode() + request.body, hashlib.sha256)
    replayed = {"X-Desk-Timestamp": old, "X-Desk-Signature": f"sha256={signed.hexdigest()}"}
    assert not verify(SECRET, replayed, request.body)
