"""The narrow reads behind the desk's small answers: one item, one new row, the
contributors line alone, and the ids of the lists new rows are appended to.
Each must agree with what the whole page shows for the same rows."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from sections.models import ChatLine, Claim, Item, PostStatus, Section, Vote
from sections.selectors import (
    Group,
    fresh_item,
    fresh_question,
    group_key,
    issue_content,
    item_content,
    new_contributor,
    section_content,
    section_contributors,
)
from talk.models import IssueStatus
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory

ROLES = ["visitor", "anonymous", "author", "outsider", "owner", "host", "admin"]
# Who may edit the item of the `item` fixture (by 初七) and curate its section.
EDITS = {"author", "owner", "host", "admin"}
CURATES = {"owner", "host", "admin"}


@pytest.fixture
def viewer_as(people):
    def viewer(role):
        if role == "visitor":
            return None
        return AnonymousUser() if role == "anonymous" else people[role]

    return viewer


@pytest.fixture
def item(news, member):
    return ItemFactory(section=news, subgroup="学术", author=member, submitted_by=member)


def freeze(issue):
    issue.status = IssueStatus.FROZEN
    issue.save(update_fields=["status"])


# One item (its fragment after an edit)


@pytest.mark.parametrize("role", ROLES)
def test_item_content_says_what_the_viewer_may_do(issue, viewer_as, item, role):
    viewer = viewer_as(role)

    row = item_content(item.pk, issue=issue, viewer=viewer)

    assert row.row.pk == item.pk
    assert row.may_edit == (role in EDITS)
    assert row.may_curate == (role in CURATES)
    assert row.row.section.issue is issue


@pytest.mark.parametrize("role", ROLES)
def test_item_content_agrees_with_the_page(issue, viewer_as, item, role):
    viewer = viewer_as(role)

    row = item_content(item.pk, issue=issue, viewer=viewer)

    section = section_content(item.section_id, issue=issue, viewer=viewer)
    on_page = next(i for group in section.groups for i in group.entries if i.row.pk == item.pk)
    assert row.may_edit == on_page.may_edit
    assert row.may_curate == section.may_curate
    assert row.row.attribution == on_page.row.attribution == "初七"


@pytest.mark.parametrize("role", ROLES)
def test_item_content_offers_no_edit_on_a_frozen_issue(issue, viewer_as, item, role):
    freeze(issue)

    row = item_content(item.pk, issue=issue, viewer=viewer_as(role))

    assert not row.may_edit


def test_item_content_reads_only_the_issue_s_items(series, issue, item):
    other = issue_create(series=series, by=None, number=9)

    with pytest.raises(Item.DoesNotExist):
        item_content(item.pk, issue=other)


def test_item_content_reads_one_item_in_a_fixed_number_of_queries(
    issue, news, people, item, django_assert_max_num_queries
):
    for _ in range(20):
        ItemFactory(section=news, author=people["outsider"])

    with django_assert_max_num_queries(3):
        row = item_content(item.pk, issue=issue, viewer=people["owner"])
        assert row.row.attribution == "初七"


# A row just added (the answer to an add)


@pytest.mark.parametrize("role", ["author", "outsider", "owner", "host", "admin"])
def test_fresh_item_agrees_with_the_page(issue, news, viewer_as, role):
    viewer = viewer_as(role)
    item = ItemFactory(section=news, author=viewer, submitted_by=viewer)
    section = Section.objects.select_related("issue").get(pk=news.pk)

    row = fresh_item(item, section, viewer)

    on_page = section_content(news.pk, issue=issue, viewer=viewer)
    entry = next(i for group in on_page.groups for i in group.entries if i.row.pk == item.pk)
    assert row.may_edit == entry.may_edit is True
    assert row.may_curate == on_page.may_curate == (role in CURATES)


@pytest.mark.parametrize("role", ["author", "outsider", "owner", "host", "admin"])
def test_fresh_question_agrees_with_the_page(issue, free_talk, member, viewer_as, role):
    viewer = viewer_as(role)
    QuestionFactory(section=free_talk, author=member, position=1)
    QuestionFactory(section=free_talk, status=PostStatus.PENDING, position=2)
    question = QuestionFactory(section=free_talk, author=viewer, submitted_by=viewer, position=3)
    section = Section.objects.select_related("issue").get(pk=free_talk.pk)

    row = fresh_question(question, section, viewer)

    on_page = section_content(free_talk.pk, issue=issue, viewer=viewer)
    shown = next(q for q in on_page.numbered_questions if q.row.pk == question.pk)
    for flag in (
        "number",
        "vote_count",
        "is_asker",
        "may_answer",
        "may_vote",
        "may_edit",
        "may_settle",
    ):
        assert getattr(row, flag) == getattr(shown, flag), flag
    # The pending question is not counted, even by the admin who sees it.
    assert row.number == 2
    assert row.threads == []


# The contributors line alone (after an add or a removal)


@pytest.fixture
def busy(issue, news, free_talk, member, host):
    """Sections with every kind of contributor, listed in an order that ids
    alone would not give."""
    ajiu, shiyi = UserFactory(alias="阿九"), UserFactory(alias="十一")
    Claim.objects.create(section=news, member=ajiu, slot=2)
    Claim.objects.create(section=news, member=shiyi, slot=1)
    news.contributor_names = ["群友甲", "初七"]
    news.save(update_fields=["contributor_names"])
    ItemFactory(section=news, subgroup="学术", author=member, position=5)
    ItemFactory(section=news, subgroup="项目", author_name="群友乙", position=2)
    ItemFactory(section=news, kind=Item.Kind.SUGGESTION, author=ajiu, position=3)
    ItemFactory(section=news, author=UserFactory(alias="路过"), position=1)

    Claim.objects.create(section=free_talk, member=host, slot=1)
    # Questions in the order they were asked (see the test of their order below).
    first = QuestionFactory(section=free_talk, author_name="提问一", position=1)
    QuestionFactory(section=free_talk, author_name="待审", status=PostStatus.PENDING, position=2)
    later = QuestionFactory(section=free_talk, author=UserFactory(alias="提问二"), position=4)
    AnswerFactory(question=later, author=UserFactory(alias="答二"))
    answer = AnswerFactory(question=first, author=member)
    AnswerFactory(question=first, parent=answer, author_name="群友丙")
    AnswerFactory(question=first, author_name="隐藏的答", status=PostStatus.HIDDEN)
    AnswerFactory(question=later, author=host)

    chat = section_of(issue, "chat")
    ChatLine.objects.create(section=chat, speaker=member, text="来了", position=2)
    ChatLine.objects.create(section=chat, speaker_name="yuhan", text="好", position=1)
    return {"news": news, "free-talk": free_talk, "chat": chat}


@pytest.mark.parametrize("key", ["news", "free-talk", "chat"])
@pytest.mark.parametrize("viewer", [None, "outsider"])
def test_section_contributors_are_the_page_s(request, issue, busy, key, viewer):
    # Whoever reads the page, as long as they see only the visible posts.
    viewer = viewer and request.getfixturevalue(viewer)

    content = issue_content(issue, viewer=viewer)

    assert section_contributors(busy[key]) == content.section(key).contributors


def test_section_contributors_list_everyone_once_in_order(busy):
    assert section_contributors(busy["news"]) == [
        "十一",
        "阿九",
        "群友甲",
        "初七",
        "路过",
        "群友乙",
    ]
    assert section_contributors(busy["free-talk"]) == [
        "羡鱼",
        "提问一",
        "提问二",
        "初七",
        "群友丙",
        "答二",
    ]
    assert section_contributors(busy["chat"]) == ["yuhan", "初七"]


def test_section_contributors_leave_out_posts_others_cannot_see(busy):
    names = section_contributors(busy["free-talk"])

    assert "待审" not in names
    assert "隐藏的答" not in names


NAMES = ["十一", "阿九", "群友甲", "初七", "路过", "群友乙", "羡鱼", "提问一", "提问二", "群友丙"]
NAMES += ["答二", "yuhan", "待审", "隐藏的答", "新来的"]


@pytest.mark.parametrize("key", ["news", "free-talk"])
def test_a_new_post_names_its_author_only_if_the_line_lacks_them(busy, key):
    # The single query behind an add agrees with the whole line, whoever the
    # name comes from: owners, items, questions, answers, chat, or no one.
    section = busy[key]
    listed = section_contributors(section)
    for name in NAMES:
        if key == "news":
            row = ItemFactory(section=section, author=None, author_name=name, position=9)
        else:
            row = QuestionFactory(section=section, author=None, author_name=name, position=9)

        assert new_contributor(section, row) == ("" if name in listed else name), name
        row.delete()


def test_a_new_post_is_matched_by_alias_and_by_chat_name(busy, member):
    # 初七 is listed in free talk by an answer, yuhan in the chat by a line.
    question = QuestionFactory(section=busy["free-talk"], author=member, position=9)
    said = ItemFactory(section=busy["chat"], author=None, author_name="yuhan")
    new = ItemFactory(section=busy["chat"], author=UserFactory(alias="新人"))

    assert new_contributor(busy["free-talk"], question) == ""
    assert new_contributor(busy["chat"], said) == ""
    assert new_contributor(busy["chat"], new) == "新人"


def test_section_contributors_read_in_a_fixed_number_of_queries(
    busy, free_talk, django_assert_max_num_queries
):
    for _ in range(10):
        question = QuestionFactory(section=free_talk, author=UserFactory())
        AnswerFactory(question=question, author=UserFactory())

    with django_assert_max_num_queries(5):
        section_contributors(free_talk)


def test_the_page_lists_questions_in_their_order(issue, free_talk):
    # Created last to first (as an admin's reordering would leave them).
    asked = [
        QuestionFactory(section=free_talk, author_name=f"提问{n}", position=n)
        for n in range(6, 0, -1)
    ]

    section = issue_content(issue).section("free-talk")

    assert [q.row.pk for q in section.numbered_questions] == [q.pk for q in reversed(asked)]
    assert section.contributors == section_contributors(free_talk)


def test_sorting_by_votes_keeps_the_numbers_everyone_reads(issue, free_talk, admin_user):
    first = QuestionFactory(section=free_talk, position=1)
    hidden = QuestionFactory(section=free_talk, status=PostStatus.HIDDEN, position=2)
    last = QuestionFactory(section=free_talk, position=3)
    Vote.objects.create(question=last, member=UserFactory())

    section = issue_content(issue, viewer=admin_user, sort="votes").section("free-talk")

    shown = [(q.row.pk, q.number) for group in section.question_groups for q in group.entries]
    assert shown == [(last.pk, 2), (first.pk, 1), (hidden.pk, None)]


# The ids of the lists new rows are appended to


def test_group_key_names_the_main_list_main():
    assert group_key("") == "main"
    assert Group("").key == "main"


def test_group_key_is_the_same_in_every_process():
    # Fixed values: not Python's hash(), which changes with each process, so
    # a page and the answer to a later add, served by different workers, agree.
    assert group_key("学术") == "d83ea84c"
    assert group_key("线上讨论") == "befb5095"
    assert group_key("工业界") == "ab659cbb"
    assert Group("学术").key == group_key("学术")


def test_group_key_tells_the_seeded_sub_groups_apart(issue):
    names = {name for section in issue.sections.all() for name in section.subgroups}
    keys = {group_key(name) for name in names}

    assert len(names) > 5
    assert len(keys) == len(names)
    assert all(re.fullmatch(r"[0-9a-f]{8}", key) for key in keys)
    assert not keys & {"main", "nomination", "suggestion"}


def test_group_key_fits_in_an_id_whatever_the_name():
    for name in ["工业界", "Free Talk", "a/b #c", '"><script>', "  "]:
        assert re.fullmatch(r"[0-9a-f]{8}", group_key(name))
