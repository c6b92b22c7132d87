"""Script vectors typed into every field, through the views, stay text:
on the issue page, in every fragment, and in the forms that show them again."""

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Answer, Item, Question
from tests.factories import QuestionFactory, UserFactory
from tests.html import HOSTILE, HOSTILE_NAME, unsafe_markup
from tests.responses import HTMX, by_id, headers

pytestmark = pytest.mark.usefixtures("english")

# What fits in the short fields (code language: 30 characters).
HOSTILE_LANGUAGE = '"><img src=x onerror=evil()>'
# A link the form accepts (http, no spaces) that breaks out of an unescaped href.
HOSTILE_URL = 'https://example.com/"onmouseover="alert(1)"><script>alert(1)</script>'
# Attributes that show typed text again on purpose (form fields, the move
# buttons' labels); escaped there, the marker is expected.
ECHOED = ("value", "aria-label")


def assert_inert(response, echoed=ECHOED):
    assert response.status_code in (200, 302, 409, 422), response.text
    assert unsafe_markup(response.text, echoed=echoed) == []


@pytest.fixture
def hostile(client, host, issue, news, recommend, free_talk):
    """Hostile text in every field, typed by the host (who may credit others)
    and answered by the views as htmx fragments."""
    client.force_login(host)
    responses = []

    def post(name, pk, data):
        responses.append((name, client.post(reverse(name, args=[pk]), data, headers=HTMX)))

    post(
        "item-create",
        news.pk,
        {
            "kind": "entry",
            "subgroup": "学术",
            "title": HOSTILE,
            "url": HOSTILE_URL,
            "body": HOSTILE,
            "points": f"{HOSTILE}\n{HOSTILE_NAME}",
            "code": HOSTILE,
            "language": HOSTILE_LANGUAGE,
            "credit_to": HOSTILE_NAME,
        },
    )
    post("item-create", news.pk, {"kind": "snippet", "code": HOSTILE, "language": "html"})
    # A nomination's title may become the theme, which takes 200 characters.
    post("item-create", recommend.pk, {"kind": "nomination", "title": HOSTILE[:200]})
    nomination = Item.objects.get(section=recommend)
    post("section-theme", recommend.pk, {"version": 1, "nomination": nomination.pk})
    post(
        "section-theme", issue.sections.get(key="classic").pk, {"version": 1, "text": HOSTILE_NAME}
    )
    post(
        "question-ask",
        free_talk.pk,
        {"body": HOSTILE, "subgroup": "线上讨论", "credit_to": HOSTILE_NAME},
    )
    question = Question.objects.get()
    post("answer-create", question.pk, {"body": HOSTILE, "credit_to": HOSTILE_NAME})
    answer = Answer.objects.get()
    post("answer-create", question.pk, {"body": HOSTILE, "parent": answer.pk})
    client.logout()
    return {
        "responses": responses,
        "item": Item.objects.get(section=news, kind="entry"),
        "question": question,
        "answer": answer,
    }


def test_it_stores_the_hostile_text_as_typed(hostile):
    item = hostile["item"]
    assert (item.title, item.url, item.body, item.code) == (HOSTILE, HOSTILE_URL, HOSTILE, HOSTILE)
    assert (item.language, item.author_name) == (HOSTILE_LANGUAGE, HOSTILE_NAME)
    assert hostile["question"].author_name == hostile["answer"].author_name == HOSTILE_NAME


def test_it_answers_with_inert_fragments(hostile):
    for name, response in hostile["responses"]:
        assert response.status_code == 200, name
        assert_inert(response)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "host", "admin"])
def test_it_renders_hostile_text_inert_on_the_issue_page(client_as, hostile, issue, role):
    response = client_as(role).get(issue.get_absolute_url())

    # Visitors see no forms: nothing of theirs may echo the text.
    assert_inert(response, echoed=() if role == "anonymous" else ECHOED)
    assert "&lt;script&gt;" in response.text
    assert HOSTILE_URL not in response.text  # only ever escaped


@pytest.mark.parametrize("role", ["anonymous", "host"])
def test_it_renders_hostile_text_inert_in_every_fragment(client_as, hostile, issue, role):
    client = client_as(role)
    slug, code = issue.series.slug, issue.code
    urls = [
        reverse("issue-record", args=[slug, code]),
        reverse("issue-references", args=[slug, code]),
        reverse("question", args=[hostile["question"].pk]),
        *(reverse("section", args=[s.pk]) for s in issue.sections.all()),
    ]
    for url in urls:
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200, url
        assert_inert(response)
    record = client.get(urls[0], headers=HTMX).text
    assert "&lt;img src=x onerror=&quot;evil()&quot;&gt;" in by_id(record, "contributors")


@pytest.mark.parametrize("htmx", [False, True])
def test_it_renders_hostile_text_inert_in_the_edit_forms(client_as, hostile, htmx):
    client = client_as("host")
    for name, key in [
        ("item-edit", "item"),
        ("question-edit", "question"),
        ("answer-edit", "answer"),
    ]:
        response = client.get(reverse(name, args=[hostile[key].pk]), headers=headers(htmx))
        assert response.status_code == 200, name
        assert_inert(response)


@pytest.mark.parametrize("htmx", [False, True])
def test_it_renders_the_newer_hostile_text_inert_beside_a_stale_edit(
    client_as, people, hostile, htmx
):
    item = hostile["item"]
    Item.objects.filter(pk=item.pk).update(version=2)  # someone saved the hostile text since
    data = {"kind": "entry", "subgroup": "学术", "title": "mine", "version": 1}

    response = client_as("host").post(
        reverse("item-edit", args=[item.pk]), data, headers=headers(htmx)
    )

    assert response.status_code == 409
    assert_inert(response)
    assert "&lt;script&gt;" in by_id(response.text, f"item-{item.pk}")


@pytest.mark.parametrize("htmx", [False, True])
def test_it_renders_hostile_text_inert_in_a_refused_form(client_as, news, free_talk, htmx):
    asked = QuestionFactory(section=free_talk)
    client = client_as("owner")
    item = {
        "kind": "entry",
        "title": HOSTILE,
        "url": 'javascript:alert("evil")',
        "body": HOSTILE,
        "points": HOSTILE,
        "code": HOSTILE,
        "language": HOSTILE_LANGUAGE,
        "credit_to": HOSTILE_NAME,
    }
    question = {"body": "", "credit_to": HOSTILE_NAME, "subgroup": HOSTILE_NAME}

    for url, data in [
        (reverse("item-create", args=[news.pk]), item),
        (reverse("question-ask", args=[free_talk.pk]), question),
        (
            reverse("answer-create", args=[asked.pk]),
            {"body": "", "credit_to": HOSTILE_NAME},
        ),
    ]:
        response = client.post(url, data, headers=headers(htmx))
        assert response.status_code == 422
        assert_inert(response)
    assert not Item.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_it_renders_a_hostile_alias_inert(issue, news, htmx):
    # Aliases refuse "@" and control characters, not angle brackets.
    member = UserFactory(alias='<img src=x onerror="evil()">')
    client = Client()
    client.force_login(member)

    claimed = client.post(reverse("section-claim", args=[news.pk]), headers=headers(htmx))
    asked = client.post(
        reverse("question-ask", args=[issue.sections.get(key="free-talk").pk]),
        {"body": "问题？", "subgroup": ""},
        headers=headers(htmx),
    )
    page = Client().get(issue.get_absolute_url())

    for response in (claimed, asked, page):
        assert_inert(response, echoed=())
    assert "&lt;img src=x onerror=&quot;evil()&quot;&gt;" in by_id(page.text, "owners-summary")
