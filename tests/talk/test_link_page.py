"""A link's page (/s/<series>/links/<digest>/): every time a link was shared
in the series, newest issue first, and the questions and answers that
mention it as the issue pages show them; aliases, never an email."""

import datetime
import re

import pytest
from django.urls import reverse

from sections.links import key_digest, normalize_url
from sections.models import PostStatus
from talk.archive import link_page
from talk.models import Issue, Series
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.html import HOSTILE_NAME, unsafe_markup
from tests.responses import by_id

pytestmark = pytest.mark.usefixtures("english")

LLAMA2 = "https://arxiv.org/abs/2307.09288"
KEY = "arxiv.org/abs/2307.09288"


def shared(section, url=LLAMA2, **fields):
    return ItemFactory(section=section, url=url, url_key=normalize_url(url), **fields)


def page_of(series, key=KEY):
    return reverse("link-page", args=[series.slug, key_digest(key)])


@pytest.fixture
def yuhan(db):
    return UserFactory(alias="yuhan", email="yuhan@example.com")


def met(number: int) -> datetime.datetime:
    """Issue `number`'s meeting: a Saturday, a week after the one before."""
    return datetime.datetime(2023, 6, 3, 13, tzinfo=datetime.UTC) + datetime.timedelta(weeks=number)


@pytest.fixture
def issues(series, issue):
    """Issues 6, 7 and 8 (the `issue` fixture), created newest first: the
    page goes by when they met."""
    Issue.objects.filter(pk=issue.pk).update(meeting_at=met(8))
    older = {n: issue_create(series=series, by=None, number=n, meeting_at=met(n)) for n in (7, 6)}
    return older | {8: issue}


@pytest.fixture
def three_times(issues, member, yuhan):
    """Llama 2 shared in issues 6, 7 and 8, as different links to one paper."""
    member.email = "qiqi@example.com"
    member.save()
    return {
        6: shared(section_of(issues[6], "recommend"), title="Llama 2 论文", author_name="群友"),
        7: shared(
            section_of(issues[7], "news"),
            url="https://arxiv.org/pdf/2307.09288v2.pdf?utm_source=wechat",
            title="Llama 2 发布",
            body="Meta 开源了 Llama 2。",
            author=member,
        ),
        8: shared(section_of(issues[8], "news"), title="Llama 2 再读", author=yuhan),
    }


def test_it_lists_every_time_the_link_was_shared_newest_issue_first(client, issues, three_times):
    response = client.get(page_of(issues[8].series))

    assert response.status_code == 200
    html = response.text
    sightings = by_id(html, "link-shared")
    listed = [int(pk) for pk in re.findall(r'id="sighting-(\d+)"', sightings)]
    assert listed == [three_times[8].pk, three_times[7].pk, three_times[6].pk]
    for number, item in three_times.items():
        place = f'href="{issues[number].get_absolute_url()}#item-{item.pk}"'
        assert place in by_id(html, f"sighting-{item.pk}")
    seven = by_id(html, f"sighting-{three_times[7].pk}")
    assert "OpenLLM Talk 007" in seven
    assert section_of(issues[7], "news").title in seven
    assert "Meta 开源了 Llama 2。" in seven
    assert "Shared 3 times in OpenLLM Talk" in html


def test_it_credits_aliases_and_plain_names_and_never_an_email(client, issues, three_times):
    html = client.get(page_of(issues[8].series)).text

    assert "群友" in by_id(html, f"sighting-{three_times[6].pk}")
    member_page = reverse("contributor-page", args=[issues[8].series.slug, "初七"])
    assert f'href="{member_page}"' in by_id(html, f"sighting-{three_times[7].pk}")
    assert "yuhan" in by_id(html, f"sighting-{three_times[8].pk}")
    assert "@example.com" not in html


def test_it_does_not_link_a_member_who_switched_their_page_off(client, issues, three_times, member):
    member.public_profile = False
    member.save()

    seven = by_id(client.get(page_of(issues[8].series)).text, f"sighting-{three_times[7].pk}")

    assert "初七" in seven
    assert "/people/" not in seven


