"""The Q&A filter of the issue page (`?show=`): unanswered, answered, or the
viewer's own questions, beside the order (`?sort=`), with a word on how many
questions it hides."""

import re

import pytest
from django.urls import reverse

from sections.models import Answer, PostStatus, Question, Vote
from sections.selectors import section_content
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.responses import HTMX, by_id, rendered

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def asked(free_talk, member, outsider):
    """Free Talk's questions, by what tells them apart:

    - 1: the member's, with no answer;
    - 2: someone else's, answered by the member;
    - 3: someone else's, marked answered with no answer;
    - 4: someone else's, whose only answer, the outsider's, waits for review;
    - 5: the outsider's, waiting for review itself;
    - 6: someone else's, answered by someone else, with the member's reply.
    """
    other = UserFactory(alias="旁人")
    mine = {"author": member, "submitted_by": member}
    theirs = {"author": other, "submitted_by": other}
    outsiders = {"author": outsider, "submitted_by": outsider}
    questions = {
        1: QuestionFactory(section=free_talk, body="问题1", **mine),
        2: QuestionFactory(section=free_talk, body="问题2", **theirs),
        3: QuestionFactory(section=free_talk, body="问题3", answered=True, **theirs),
        4: QuestionFactory(section=free_talk, body="问题4", **theirs),
        5: QuestionFactory(section=free_talk, body="问题5", status=PostStatus.PENDING, **outsiders),
        6: QuestionFactory(section=free_talk, body="问题6", **theirs),
    }
    AnswerFactory(question=questions[2], **mine)
    AnswerFactory(question=questions[4], status=PostStatus.PENDING, **outsiders)
    first = AnswerFactory(question=questions[6], **theirs)
    AnswerFactory(question=questions[6], parent=first, **mine)
    return questions


def shown(view) -> list[str]:
    return [q.row.body for group in view.question_groups for q in group.entries]


def bodies(html: str) -> list[str]:
    return re.findall(r'<div class="question-body"><p>(问题\d)', html)


def questions_in(html: str) -> int:
    return len(re.findall(r'<div class="question[^"]*" id="question-\d+"', html))


def viewer_of(people, role):
    return None if role == "anonymous" else people[role]


# What each filter keeps, for each viewer (with moderation as without one)

KEPT = {
    ("author", "all"): ["问题1", "问题2", "问题3", "问题4", "问题6"],
    ("author", "unanswered"): ["问题1", "问题4"],
    ("author", "answered"): ["问题2", "问题3", "问题6"],
    ("author", "mine"): ["问题1", "问题2", "问题6"],
    # The outsider sees their own waiting question and answer.
    ("outsider", "all"): ["问题1", "问题2", "问题3", "问题4", "问题5", "问题6"],
    ("outsider", "unanswered"): ["问题1", "问题5"],
    ("outsider", "answered"): ["问题2", "问题3", "问题4", "问题6"],
    ("outsider", "mine"): ["问题4", "问题5"],
    ("anonymous", "all"): ["问题1", "问题2", "问题3", "问题4", "问题6"],
    ("anonymous", "unanswered"): ["问题1", "问题4"],
    ("anonymous", "answered"): ["问题2", "问题3", "问题6"],
    # Nothing is an anonymous viewer's own: a `show=mine` typed in shows none.
    ("anonymous", "mine"): [],
}


@pytest.mark.parametrize(("role", "show"), list(KEPT))
def test_it_keeps_the_questions_the_filter_asks_for(issue, free_talk, asked, people, role, show):
    view = section_content(free_talk.pk, issue=issue, viewer=viewer_of(people, role), show=show)

    assert shown(view) == KEPT[role, show]
    everything = KEPT[role, "all"]
    assert view.hidden == len(everything) - len(KEPT[role, show])
    assert view.show == show
    # The record, the contributors and the numbers do not change with it.
    assert [q.row.body for q in view.numbered_questions] == everything


def test_it_keeps_the_numbers_everyone_reads(issue, free_talk, asked):
    view = section_content(free_talk.pk, issue=issue, show="unanswered")

    numbers = [q.number for group in view.question_groups for q in group.entries]
    assert numbers == [1, 4]


def test_it_counts_answers_given_to_another_copy_of_the_question(series, issue, free_talk, member):
    older = issue_create(series=series, by=None, number=7)
    original = QuestionFactory(section=section_of(older, "free-talk"), body="问题0")
    AnswerFactory(question=original, author=member, submitted_by=member)
    QuestionFactory(section=free_talk, body="问题1", carried_from=original)

    unanswered = section_content(free_talk.pk, issue=issue, show="unanswered")
    mine = section_content(free_talk.pk, issue=issue, viewer=member, show="mine")

    assert (shown(unanswered), unanswered.hidden) == ([], 1)
    assert shown(mine) == ["问题1"]


