"""A contributor's page (/s/<series>/people/<alias>/): what one alias (or a
name credited without an account) brought to each issue of the series, as
the issue pages show it; a member may switch theirs off."""

import datetime

import pytest
from django.urls import reverse

from sections.models import ChatLine, Claim, PostStatus
from talk.models import Issue, Series
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.html import HOSTILE_NAME, unsafe_markup
from tests.responses import by_id

pytestmark = pytest.mark.usefixtures("english")

NOT_FOUND = "Nobody of that name has a contributor page in this series."


def met(number: int) -> datetime.datetime:
    return datetime.datetime(2023, 6, 3, 13, tzinfo=datetime.UTC) + datetime.timedelta(weeks=number)


def page_of(series, name):
    return reverse("contributor-page", args=[series.slug, name])


def issue_block(html, issue):
    """The part of the page about one issue."""
    start = html.index(f'<a href="{issue.get_absolute_url()}">{issue.title}</a>')
    end = html.find("</section>", start)
    return html[start:end]


@pytest.fixture
def issues(series, issue):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=met(8))
    older = {n: issue_create(series=series, by=None, number=n, meeting_at=met(n)) for n in (7, 6)}
    return older | {8: issue}


@pytest.fixture
def qiqi(member):
    member.email = "qiqi@example.com"
    member.save()
    return member


@pytest.fixture
def contributions(issues, qiqi):
    """初七's part in issues 6 to 8, and a post of someone else's."""
    free_talk = section_of(issues[8], "free-talk")
    Claim.objects.create(section=section_of(issues[8], "practice"), member=qiqi, slot=1)
    Issue.objects.filter(pk=issues[7].pk).update(host=qiqi)
    other = QuestionFactory(section=free_talk, body="别人的问题？", author_name="群友")
    return {
        "item": ItemFactory(section=section_of(issues[7], "news"), title="Falcon", author=qiqi),
        "question": QuestionFactory(
            section=free_talk, body="RLHF 有用吗？", author=qiqi, submitted_by=qiqi
        ),
        "answer": AnswerFactory(question=other, body="RM 像排序", author=qiqi, submitted_by=qiqi),
        "old-answer": AnswerFactory(
            question=QuestionFactory(section=section_of(issues[6], "free-talk"), body="旧问题"),
            body="以前的回答",
            author=qiqi,
            submitted_by=qiqi,
        ),
        "chat": ChatLine.objects.create(
            section=section_of(issues[8], "chat"), speaker=qiqi, text="来了"
        ),
        "not-hers": ItemFactory(section=section_of(issues[8], "news"), title="别人的", author=None),
    }


def test_it_lists_the_contributions_by_issue_newest_first(client, issues, contributions):
    response = client.get(page_of(issues[8].series, "初七"))

    assert response.status_code == 200
    html = response.text
    titles = [html.index(issues[n].title + "</a>") for n in (8, 7, 6)]
    assert titles == sorted(titles)
    eight = issue_block(html, issues[8])
    place = issues[8].get_absolute_url()
    assert "Owned the section" in eight
    assert f'href="{place}#section-{section_of(issues[8], "practice").pk}"' in eight
    assert f'href="{place}#question-{contributions["question"].pk}"' in eight
    assert f'href="{place}#answer-{contributions["answer"].pk}"' in eight
    assert f'href="{place}#section-{section_of(issues[8], "chat").pk}"' in eight
    assert "来了" in eight
    assert "别人的" not in html
    assert "别人的问题" not in html
    seven = issue_block(html, issues[7])
    assert ">host<" in seven
    assert f'href="{issues[7].get_absolute_url()}#item-{contributions["item"].pk}"' in seven
    assert "以前的回答" in issue_block(html, issues[6])


def test_it_finds_an_alias_typed_in_any_case(client, issues, contributions):
    UserFactory(alias="Yuhan")
    ItemFactory(section=section_of(issues[8], "news"), title="Yuhan 的推荐", author_name="Yuhan")

    response = client.get(page_of(issues[8].series, "yuHAN"))

    assert response.status_code == 200
    assert "Yuhan 的推荐" in response.text


@pytest.mark.parametrize("role", ["anonymous", "outsider", "author", "admin"])
def test_it_never_shows_an_email(client_as, issues, contributions, admin_user, role):
    admin_user.email = "admin@example.com"
    admin_user.save()

    response = client_as(role).get(page_of(issues[8].series, "初七"))

    assert response.status_code == 200
    assert "@example.com" not in response.text


def test_a_hidden_answer_is_shown_only_to_its_author_and_the_admins(
    client_as, issues, contributions
):
    hidden = contributions["answer"]
    hidden.status = PostStatus.HIDDEN
    hidden.save()
    path = page_of(issues[8].series, "初七")

    for role in ("anonymous", "outsider"):
        assert f"#answer-{hidden.pk}" not in client_as(role).get(path).text
    for role in ("author", "admin"):
        html = client_as(role).get(path).text
        assert f"#answer-{hidden.pk}" in html
        assert "Hidden" in issue_block(html, issues[8])


