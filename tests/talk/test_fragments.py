import re

import pytest
from django.urls import reverse

from sections.models import Claim, PostStatus, Vote
from tests.factories import ItemFactory, QuestionFactory, UserFactory
from tests.responses import HTMX, by_id, rendered

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def sections(issue):
    return {s.key: s for s in issue.sections.all()}


@pytest.fixture
def filled(issue, sections, member):
    Claim.objects.create(section=sections["news"], member=member, slot=1)
    ItemFactory(
        section=sections["news"],
        title="Falcon 上线 Hugging Face",
        url="https://huggingface.co/blog/falcon",
        body="见 https://arxiv.org/abs/2306.01116 。",
        author=member,
    )
    return issue


def url(name, issue, *args):
    return reverse(name, args=[issue.series.slug, issue.code, *args])


@pytest.mark.parametrize(
    ("name", "args", "fragment", "anchor"),
    [
        ("issue-record", [], "talk/issue.html#issue-record", "issue-record"),
        ("issue-references", [], "sections/section.html#references", "references"),
    ],
)
def test_it_serves_the_issue_s_fragments(client, filled, name, args, fragment, anchor):
    response = client.get(url(name, filled, *args), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == fragment
    assert response.text.lstrip().startswith("<")
    assert f'id="{anchor}"' in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize(
    ("name", "anchor"), [("issue-record", "issue-record"), ("issue-references", "references")]
)
@pytest.mark.parametrize("extra", [{}, {**HTMX, "HX-History-Restore-Request": "true"}])
def test_it_sends_plain_requests_to_the_page(client, filled, name, anchor, extra):
    # No JavaScript, or htmx restoring history: both want the whole page.
    response = client.get(url(name, filled), headers=extra)

    assert response.status_code == 302
    assert response.url == f"{filled.get_absolute_url()}#{anchor}"


def test_it_shows_contributors_and_owners_in_the_record(client, filled):
    response = client.get(url("issue-record", filled), headers=HTMX)

    assert "初七" in by_id(response.text, "contributors")
    assert "本周新闻：初七" in by_id(response.text, "owners-summary")


def test_it_lists_every_link_in_the_references(client, filled):
    response = client.get(url("issue-references", filled), headers=HTMX)

    references = by_id(response.text, "references")
    assert "https://huggingface.co/blog/falcon" in references
    assert "https://arxiv.org/abs/2306.01116" in references


def test_it_serves_a_section(client, filled, sections):
    news = sections["news"]

    response = client.get(reverse("section", args=[news.pk]), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == "sections/section.html"
    assert response.text.lstrip().startswith(
        f'<section class="card section section-items" id="section-{news.pk}"'
    )
    assert "Falcon 上线 Hugging Face" in response.text


def test_it_serves_the_references_section_with_its_links(client, filled, sections):
    references = sections["references"]

    response = client.get(reverse("section", args=[references.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "https://huggingface.co/blog/falcon" in by_id(response.text, "references")


@pytest.mark.parametrize(("role", "offered"), [("anonymous", False), ("outsider", True)])
def test_it_puts_the_add_form_in_a_section_for_members(
    client, outsider, filled, sections, role, offered
):
    news = sections["news"]
    if role == "outsider":
        client.force_login(outsider)

    response = client.get(reverse("section", args=[news.pk]), headers=HTMX)

    assert (f'id="add-item-{news.pk}"' in response.text) == offered


def test_it_serves_a_question_with_its_number(client, issue, sections):
    free_talk = sections["free-talk"]
    QuestionFactory(section=free_talk, position=1)
    second = QuestionFactory(section=free_talk, body="第二个问题？", position=2)

    response = client.get(reverse("question", args=[second.pk]), headers=HTMX)

    assert response.status_code == 200
    assert rendered(response) == "sections/question.html"
    assert response.text.lstrip().startswith('<div class="question')
    assert "Q2：" in by_id(response.text, f"question-{second.pk}")


@pytest.mark.parametrize(("name", "anchor"), [("section", "section"), ("question", "question")])
def test_it_sends_a_plain_request_for_a_section_or_question_to_the_page(
    client, issue, sections, name, anchor
):
    question = QuestionFactory(section=sections["free-talk"])
    pk = question.pk if anchor == "question" else sections["free-talk"].pk

    response = client.get(reverse(name, args=[pk]))

    assert response.status_code == 302
    assert response.url == f"{issue.get_absolute_url()}#{anchor}-{pk}"


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("name", ["section", "question"])
def test_it_answers_404_for_an_unknown_pk(client, issue, name, htmx):
    response = client.get(reverse(name, args=[999_999]), headers=HTMX if htmx else {})

    assert response.status_code == 404


def test_it_sends_a_plain_request_for_a_section_to_its_own_issue(client, series, issue):
    # A section's address is its own (/sections/<pk>/), not under an issue:
    # whatever page asked, it is shown in its issue, never in another one.
    from talk.services import issue_create

    nine = issue_create(series=series, by=None, number=9)
    other = nine.sections.get(key="news")

    response = client.get(reverse("section", args=[other.pk]))

    assert response.status_code == 302
    assert response.url == f"{nine.get_absolute_url()}#section-{other.pk}"


@pytest.mark.parametrize("htmx", [False, True])
def test_it_answers_404_for_a_hidden_question(client, issue, sections, htmx):
    hidden = QuestionFactory(section=sections["free-talk"], status=PostStatus.HIDDEN)

    response = client.get(reverse("question", args=[hidden.pk]), headers=HTMX if htmx else {})

    assert response.status_code == 404


def test_it_shows_a_hidden_question_to_admins(client_as, issue, sections):
    hidden = QuestionFactory(section=sections["free-talk"], status=PostStatus.HIDDEN)

    response = client_as("admin").get(reverse("question", args=[hidden.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "Hidden" in response.text


@pytest.mark.parametrize("name", ["issue-record", "issue-references"])
def test_it_takes_only_gets(client, issue, name):
    assert client.post(url(name, issue), headers=HTMX).status_code == 405


# Sorting by votes


@pytest.fixture
def voted(issue, sections):
    free_talk = sections["free-talk"]
    questions = [
        QuestionFactory(section=free_talk, body=f"问题{n}", position=n) for n in range(1, 4)
    ]
    voters = [UserFactory(alias=f"voter{n}") for n in range(3)]
    for count, question in zip([0, 2, 1], questions, strict=True):
        Vote.objects.bulk_create(Vote(question=question, member=v) for v in voters[:count])
    return free_talk


def labels(html: str) -> list[str]:
    """The questions' labels and bodies in the order they are shown."""

    return re.findall(
        r'question-label">(Q\d)：</span>\s*<div class="question-body"><p>(问题\d)', html
    )


def test_it_keeps_questions_in_their_order_by_default(client, issue, voted):
    response = client.get(reverse("section", args=[voted.pk]), headers=HTMX)

    assert labels(response.text) == [("Q1", "问题1"), ("Q2", "问题2"), ("Q3", "问题3")]


def test_it_sorts_questions_by_votes_and_keeps_their_numbers(client, issue, voted):
    response = client.get(reverse("section", args=[voted.pk]) + "?sort=votes", headers=HTMX)

    assert labels(response.text) == [("Q2", "问题2"), ("Q3", "问题3"), ("Q1", "问题1")]
    sort_links = response.text[response.text.index('class="sort-links"') :]
    # The page's address follows, so live updates keep the order.
    assert f'hx-replace-url="{issue.get_absolute_url()}?sort=votes"' in sort_links
    assert re.search(r'sort=votes"[^>]*aria-current="true"', sort_links)


def test_it_sorts_the_page_by_votes_too(client, issue, voted):
    response = client.get(issue.get_absolute_url() + "?sort=votes")

    section = by_id(response.text, f"section-{voted.pk}")
    assert labels(section) == [("Q2", "问题2"), ("Q3", "问题3"), ("Q1", "问题1")]


def test_it_ignores_an_unknown_sort(client, issue, voted):
    response = client.get(reverse("section", args=[voted.pk]) + "?sort=evil", headers=HTMX)

    assert labels(response.text) == [("Q1", "问题1"), ("Q2", "问题2"), ("Q3", "问题3")]


def test_it_numbers_only_the_questions_the_viewer_sees(client, issue, sections):
    free_talk = sections["free-talk"]
    QuestionFactory(section=free_talk, status=PostStatus.PENDING, body="问题0", position=1)
    shown = QuestionFactory(section=free_talk, body="问题1", position=2)

    section = client.get(reverse("section", args=[free_talk.pk]), headers=HTMX).text
    question = client.get(reverse("question", args=[shown.pk]), headers=HTMX).text

    assert labels(section) == [("Q1", "问题1")]
    assert labels(question) == [("Q1", "问题1")]
