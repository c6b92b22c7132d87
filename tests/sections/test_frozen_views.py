"""A frozen (or published) issue refuses every write, for admins too."""

import pytest
from django.urls import reverse

from sections.errors import IssueClosed
from sections.models import Answer, Claim, Item, Question, Section, Vote
from talk.models import Issue, IssueStatus
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory
from tests.responses import BOTH_WAYS, by_attr, by_id, headers, rendered, says, triggered

pytestmark = pytest.mark.usefixtures("english")

FROZEN = IssueClosed().message


@pytest.fixture
def rows(issue, news, recommend, free_talk, member, owner):
    item = ItemFactory(section=news, subgroup="学术", author=member, submitted_by=member)
    ItemFactory(section=news, subgroup="学术", author=member, submitted_by=member)
    nomination = ItemFactory(section=recommend, kind=Item.Kind.NOMINATION, author=member)
    question = QuestionFactory(section=free_talk, author=member, submitted_by=member)
    answer = AnswerFactory(question=question, author=member, submitted_by=member)
    return {
        "issue": issue,
        "news": news,
        "recommend": recommend,
        "free_talk": free_talk,
        "item": item,
        "nomination": nomination,
        "question": question,
        "answer": answer,
    }


def _section(name):
    return lambda rows: reverse(name, args=[rows["news"].pk])


def _row(name, key):
    return lambda rows: reverse(name, args=[rows[key].pk])


def _role(role, action):
    def url(rows):
        issue = rows["issue"]
        return reverse("issue-role", args=[issue.series.slug, issue.code, role, action])

    return url


ITEM = {"kind": "entry", "subgroup": "学术", "title": "新条目", "url": "https://example.com/"}
# (view, url, data, how it answers: "refusal" in #flash, "form" put back with
# the words, "edit" page or partial, "answer": a refusal in #flash for htmx,
# the answer page with the words in its form otherwise)
WRITES = [
    ("claim", _section("section-claim"), {}, "refusal"),
    ("release", _section("section-release"), {}, "refusal"),
    ("item-create", _section("item-create"), ITEM, "form"),
    ("item-edit", _row("item-edit", "item"), {**ITEM, "version": 1}, "edit"),
    ("item-delete", _row("item-delete", "item"), {}, "refusal"),
    ("item-move", _row("item-move", "item"), {"direction": "down"}, "refusal"),
    ("theme", _row("section-theme", "recommend"), {"version": 1, "text": "主题"}, "refusal"),
    (
        "question-ask",
        _row("question-ask", "free_talk"),
        {"body": "新问题？", "subgroup": ""},
        "form",
    ),
    (
        "question-edit",
        _row("question-edit", "question"),
        {"body": "改过的问题？", "subgroup": "", "version": 1},
        "edit",
    ),
    ("question-delete", _row("question-delete", "question"), {}, "refusal"),
    ("question-vote", _row("question-vote", "question"), {}, "refusal"),
    (
        "question-answered",
        _row("question-answered", "question"),
        {"answered": "1"},
        "refusal",
    ),
    ("answer-create", _row("answer-create", "question"), {"body": "新回答"}, "answer"),
    ("answer-edit", _row("answer-edit", "answer"), {"body": "改过", "version": 1}, "edit"),
    ("answer-delete", _row("answer-delete", "answer"), {}, "refusal"),
    ("answer-accept", _row("answer-accept", "answer"), {"accepted": "1"}, "refusal"),
    ("role-claim", _role("editor", "claim"), {}, "refusal"),
    ("role-release", _role("host", "release"), {}, "refusal"),
]


def snapshot(issue):
    """Everything a write could change, to compare before and after."""
    return (
        list(Claim.objects.values_list("section", "member", "slot").order_by("pk")),
        list(Item.objects.values_list("pk", "title", "version", "position").order_by("pk")),
        list(Question.objects.values_list("pk", "body", "version", "answered").order_by("pk")),
        list(Answer.objects.values_list("pk", "body", "version", "accepted").order_by("pk")),
        Vote.objects.count(),
        list(Section.objects.values_list("pk", "theme", "version").order_by("pk")),
        Issue.objects.values_list("host", "editor").get(pk=issue.pk),
    )


def freeze(issue, status=IssueStatus.FROZEN):
    issue.status = status
    issue.save(update_fields=["status"])


def assert_frozen(response, answers, htmx, view=""):
    assert response.status_code == 409, response.text
    assert not triggered(response)
    assert says(response, FROZEN)
    if answers == "edit":
        assert rendered(response).startswith(("sections/item_edit.html", "sections/post_edit.html"))
    elif htmx and answers in ("refusal", "answer"):
        assert rendered(response) == "sections/refusal.html"
        assert response.headers["HX-Retarget"] == "#flash"
    elif answers == "answer":
        assert rendered(response) == "sections/answer_new.html"
        form = by_attr(response.text, "class", "answer-form")
        assert str(FROZEN) in form
        assert "新回答</textarea>" in form
    elif not htmx:
        assert rendered(response) == "talk/issue.html"
        assert str(FROZEN) in by_id(response.text, "flash")
        if answers == "form":  # what was typed is in its form again
            assert ("新条目" in response.text) or ("新问题？" in response.text)
        if view == "theme":  # no picker on a frozen page: the text to copy
            assert "主题</textarea>" in by_id(response.text, "kept-text")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("view", "url", "data", "answers"), WRITES, ids=[write[0] for write in WRITES]
)
def test_it_refuses_every_write_to_a_frozen_issue(
    client_as, rows, host, view, url, data, answers, htmx
):
    freeze(rows["issue"])
    before = snapshot(rows["issue"])

    response = client_as("admin").post(url(rows), data, headers=headers(htmx))

    assert_frozen(response, answers, htmx, view)
    assert snapshot(rows["issue"]) == before


@pytest.mark.parametrize(
    ("view", "url", "data", "answers"), WRITES, ids=[write[0] for write in WRITES]
)
def test_it_refuses_every_write_to_a_published_issue(client_as, rows, view, url, data, answers):
    freeze(rows["issue"], IssueStatus.PUBLISHED)
    before = snapshot(rows["issue"])

    response = client_as("host").post(url(rows), data, headers=headers(True))

    assert_frozen(response, answers, htmx=True)
    assert snapshot(rows["issue"]) == before


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("item-edit", "item"),
        ("question-edit", "question"),
        ("answer-edit", "answer"),
        ("answer-create", "question"),
    ],
)
def test_it_refuses_the_edit_and_answer_forms_of_a_frozen_issue(client_as, rows, name, key, htmx):
    freeze(rows["issue"])

    response = client_as("author").get(reverse(name, args=[rows[key].pk]), headers=headers(htmx))

    assert_frozen(response, "refusal", htmx)


def test_it_shows_a_frozen_issue_without_write_controls(client_as, rows):
    freeze(rows["issue"])

    page = client_as("admin").get(rows["issue"].get_absolute_url()).text

    # The content takes no writes; the host's desk (publish, correct) is
    # the only place with forms, and the roles offer none either.
    content = page[page.index('class="card section-index"') :]
    assert 'method="post"' not in content
    assert 'method="post"' not in by_id(page, "issue-record")
    # Nor the links that load the answer and reply forms.
    assert reverse("answer-create", args=[rows["question"].pk]) not in page
