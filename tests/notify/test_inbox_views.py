"""The inbox (/notifications/): a member's own entries, opening one, marking
them all read, and the header's link with its unread count."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notify.kinds import Kind
from notify.models import Event, Notice
from sections.services import question_ask
from tests.conftest import section_of
from tests.factories import AnswerFactory, UserFactory
from tests.responses import HTMX, assert_sent_to_log_in, by_id, rendered

from .conftest import told
from .test_answered import ask_and_answer

pytestmark = pytest.mark.usefixtures("english")

INBOX = reverse("notify-inbox")
LINK = reverse("notify-link")
READ_ALL = reverse("notify-read-all")


@pytest.fixture
def entry(issue, asker, answerer, committed):
    """The asker's entry: someone answered their question (the real path)."""
    ask_and_answer(issue, asker, answerer, committed)
    return Notice.objects.get(recipient=asker)


def answered(issue, asker, count: int) -> list[Event]:
    section = section_of(issue, "free-talk")
    question = question_ask(section=section, user=asker, body="Which model?")
    answers = AnswerFactory.create_batch(count, question=question, author=UserFactory())
    return [told(issue, kind=Kind.ANSWERED, answer=answer.pk) for answer in answers]


def header_link(html: str) -> str:
    return by_id(html, "inbox-link")


def open_url(notice: Notice) -> str:
    return reverse("notify-open", args=[notice.pk])


# The list


def test_it_lists_the_members_own_entries(client, entry, asker):
    client.force_login(asker)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert rendered(response) == "notify/inbox.html"
    item = by_id(response.text, f"notice-{entry.pk}")
    assert "回答者 answered your question (Free Talk, OpenLLM Talk 008)" in item
    assert "is-unread" in item
    assert f'action="{open_url(entry)}"' in item


def test_it_shows_no_one_elses_entries(client, entry, member):
    client.force_login(member)

    response = client.get(INBOX)

    assert f"notice-{entry.pk}" not in response.text
    assert "answered your question" not in response.text
    assert 'id="inbox-empty"' in response.text


def test_it_lists_the_newest_first(client, issue, asker):
    first, second = answered(issue, asker, 2)
    Notice.objects.filter(event=first).update(created_at=timezone.now() - datetime.timedelta(1))
    client.force_login(asker)

    html = client.get(INBOX).text

    older, newer = (Notice.objects.get(event=event).pk for event in (first, second))
    assert html.index(f"notice-{newer}") < html.index(f"notice-{older}")


def test_it_lists_in_a_fixed_number_of_queries(client, issue, asker, django_assert_num_queries):
    answered(issue, asker, 5)
    client.force_login(asker)

    # Session, user, the entries with their events, the header's count.
    with django_assert_num_queries(4):
        response = client.get(INBOX)

    assert response.text.count('class="notice is-unread"') == 5


def test_it_sends_a_visitor_to_log_in(client):
    response = client.get(INBOX)

    assert_sent_to_log_in(response, htmx=False, back_to=INBOX)


# Opening an entry


def test_it_marks_an_entry_read_and_goes_to_its_place(client, entry, asker):
    client.force_login(asker)

    response = client.post(open_url(entry))

    assert response.status_code == 302
    assert response.url == entry.event.summary["url"]
    assert response.url.startswith("/s/openllm-talk/8/#answer-")
    entry.refresh_from_db()
    assert entry.read_at is not None
    assert "is-unread" not in by_id(client.get(INBOX).text, f"notice-{entry.pk}")


def test_it_opens_a_read_entry_again_without_marking_it_anew(client, entry, asker):
    read_at = timezone.now() - datetime.timedelta(days=1)
    Notice.objects.filter(pk=entry.pk).update(read_at=read_at)
    client.force_login(asker)

    response = client.post(open_url(entry))

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.read_at == read_at


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_it_does_not_find_someone_elses_entry(client_as, entry, role):
    response = client_as(role).post(open_url(entry))

    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.read_at is None


def test_it_goes_nowhere_else_than_the_desk(client, issue, asker):
    [event] = answered(issue, asker, 1)
    Event.objects.filter(pk=event.pk).update(summary={"url": "https://evil.example/phish"})
    client.force_login(asker)

    response = client.post(open_url(Notice.objects.get(event=event)))

    assert response.status_code == 302
    assert response.url == "/"


