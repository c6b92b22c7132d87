"""The preview of a post being written: the same Markdown the page renders,
sanitised the same way, offered on every form that takes Markdown."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.responses import HTMX, by_id

pytestmark = pytest.mark.usefixtures("english")

URL = reverse("markdown-preview")


def test_it_renders_the_body_as_the_page_will(client):
    response = client.post(URL, {"body": "**RoPE** 外推\n\n- 一\n- 二"}, headers=HTMX)

    assert response.status_code == 200
    assert "<strong>RoPE</strong> 外推" in response.text
    assert "<li>一</li>" in response.text


def test_it_keeps_out_what_the_page_keeps_out(client):
    response = client.post(
        URL, {"body": '<script>alert(1)</script> [x](javascript:alert(1)) <a hx-get="/x">y</a>'}
    )

    # Shown as the words typed, never as markup.
    assert "<script" not in response.text
    assert 'href="javascript' not in response.text
    assert "<a hx-get" not in response.text
    assert "&lt;script&gt;" in response.text


def test_it_says_when_there_is_nothing_or_too_much(client):
    empty = client.post(URL, {"body": "  "})
    long = client.post(URL, {"body": "长" * 5001})

    assert "Nothing to preview yet." in empty.text
    assert long.status_code == 422
    assert "at most 5000 characters" in long.text


def test_it_takes_no_get_and_needs_the_csrf_token(client):
    assert client.get(URL).status_code == 405
    assert Client(enforce_csrf_checks=True).post(URL, {"body": "x"}).status_code == 403


def test_the_forms_that_take_markdown_offer_it(client_as, issue):
    page = client_as("author").get(issue.get_absolute_url()).text
    news, free = issue.sections.get(key="news"), issue.sections.get(key="free-talk")

    assert URL in by_id(page, f"add-item-{news.pk}")
    assert URL in by_id(page, f"ask-{free.pk}")