def test_a_pending_question_is_shown_to_its_author(client_as, issues, contributions):
    pending = contributions["question"]
    pending.status = PostStatus.PENDING
    pending.save()
    path = page_of(issues[8].series, "初七")

    assert f"#question-{pending.pk}" not in client_as("outsider").get(path).text
    assert "Waiting for approval" in client_as("author").get(path).text


@pytest.mark.parametrize("role", ["anonymous", "outsider", "host"])
def test_a_page_switched_off_is_not_found_by_others(client_as, issues, contributions, qiqi, role):
    qiqi.public_profile = False
    qiqi.save()

    response = client_as(role).get(page_of(issues[8].series, "初七"))

    assert response.status_code == 404
    assert NOT_FOUND in response.text


@pytest.mark.parametrize(
    ("role", "note"),
    [
        ("author", "Your contributor page is switched off"),
        ("admin", "This member switched their contributor page off"),
    ],
)
def test_a_page_switched_off_is_seen_by_the_member_and_admins(
    client_as, issues, contributions, qiqi, role, note
):
    qiqi.public_profile = False
    qiqi.save()

    response = client_as(role).get(page_of(issues[8].series, "初七"))

    assert response.status_code == 200
    assert note in by_id(response.text, "contributor-hidden")
    assert "Falcon" in response.text


def test_the_issue_page_still_credits_a_member_who_switched_off(
    client, issues, contributions, qiqi
):
    qiqi.public_profile = False
    qiqi.save()

    response = client.get(issues[7].get_absolute_url())

    assert "初七" in by_id(response.text, f"item-{contributions['item'].pk}")


def test_it_lists_a_name_credited_without_an_account(client, issues):
    item = ItemFactory(
        section=section_of(issues[6], "news"), title="群友的推荐", author_name="群友"
    )
    section = section_of(issues[7], "recommend")
    section.contributor_names = ["suc16", "群友"]
    section.save()
    Issue.objects.filter(pk=issues[8].pk).update(host_name="suc16、群友")

    response = client.get(page_of(issues[8].series, "群友"))

    assert response.status_code == 200
    html = response.text
    assert "Credited by name, without an account." in html
    assert f"#item-{item.pk}" in issue_block(html, issues[6])
    assert "Among the section's contributors" in issue_block(html, issues[7])
    assert ">host<" in issue_block(html, issues[8])


def test_a_name_is_not_a_part_of_another(client, issues):
    Issue.objects.filter(pk=issues[8].pk).update(host_name="群友甲")

    response = client.get(page_of(issues[8].series, "群友"))

    assert response.status_code == 404


def test_the_host_of_record_is_the_account(client, issues, qiqi):
    # An issue hosted by a member shows their alias, not the old names.
    Issue.objects.filter(pk=issues[8].pk).update(host=qiqi, host_name="群友")

    assert client.get(page_of(issues[8].series, "群友")).status_code == 404
    assert ">host<" in client.get(page_of(issues[8].series, "初七")).text


@pytest.mark.parametrize("size", [1, 5])
def test_it_reads_in_a_fixed_number_of_queries(
    client, series, issue, qiqi, django_assert_num_queries, size
):
    for number in range(1, size + 1):
        where = issue if number == 8 else issue_create(series=series, by=None, number=number)
        Claim.objects.create(section=section_of(where, "news"), member=qiqi, slot=1)
        ItemFactory(section=section_of(where, "news"), author=qiqi)
        question = QuestionFactory(section=section_of(where, "free-talk"), author=qiqi)
        AnswerFactory(question=question, author=qiqi)
        ChatLine.objects.create(section=section_of(where, "chat"), speaker=qiqi, text="来了")
        Issue.objects.filter(pk=where.pk).update(editor=qiqi)

    # series, the member, claims, imported sections, items, questions,
    # answers, chat lines, roles; the session-less request makes no other.
    with django_assert_num_queries(9):
        response = client.get(page_of(series, "初七"))

    assert response.text.count('<section class="card"') == size


@pytest.mark.parametrize("name", ["nobody", "初七"])
def test_it_answers_404_with_words_for_a_name_without_contributions(client, issue, member, name):
    response = client.get(page_of(issue.series, name))

    assert response.status_code == 404
    assert NOT_FOUND in response.text


def test_it_keeps_to_its_series(client, issues, contributions):
    other = Series.objects.create(slug="other", name="Other")

    assert client.get(page_of(other, "初七")).status_code == 404


def test_it_shows_the_member_their_own_empty_page(client, issue, member):
    client.force_login(member)

    response = client.get(page_of(issue.series, "初七"))

    assert response.status_code == 200
    assert "Nothing contributed to this series yet." in response.text


def test_it_takes_an_alias_with_a_slash(client, issue):
    slashed = UserFactory(alias="a/b")
    ItemFactory(section=section_of(issue, "news"), title="Slashed", author=slashed)

    response = client.get(page_of(issue.series, "a/b"))

    assert response.status_code == 200
    assert "Slashed" in response.text


def test_it_escapes_what_members_typed(client, issue):
    ItemFactory(section=section_of(issue, "news"), title=HOSTILE_NAME, author_name="群友")

    response = client.get(page_of(issue.series, "群友"))

    assert unsafe_markup(response.text) == []