def test_it_offers_mine_only_to_someone_signed_in(issue, free_talk, member):
    anonymous = section_content(free_talk.pk, issue=issue)
    signed_in = section_content(free_talk.pk, issue=issue, viewer=member)

    assert anonymous.shows == ["all", "unanswered", "answered"]
    assert signed_in.shows == ["all", "unanswered", "answered", "mine"]


def test_it_filters_after_the_order_and_keeps_pinned_questions_first(issue, free_talk, asked):
    asked[4].pinned = True
    asked[4].save()
    voters = [UserFactory(alias=f"voter{n}") for n in range(2)]
    Vote.objects.bulk_create(Vote(question=asked[1], member=v) for v in voters)

    view = section_content(free_talk.pk, issue=issue, sort="votes", show="unanswered")

    assert shown(view) == ["问题4", "问题1"]


# The page and the section's fragment


@pytest.mark.parametrize("role", ["author", "outsider", "anonymous"])
@pytest.mark.parametrize("show", ["unanswered", "answered", "mine"])
def test_the_page_shows_the_questions_of_the_filter(client_as, issue, free_talk, asked, role, show):
    response = client_as(role).get(f"{issue.get_absolute_url()}?show={show}")

    assert response.status_code == 200
    section = by_id(response.text, f"section-{free_talk.pk}")
    assert bodies(section) == KEPT[role, show]
    assert "data-filtered" in section[: section.index(">")]


@pytest.mark.parametrize("role", ["author", "outsider", "anonymous"])
def test_the_section_s_fragment_comes_with_the_filter_for_htmx(
    client_as, issue, free_talk, asked, role
):
    url = reverse("section", args=[free_talk.pk]) + "?sort=time&show=answered"

    response = client_as(role).get(url, headers=HTMX)

    assert rendered(response) == "sections/section.html"
    assert bodies(response.text) == KEPT[role, "answered"]
    control = by_id(response.text, f"show-links-{free_talk.pk}")
    page = issue.get_absolute_url()
    # The page's address follows, so live updates and a reload keep the filter.
    current = re.search(r'<a [^>]*aria-current="true"[^>]*>([^<]*)</a>', control)
    assert current is not None
    assert current.group(1) == "answered"
    assert f'hx-replace-url="{page}?sort=time&amp;show=answered"' in current.group(0)
    assert f'href="{page}?sort=time&amp;show=answered#section-{free_talk.pk}"' in current.group(0)
    assert f'hx-get="/sections/{free_talk.pk}/?sort=time&amp;show=answered"' in current.group(0)


def test_the_order_keeps_the_filter_and_the_filter_keeps_the_order(client, issue, free_talk):
    response = client.get(f"{issue.get_absolute_url()}?sort=votes&show=unanswered")

    page = issue.get_absolute_url()
    section = by_id(response.text, f"section-{free_talk.pk}")
    assert f'href="{page}?sort=time&amp;show=unanswered#section-{free_talk.pk}"' in section
    assert f'href="{page}?sort=votes#section-{free_talk.pk}"' in section
    assert f'href="{page}?sort=votes&amp;show=answered#section-{free_talk.pk}"' in section


def test_it_offers_the_filters_as_links_and_mine_only_to_members(client_as, issue, free_talk):
    anonymous = by_id(
        client_as("anonymous").get(issue.get_absolute_url()).text, f"show-links-{free_talk.pk}"
    )
    member = by_id(
        client_as("author").get(issue.get_absolute_url()).text, f"show-links-{free_talk.pk}"
    )

    labels = re.compile(r"<a [^>]*>([^<]*)</a>")
    assert labels.findall(anonymous) == ["all", "unanswered", "answered"]
    assert labels.findall(member) == ["all", "unanswered", "answered", "asked or answered by me"]
    assert re.search(r'sort=time"[^>]*aria-current="true">all<', member)


def test_it_says_how_many_questions_the_filter_hides(client, issue, free_talk, asked):
    response = client.get(f"{issue.get_absolute_url()}?sort=votes&show=unanswered")

    hidden = by_id(response.text, f"filter-hidden-{free_talk.pk}")
    assert "3 questions hidden by the filter" in hidden
    page = issue.get_absolute_url()
    assert f'href="{page}?sort=votes#section-{free_talk.pk}"' in hidden
    assert f'hx-replace-url="{page}?sort=votes"' in hidden