def test_it_lists_the_questions_and_answers_that_mention_the_link(
    client, issues, three_times, yuhan
):
    free_talk = section_of(issues[7], "free-talk")
    question = QuestionFactory(
        section=free_talk, body=f"{LLAMA2} 的 RLHF 有用吗？", author=yuhan, submitted_by=yuhan
    )
    answer = AnswerFactory(
        question=QuestionFactory(section=free_talk, body="Llama 2 的数据？"),
        body="见 https://arxiv.org/pdf/2307.09288v2.pdf?utm_source=wechat 第 4 节",
        author_name="群友",
    )
    QuestionFactory(section=free_talk, body="别的论文 arxiv.org/abs/2307.00001")

    mentions = by_id(client.get(page_of(issues[8].series)).text, "link-mentions")

    place = issues[7].get_absolute_url()
    assert f'href="{place}#question-{question.pk}"' in mentions
    assert f'href="{place}#answer-{answer.pk}"' in mentions
    assert "Answer to “Llama 2 的数据？”" in mentions
    assert "2307.00001" not in mentions


def test_a_hidden_answer_is_shown_only_to_its_author_and_the_admins(
    client, issues, three_times, yuhan, member, admin_user
):
    question = QuestionFactory(section=section_of(issues[8], "free-talk"), body="Llama 2 好吗？")
    hidden = AnswerFactory(
        question=question,
        body=f"广告 {LLAMA2}",
        author=yuhan,
        submitted_by=yuhan,
        status=PostStatus.HIDDEN,
    )
    anchor = f"#answer-{hidden.pk}"
    path = page_of(issues[8].series)

    assert anchor not in client.get(path).text
    client.force_login(member)
    assert anchor not in client.get(path).text
    for viewer in (yuhan, admin_user):
        client.force_login(viewer)
        mention = by_id(client.get(path).text, f"mention-answer-{hidden.pk}")
        assert "Hidden" in mention


def test_an_answer_under_a_hidden_question_stays_hidden(client, issues, three_times):
    question = QuestionFactory(
        section=section_of(issues[8], "free-talk"), body="?", status=PostStatus.HIDDEN
    )
    answer = AnswerFactory(question=question, body=LLAMA2)

    assert f"#answer-{answer.pk}" not in client.get(page_of(issues[8].series)).text


def test_it_says_when_nothing_mentions_the_link(client, issues, three_times):
    mentions = by_id(client.get(page_of(issues[8].series)).text, "link-mentions")

    assert "No question or answer mentions it." in mentions


@pytest.mark.parametrize("size", [1, 5])
def test_it_reads_in_a_fixed_number_of_queries(
    client, series, issue, django_assert_num_queries, size
):
    for number in range(1, size + 1):
        where = issue if number == 8 else issue_create(series=series, by=None, number=number)
        author = UserFactory(alias=f"sharer{number}")
        shared(section_of(where, "news"), author=author)
        question = QuestionFactory(section=section_of(where, "free-talk"), body=LLAMA2)
        AnswerFactory(question=question, body=LLAMA2, author=author)

    # series, items, questions, answers; the session-less request makes no other.
    with django_assert_num_queries(4):
        response = client.get(page_of(series))

    assert response.text.count('id="sighting-') == size
    assert response.text.count('id="mention-answer-') == size


@pytest.mark.parametrize(
    "digest",
    [
        key_digest("arxiv.org/abs/2307.00001"),  # shared nowhere
        key_digest(""),  # the key of every item without a link
        "not-a-digest",
    ],
)
def test_it_answers_404_with_words_for_a_link_shared_nowhere(client, issue, digest):
    ItemFactory(section=section_of(issue, "news"), url="", url_key="")

    response = client.get(reverse("link-page", args=[issue.series.slug, digest]))

    assert response.status_code == 404
    assert "No item of this series links there." in response.text


def test_it_keeps_to_its_series(client, issue, three_times):
    other = issue_create(
        series=Series.objects.create(slug="other", name="Other"), by=None, number=1
    )

    response = client.get(page_of(other.series))

    assert response.status_code == 404


def test_it_finds_a_key_that_is_not_ascii(series, issue, db):
    # The database's MD5 and Python's must agree on the UTF-8 of the key.
    url = "https://例子.中国/论文?id=1"
    item = shared(section_of(issue, "news"), url=url)

    found = link_page(series=series, digest=key_digest(item.url_key), viewer=UserFactory())

    assert found is not None
    assert [seen.item_id for seen in found.sightings] == [item.pk]


def test_it_escapes_what_members_typed(client, issue):
    shared(section_of(issue, "news"), title=HOSTILE_NAME, body=HOSTILE_NAME)

    response = client.get(page_of(issue.series))

    assert unsafe_markup(response.text) == []


def test_the_link_check_links_to_the_link_page(client, issue, three_times, member):
    client.force_login(member)
    section = section_of(issue, "news")

    response = client.get(
        reverse("link-check", args=[section.pk]), {"url": LLAMA2}, headers={"HX-Request": "true"}
    )

    assert f'href="{page_of(issue.series)}"' in response.text
