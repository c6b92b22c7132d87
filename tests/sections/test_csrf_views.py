import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Claim, Item, Vote
from tests.factories import QuestionFactory
from tests.responses import HTMX

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def browser(outsider):
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    return client


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, author=member, submitted_by=member)


VIEWS = ["claim", "item-create", "question-vote"]


@pytest.fixture
def writes(news, question):
    """For each view: its URL, what a form sends, and whether it happened."""
    return {
        "claim": (reverse("section-claim", args=[news.pk]), {}, Claim.objects.exists),
        "item-create": (
            reverse("item-create", args=[news.pk]),
            {"kind": "entry", "title": "跨站", "subgroup": ""},
            Item.objects.exists,
        ),
        "question-vote": (
            reverse("question-vote", args=[question.pk]),
            {},
            Vote.objects.exists,
        ),
    }


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("extra", [{}, HTMX], ids=["plain", "htmx"])
def test_it_refuses_a_post_without_the_token(browser, writes, view, extra):
    url, data, happened = writes[view]

    response = browser.post(url, data, headers=extra)

    assert response.status_code == 403
    assert not happened()


def test_it_refuses_a_token_from_another_session(browser, news, question, member):
    other = Client(enforce_csrf_checks=True)
    other.force_login(member)
    other.get(news.issue.get_absolute_url())
    stolen = other.cookies["csrftoken"].value

    response = browser.post(
        reverse("section-claim", args=[news.pk]), headers={**HTMX, "X-CSRFToken": stolen}
    )

    assert response.status_code == 403
    assert not Claim.objects.exists()


@pytest.mark.parametrize("view", VIEWS)
def test_it_takes_the_token_htmx_sends_from_the_page(browser, news, writes, view):
    page = browser.get(news.issue.get_absolute_url()).text
    # base.html puts the token in hx-headers on <body>; htmx sends it with
    # every request.
    token = json.loads(re.search(r"<body hx-headers='([^']+)'", page).group(1))["X-CSRFToken"]
    url, data, happened = writes[view]

    response = browser.post(url, data, headers={**HTMX, "X-CSRFToken": token})

    assert response.status_code == 200
    assert happened()


def test_it_takes_the_token_of_a_plain_form(browser, news):
    page = browser.get(news.issue.get_absolute_url()).text
    form = page[page.index(f'action="{reverse("section-claim", args=[news.pk])}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = browser.post(
        reverse("section-claim", args=[news.pk]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Claim.objects.exists()