def test_it_says_one_question_hidden_in_the_singular(client, issue, free_talk):
    QuestionFactory(section=free_talk, body="问题1")
    QuestionFactory(section=free_talk, body="问题2", answered=True)

    response = client.get(f"{issue.get_absolute_url()}?show=answered")

    hidden = by_id(response.text, f"filter-hidden-{free_talk.pk}")
    assert "1 question hidden by the filter" in hidden


def test_it_says_nothing_of_hidden_questions_without_a_filter(client, issue, free_talk, asked):
    response = client.get(issue.get_absolute_url())

    assert f'id="filter-hidden-{free_talk.pk}"' not in response.text
    section = by_id(response.text, f"section-{free_talk.pk}")
    assert "data-filtered" not in section[: section.index(">")]


def test_a_forged_mine_shows_an_anonymous_viewer_no_question_and_no_error(
    client, issue, free_talk, asked
):
    response = client.get(f"{issue.get_absolute_url()}?show=mine")

    assert response.status_code == 200
    section = by_id(response.text, f"section-{free_talk.pk}")
    assert bodies(section) == []
    assert "5 questions hidden by the filter" in section
    assert "asked or answered by me" not in section


@pytest.mark.parametrize("show", ["evil", "", "MINE", "all"])
def test_it_shows_every_question_for_an_unknown_filter(client, issue, free_talk, asked, show):
    page = client.get(f"{issue.get_absolute_url()}?show={show}")
    fragment = client.get(reverse("section", args=[free_talk.pk]) + f"?show={show}", headers=HTMX)

    for html in (by_id(page.text, f"section-{free_talk.pk}"), fragment.text):
        assert bodies(html) == KEPT["anonymous", "all"]
        assert "hidden by the filter" not in html


def test_a_plain_vote_comes_back_to_the_filter_the_page_had(client_as, issue, asked):
    page = issue.get_absolute_url()
    url = reverse("question-vote", args=[asked[4].pk])

    response = client_as("outsider").post(
        url, headers={"Referer": f"{page}?show=unanswered&sort=nonsense"}
    )

    assert response["Location"] == f"{page}?sort=time&show=unanswered#question-{asked[4].pk}"


# The query count does not grow with the filter


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("show", ["unanswered", "answered"])
def test_it_reads_a_filtered_page_in_a_fixed_number_of_queries(
    client, issue, free_talk, django_assert_num_queries, size, show
):
    author = UserFactory(alias="prolific")
    questions = Question.objects.bulk_create(
        Question(section=free_talk, body=f"Question {n}?", author=author, position=n)
        for n in range(size)
    )
    Answer.objects.bulk_create(Answer(question=q, body="An answer.") for q in questions[::2])

    # As without a filter (tests/talk/test_issue_page.py): issue, sections,
    # claims, items, questions, answers, chat lines and the revisions.
    with django_assert_num_queries(8):
        response = client.get(f"{issue.get_absolute_url()}?show={show}")

    assert response.status_code == 200
    assert questions_in(response.text) == size // 2


@pytest.mark.parametrize("size", [10, 200])
def test_it_reads_a_member_s_own_questions_in_a_fixed_number_of_queries(
    client, issue, free_talk, member, django_assert_num_queries, size
):
    author = UserFactory(alias="prolific")
    questions = Question.objects.bulk_create(
        Question(
            section=free_talk, body=f"Question {n}?", author=member if n % 3 else author, position=n
        )
        for n in range(size)
    )
    Answer.objects.bulk_create(
        Answer(question=q, body="An answer.", author=member) for q in questions[::3]
    )
    Vote.objects.bulk_create(Vote(question=q, member=member) for q in questions[::3])
    client.force_login(member)

    # As without a filter: session, user, issue, sections, claims, items,
    # questions, answers, chat lines, the member's votes, the unread count.
    with django_assert_num_queries(12):
        response = client.get(f"{issue.get_absolute_url()}?show=mine")

    assert response.status_code == 200
    assert questions_in(response.text) == size


@pytest.mark.parametrize("size", [10, 200])
def test_it_reads_a_filtered_section_in_a_fixed_number_of_queries(
    client, issue, free_talk, django_assert_num_queries, size
):
    questions = Question.objects.bulk_create(
        Question(section=free_talk, body=f"Question {n}?", position=n) for n in range(size)
    )
    Answer.objects.bulk_create(Answer(question=q, body="An answer.") for q in questions[::2])
    url = reverse("section", args=[free_talk.pk]) + "?show=unanswered"

    # The issue, the section, and its claims, items, questions, answers and
    # chat lines.
    with django_assert_num_queries(7):
        response = client.get(url, headers=HTMX)

    assert questions_in(response.text) == size // 2
