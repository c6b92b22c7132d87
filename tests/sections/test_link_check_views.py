"""The link check of the add form (views.link_check): while a member types
or pastes a link, the desk says where it was shared before; the form still
posts it, and the item shows as a follow-up."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from sections.links import normalize_url
from sections.models import Item
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import ItemFactory, UserFactory
from tests.html import HOSTILE_NAME, unsafe_markup
from tests.responses import (
    BOTH_WAYS,
    HTMX,
    assert_sent_to_log_in,
    by_id,
    headers,
    htmx_from,
    rendered,
)

pytestmark = pytest.mark.usefixtures("english")

LLAMA2 = "https://arxiv.org/abs/2307.09288"
PASTED = "https://arxiv.org/pdf/2307.09288v2.pdf?utm_source=wechat"


def shared(section, **fields):
    url = fields.pop("url", LLAMA2)
    return ItemFactory(section=section, url=url, url_key=normalize_url(url), **fields)


def check(client, section, url, htmx=True, **sent):
    path = reverse("link-check", args=[section.pk])
    return client.get(path, {"url": url}, headers={**headers(htmx), **sent})


@pytest.fixture
def yuhan(db):
    return UserFactory(alias="yuhan", email="yuhan@example.com")


@pytest.fixture
def issue_007(series):
    return issue_create(series=series, by=None, number=7)


# Who may ask


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in(client, news, htmx):
    page = news.issue.get_absolute_url()
    path = reverse("link-check", args=[news.pk])

    response = client.get(path, {"url": LLAMA2}, headers=htmx_from(page) if htmx else {})

    back_to = page if htmx else f"{path}?{urlencode({'url': LLAMA2})}"
    assert_sent_to_log_in(response, htmx=htmx, back_to=back_to)


def test_it_only_reads(client_as, news):
    path = reverse("link-check", args=[news.pk])

    response = client_as("outsider").post(path, {"url": LLAMA2}, headers=HTMX)

    assert response.status_code == 405


def test_it_answers_404_for_a_missing_section(client_as, db):
    response = client_as("outsider").get(
        reverse("link-check", args=[999999]), {"url": LLAMA2}, headers=HTMX
    )

    assert response.status_code == 404


# What it says


def test_it_says_the_link_is_already_in_this_issue(client_as, news, recommend, yuhan):
    item = shared(recommend, title="Llama 2", author=yuhan)

    response = check(client_as("outsider"), news, PASTED)

    assert response.status_code == 200
    assert rendered(response) == "sections/link_check.html#link-check"
    fragment = by_id(response.text, f"link-check-{news.pk}")
    assert fragment.strip() == response.text.strip()
    assert "Already in this issue:" in fragment
    assert recommend.title in fragment
    assert f'href="{news.issue.get_absolute_url()}#item-{item.pk}"' in fragment
    assert "Llama 2</a> (yuhan)" in fragment
    assert "it will be shown as a follow-up" in fragment
    assert "yuhan@example.com" not in response.text


def test_it_says_where_the_link_was_shared_before(client_as, news, issue_007):
    item = shared(section_of(issue_007, "news"), title="Llama 2", author_name="群友")

    response = check(client_as("outsider"), news, PASTED)

    fragment = by_id(response.text, f"link-check-{news.pk}")
    assert "Shared before in OpenLLM Talk 007:" in fragment
    assert "Llama 2</a> (群友)" in fragment
    # Another issue opens beside the form, which keeps what was typed.
    link = f'href="{issue_007.get_absolute_url()}#item-{item.pk}" target="_blank" rel="noopener"'
    assert link in fragment
    assert "follow-up" not in fragment  # only a link of this issue makes one


def test_it_says_nothing_of_a_new_link(client_as, news, issue_007):
    shared(section_of(issue_007, "news"))

    response = check(client_as("outsider"), news, "https://arxiv.org/abs/2307.09289")

    assert response.status_code == 200
    assert rendered(response) == "sections/link_check.html#link-check"
    fragment = by_id(response.text, f"link-check-{news.pk}")
    assert "<li" not in fragment
    assert "Already" not in fragment
    assert "Shared before" not in fragment


def test_it_shows_a_whole_page_without_htmx(client_as, news, yuhan):
    shared(news, title="Llama 2", author=yuhan)

    response = check(client_as("outsider"), news, PASTED, htmx=False)

    assert response.status_code == 200
    assert rendered(response) == "sections/link_check.html"
    assert "<html" in response.text
    assert "Already in this issue:" in by_id(response.text, f"link-check-{news.pk}")
    # The page checks another link with a plain form.
    assert f'action="{reverse("link-check", args=[news.pk])}"' in response.text
    assert "yuhan@example.com" not in response.text


def test_it_says_on_the_whole_page_that_a_link_is_new(client_as, news):
    response = check(client_as("outsider"), news, LLAMA2, htmx=False)

    assert "This link is not in this issue or the recent ones." in response.text


def test_it_gives_a_history_restore_the_whole_page(client_as, news):
    sent = {"HX-History-Restore-Request": "true"}

    response = check(client_as("outsider"), news, LLAMA2, **sent)

    assert rendered(response) == "sections/link_check.html"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        'https://example.com/"onmouseover="evil()"><script>alert("evil")</script>',
        '"><img src=x onerror=evil()>',
    ],
)
def test_it_renders_empty_and_hostile_input_inert(client_as, news, url, htmx):
    shared(news, url="javascript:alert(1)")

    response = check(client_as("outsider"), news, url, htmx=htmx)

    assert response.status_code == 200
    assert unsafe_markup(response.text, echoed=("value",)) == []
    assert "<li" not in by_id(response.text, f"link-check-{news.pk}")


def test_it_renders_hostile_titles_and_names_inert(client_as, news):
    shared(news, title=HOSTILE_NAME, author_name=HOSTILE_NAME)

    response = check(client_as("outsider"), news, PASTED)

    assert "Already in this issue:" in response.text
    assert unsafe_markup(response.text) == []


def test_it_never_takes_the_keyboard(client_as, news):
    shared(news)

    response = check(client_as("outsider"), news, PASTED)

    assert "autofocus" not in response.text


# In the add form


def test_it_checks_the_link_of_the_add_form_while_it_is_typed(client_as, news):
    page = client_as("outsider").get(news.issue.get_absolute_url()).text

    form = by_id(page, f"add-item-{news.pk}")
    field = by_id(form, f"section-{news.pk}-new-url")
    assert f'hx-get="{reverse("link-check", args=[news.pk])}"' in field
    assert 'hx-trigger="input changed delay:400ms"' in field
    assert f'hx-target="#link-check-{news.pk}"' in field
    assert 'hx-swap="outerHTML"' in field
    assert f'aria-describedby="link-check-{news.pk}"' in field
    # The answer's place is in the form, empty until something is found,
    # inside a region that screen readers announce.
    slot = by_id(form, f"link-check-{news.pk}")
    assert "<li" not in slot
    assert f'<div aria-live="polite">{slot}' in form.replace("\n", "").replace("  ", "")


def test_it_does_not_check_links_in_the_edit_form(client_as, news, member):
    item = shared(news, author=member, submitted_by=member)

    response = client_as("author").get(reverse("item-edit", args=[item.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "link-check" not in response.text


def test_it_still_adds_a_known_link_as_a_follow_up(client_as, news, recommend):
    original = shared(recommend, title="Llama 2")
    client = client_as("outsider")
    data = {"kind": "entry", "subgroup": "学术", "title": "Llama 2 again", "url": PASTED}

    response = client.post(reverse("item-create", args=[news.pk]), data, headers=HTMX)

    assert response.status_code == 200
    item = Item.objects.get(section=news)
    assert item.follow_up
    assert "follow-up" in by_id(response.text, f"item-{item.pk}")
    page = client.get(news.issue.get_absolute_url()).text
    assert '<span class="badge badge-follow-up">follow-up</span>' in by_id(page, f"item-{item.pk}")
    assert "follow-up" not in by_id(page, f"item-{original.pk}")


def test_it_adds_a_known_link_without_javascript_too(client_as, news):
    shared(news)
    data = {"kind": "entry", "title": "Llama 2 again", "url": PASTED}

    response = client_as("outsider").post(reverse("item-create", args=[news.pk]), data)

    assert response.status_code == 302
    assert Item.objects.get(title="Llama 2 again").follow_up
