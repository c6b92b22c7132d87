"""Notifications that failed, on /jobs/: what went wrong (never where to, in
full), and "Send again" for admins."""

import pytest
from django.urls import reverse

from notify.bots import Platform
from notify.kinds import FOR_BOTS, Kind
from notify.models import Bot, Delivery, DeliveryStatus
from tests.responses import by_id, says

from .conftest import told
from .receivers import Answer
from .test_answered import ask_and_answer

pytestmark = pytest.mark.usefixtures("english")

JOBS = reverse("jobs")
SECRET = "hmac-key-8Hq2xZ"
HOOK_TOKEN = "hook-token-Qm7"


@pytest.fixture
def bot(series, receiver):
    return Bot.objects.create(
        series=series,
        platform=Platform.GENERIC,
        name="Our webhook",
        url=f"{receiver.url}/desk-hook?token={HOOK_TOKEN}",
        secret=SECRET,
        kinds=list(FOR_BOTS),
    )


@pytest.fixture
def failed(issue, bot, receiver, committed):
    """The bot's delivery of "the issue is open", refused by its receiver."""
    receiver.answer(Answer(status=400, body=b"bad request"))
    with committed():
        told(issue, kind=Kind.ISSUE_OPENED)
    delivery = Delivery.objects.get(bot=bot)
    assert delivery.status == DeliveryStatus.FAILED
    return delivery


def retry(client, delivery):
    return client.post(reverse("delivery-retry", args=[delivery.pk]))


def test_it_lists_a_failed_delivery_with_its_error(admin_client, failed, receiver):
    response = admin_client.get(JOBS)

    assert response.status_code == 200
    entry = by_id(response.text, f"delivery-{failed.pk}")
    assert "The next issue is open for claims · OpenLLM Talk" in entry
    assert "JSON POST signed with HMAC-SHA256: Our webhook" in entry
    assert "127.0.0.1 answered 400 Bad Request." in entry
    assert f'action="{reverse("delivery-retry", args=[failed.pk])}"' in entry
    for secret in (SECRET, HOOK_TOKEN, "/desk-hook", f":{receiver.port}"):
        assert secret not in response.text, secret
    assert f'href="{reverse("series-bots", args=["openllm-talk"])}"' in response.text


def test_it_names_a_members_alias_not_their_address(
    admin_client, issue, asker, answerer, smtp, committed
):
    smtp.refuse_with = "550 5.1.1 No such mailbox"
    ask_and_answer(issue, asker, answerer, committed)
    delivery = Delivery.objects.get(recipient=asker)
    assert delivery.status == DeliveryStatus.FAILED

    entry = by_id(admin_client.get(JOBS).text, f"delivery-{delivery.pk}")

    assert "email to 提问者" in entry
    assert "the mail server refused the address (550)" in entry
    assert "asker@example.org" not in entry


def test_it_says_when_nothing_failed(admin_client, db):
    assert says(admin_client.get(JOBS), "None: every notification went out.")


def test_it_sends_a_delivery_again_for_an_admin(admin_client, failed, receiver, bot, committed):
    with committed():
        response = retry(admin_client, failed)

    assert response.status_code == 302
    assert response.url == JOBS
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert failed.attempts == 1
    assert failed.error == ""
    assert len(receiver.requests) == 2
    assert receiver.requests[1].json()["event"] == Kind.ISSUE_OPENED
    bot.refresh_from_db()
    assert bot.last_ok is True
    page = admin_client.get(JOBS)
    assert says(page, "Sent again; the list below shows it until it fails once more.")
    assert f"delivery-{failed.pk}" not in page.text


def test_it_lists_it_again_when_it_fails_again(admin_client, failed, receiver, committed):
    receiver.answer(Answer(status=400))

    with committed():
        retry(admin_client, failed)

    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
    assert f"delivery-{failed.pk}" in admin_client.get(JOBS).text


def test_it_does_not_send_again_what_went_out(admin_client, issue, bot, receiver, committed):
    with committed():
        told(issue, kind=Kind.ISSUE_OPENED)
    delivery = Delivery.objects.get(bot=bot)
    assert delivery.status == DeliveryStatus.SENT

    with committed():
        response = retry(admin_client, delivery)

    assert response.status_code == 302
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("role", ["outsider", "owner", "host"])
def test_it_lets_only_admins_send_again(client_as, failed, receiver, committed, role):
    client = client_as(role)

    with committed():
        response = retry(client, failed)

    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
    assert len(receiver.requests) == 1
    assert client.get(JOBS).status_code == 403


def test_it_sends_a_visitor_to_log_in(client, failed):
    response = retry(client, failed)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED


def test_it_takes_only_a_post(admin_client, failed):
    assert admin_client.get(reverse("delivery-retry", args=[failed.pk])).status_code == 405


def test_it_does_not_find_a_delivery_that_is_not_there(admin_client, db):
    assert admin_client.post(reverse("delivery-retry", args=[404404])).status_code == 404