def test_it_lets_a_suspended_member_read_their_inbox(client, entry, asker):
    # Suspended members may read, not post: their inbox is reading.
    asker.suspended_until = timezone.now() + datetime.timedelta(days=3)
    asker.save(update_fields=["suspended_until"])
    client.force_login(asker)

    assert client.post(open_url(entry)).status_code == 302
    assert client.post(READ_ALL).status_code == 302

    entry.refresh_from_db()
    assert entry.read_at is not None


# Mark all read


def test_it_marks_all_read(client, issue, asker, member):
    answered(issue, asker, 3)
    question = question_ask(section=section_of(issue, "free-talk"), user=member, body="Mine?")
    theirs = told(issue, kind=Kind.ANSWERED, answer=AnswerFactory(question=question).pk)
    client.force_login(asker)

    response = client.post(READ_ALL)

    assert response.status_code == 302
    assert response.url == INBOX
    assert not Notice.objects.filter(recipient=asker, read_at__isnull=True).exists()
    # Another member's entries are theirs to read.
    assert Notice.objects.get(event=theirs, recipient=member).read_at is None


def test_it_offers_mark_all_read_only_with_entries(client, asker):
    client.force_login(asker)

    assert f'action="{READ_ALL}"' not in client.get(INBOX).text


# The views that only take a POST


@pytest.mark.parametrize("name", ["notify-open", "notify-read-all"])
def test_it_takes_only_a_post(client, entry, asker, name):
    client.force_login(asker)
    url = open_url(entry) if name == "notify-open" else READ_ALL

    response = client.get(url)

    assert response.status_code == 405
    entry.refresh_from_db()
    assert entry.read_at is None


@pytest.mark.parametrize("name", ["notify-open", "notify-read-all"])
def test_it_sends_a_visitors_post_to_log_in(client, entry, name):
    url = open_url(entry) if name == "notify-open" else READ_ALL

    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    entry.refresh_from_db()
    assert entry.read_at is None


@pytest.fixture
def browser(asker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(asker)
    return client


@pytest.mark.parametrize("name", ["notify-open", "notify-read-all"])
def test_it_refuses_a_post_without_the_token(browser, entry, name):
    url = open_url(entry) if name == "notify-open" else READ_ALL

    response = browser.post(url)

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.read_at is None


def test_it_takes_the_token_of_the_inbox_form(browser, entry):
    html = browser.get(INBOX).text
    form = by_id(html, f"notice-{entry.pk}")
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = browser.post(open_url(entry), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.read_at is not None


# The header's link


def test_it_shows_the_unread_count_in_the_header(client, issue, asker):
    answered(issue, asker, 2)
    client.force_login(asker)

    link = header_link(client.get(reverse("home")).text)

    assert 'class="has-unread"' in link
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in link
    assert f'href="{INBOX}"' in link
    assert f'data-live-src="{LINK}"' in link


def test_it_shows_no_count_when_all_is_read(client, entry, asker):
    Notice.objects.update(read_at=timezone.now())
    client.force_login(asker)

    link = header_link(client.get(reverse("home")).text)

    assert "badge" not in link
    assert "has-unread" not in link
    assert ">Inbox</a>" in link


def test_it_shows_a_visitor_no_inbox(client, entry):
    assert 'id="inbox-link"' not in client.get(reverse("home")).text


@pytest.mark.parametrize("extra", [{}, HTMX], ids=["plain", "htmx"])
def test_it_renders_only_the_link_for_the_live_refresh(client, entry, asker, extra):
    client.force_login(asker)

    response = client.get(LINK, headers=extra)

    assert response.status_code == 200
    assert rendered(response) == "base.html#inbox-link"
    html = response.text.strip()
    assert html.startswith('<a href="/notifications/" id="inbox-link"')
    assert html.endswith("</a>")
    assert header_link(html) == html
    assert ">1<" in html


def test_it_counts_what_is_read_meanwhile(client, entry, asker):
    client.force_login(asker)
    client.post(open_url(entry))

    assert "badge" not in client.get(LINK).text


def test_it_sends_a_visitor_asking_for_the_link_to_log_in(client):
    assert_sent_to_log_in(client.get(LINK), htmx=False, back_to=LINK)


def test_it_leaves_the_link_of_a_page_logged_out_elsewhere_as_it_is(client):
    # The live refresh of a page whose member logged out in another tab:
    # neither the login page in the header, nor the page carried away.
    response = client.get(LINK, headers=HTMX)

    assert response.status_code == 204
    assert "HX-Redirect" not in response.headers
    assert not response.content
