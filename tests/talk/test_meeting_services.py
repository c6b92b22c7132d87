"""The meeting: the host's pointer, the spotlighted question, the highlights
line, items marked discussed and dragged into place."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from sections import services as desk
from sections.errors import Invalid, IssueClosed, NotAllowed, StaleWrite
from sections.models import Item, PostStatus, Question, Section, Vote
from talk import selectors, services
from talk.models import Issue
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory, UserFactory


@pytest.fixture
def live(issue, host):
    return services.issue_start(issue_id=issue.pk, user=host)


def ordered_sections(issue) -> list[int]:
    return list(issue.sections.order_by("position", "id").values_list("pk", flat=True))


def pointer(issue) -> int | None:
    return Issue.objects.get(pk=issue.pk).current_section_id


# The pointer


def test_it_begins_with_the_first_section(live, host):
    issue = services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=None, step=1)

    assert issue.current_section_id == ordered_sections(live)[0]
    assert issue.section_started_at is not None


@pytest.mark.parametrize("role", ["host", "editor", "admin"])
def test_it_lets_the_stewards_move_on(live, who, role):
    first, second = ordered_sections(live)[:2]
    Issue.objects.filter(pk=live.pk).update(current_section_id=first)

    services.issue_pointer_move(issue_id=live.pk, user=who(role), expected_id=first, step=1)

    assert pointer(live) == second


def test_it_goes_back_and_stays_at_the_ends(live, host):
    order = ordered_sections(live)
    Issue.objects.filter(pk=live.pk).update(current_section_id=order[1])

    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=order[1], step=-1)
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=order[0], step=-1)

    assert pointer(live) == order[0]


def empty_block(issue, position: int) -> Section:
    """A block an import keeps for its record (序章) with nothing to show:
    the page leaves it out."""
    return Section.objects.create(
        issue=issue, key=f"block-{position}", title="序章", owner_cap=0, position=position
    )


def test_it_walks_only_the_sections_the_page_shows(live, host):
    order = ordered_sections(live)
    live.sections.update(position=F("position") * 10 + 10)
    first = Section.objects.get(pk=order[0]).position
    before, between = empty_block(live, first - 5), empty_block(live, first + 5)

    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=None, step=1)
    assert pointer(live) == order[0]
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=order[0], step=1)
    assert pointer(live) == order[1]
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=order[1], step=-1)
    assert pointer(live) == order[0]
    for hidden in (before, between):
        with pytest.raises(Invalid):
            services.issue_pointer_move(
                issue_id=live.pk, user=host, expected_id=order[0], section_id=hidden.pk
            )


def test_a_pointer_left_on_a_section_not_shown_moves_on_from_there(live, host):
    order = ordered_sections(live)
    live.sections.update(position=F("position") + 1)
    block = empty_block(live, 0)
    Issue.objects.filter(pk=live.pk).update(current_section_id=block.pk)

    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=block.pk, step=1)

    assert pointer(live) == order[0]


def test_it_jumps_to_a_section(live, host):
    free_talk = section_of(live, "free-talk")

    services.issue_pointer_move(
        issue_id=live.pk, user=host, expected_id=None, section_id=free_talk.pk
    )

    assert pointer(live) == free_talk.pk


def test_next_at_the_last_section_keeps_its_clock(live, host):
    last = ordered_sections(live)[-1]
    started = timezone.now() - datetime.timedelta(minutes=7)
    Issue.objects.filter(pk=live.pk).update(current_section_id=last, section_started_at=started)

    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=last, step=1)
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=last, section_id=last)

    live.refresh_from_db()
    assert live.current_section_id == last
    assert live.section_started_at == started  # not seven minutes lost


def test_next_at_the_end_still_says_when_the_meeting_moved(live, host):
    first, second = ordered_sections(live)[:2]
    Issue.objects.filter(pk=live.pk).update(current_section_id=second)

    # The host saw the first section and went "back" from it, which stays put.
    with pytest.raises(services.PointerMoved):
        services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=first, step=-1)
    assert pointer(live) == second


def test_it_refuses_a_section_of_another_issue(live, host, series):
    other = services.issue_create(series=series, by=None, number=99)

    with pytest.raises(Invalid):
        services.issue_pointer_move(
            issue_id=live.pk,
            user=host,
            expected_id=None,
            section_id=section_of(other, "news").pk,
        )
    assert pointer(live) is None


def test_it_tells_the_second_steward_where_the_meeting_is(live, host, editor):
    first, second = ordered_sections(live)[:2]
    Issue.objects.filter(pk=live.pk).update(current_section_id=first)
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=first, step=1)

    # The editor saw the first section too and pressed "next" as well.
    with pytest.raises(services.PointerMoved) as refused:
        services.issue_pointer_move(issue_id=live.pk, user=editor, expected_id=first, step=1)

    assert pointer(live) == second
    assert live.sections.get(pk=second).title in str(refused.value.message)


@pytest.mark.parametrize("role", ["author", "owner", "outsider", "anonymous"])
def test_it_keeps_the_pointer_for_the_stewards(live, who, role):
    with pytest.raises(NotAllowed):
        services.issue_pointer_move(issue_id=live.pk, user=who(role), expected_id=None, step=1)
    assert pointer(live) is None


@pytest.mark.parametrize("state", ["draft", "frozen"])
def test_it_moves_the_pointer_only_during_the_meeting(issue, host, state):
    Issue.objects.filter(pk=issue.pk).update(status=state)

    with pytest.raises(IssueClosed):
        services.issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, step=1)
    assert pointer(issue) is None


@pytest.mark.postgres
def test_two_stewards_pressing_next_at_once_move_it_once(transactional_db, series):
    host, editor = UserFactory(alias="主持"), UserFactory(alias="编辑者")
    issue = services.issue_create(series=series, by=None, number=77)
    Issue.objects.filter(pk=issue.pk).update(host=host, editor=editor, status="live")
    first, second = ordered_sections(issue)[:2]
    Issue.objects.filter(pk=issue.pk).update(current_section_id=first)
    barrier = threading.Barrier(8)
    moved, told = [], []

    def press(user):
        try:
            barrier.wait()
            services.issue_pointer_move(issue_id=issue.pk, user=user, expected_id=first, step=1)
            moved.append(user.alias)
        except services.PointerMoved:
            told.append(user.alias)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in [host, editor] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(moved) == 1
    assert len(told) == 7
    assert pointer(issue) == second


# The question under discussion


def test_it_spotlights_a_question_and_clears_it(live, host):
    question = QuestionFactory(section=section_of(live, "free-talk"))

    assert services.issue_spotlight(issue_id=live.pk, user=host, question_id=question.pk)
    assert Issue.objects.get(pk=live.pk).spotlight_id == question.pk

    services.issue_spotlight(issue_id=live.pk, user=host, question_id=None)
    assert Issue.objects.get(pk=live.pk).spotlight_id is None


def test_it_spotlights_only_what_the_room_can_see(live, host):
    hidden = QuestionFactory(section=section_of(live, "free-talk"), status=PostStatus.PENDING)

    with pytest.raises(Invalid):
        services.issue_spotlight(issue_id=live.pk, user=host, question_id=hidden.pk)
    assert Issue.objects.get(pk=live.pk).spotlight_id is None


def test_it_keeps_the_spotlight_for_the_stewards(live, member):
    question = QuestionFactory(section=section_of(live, "free-talk"), author=member)

    with pytest.raises(NotAllowed):
        services.issue_spotlight(issue_id=live.pk, user=member, question_id=question.pk)


def test_a_spotlighted_question_counts_as_discussed(live, host):
    question = QuestionFactory(section=section_of(live, "free-talk"))

    services.issue_spotlight(issue_id=live.pk, user=host, question_id=question.pk)

    question.refresh_from_db()
    assert question.discussed


def vote(question, times):
    for _ in range(times):
        Vote.objects.create(question=question, member=UserFactory())


@pytest.mark.usefixtures("english")
def test_it_spotlights_the_most_voted_questions_in_turn(live, host):
    free, practice = section_of(live, "free-talk"), section_of(live, "practice")
    first = QuestionFactory(section=free, body="asked first, one vote")
    second = QuestionFactory(section=practice, body="three votes")
    third = QuestionFactory(section=free, body="one vote, asked later")
    QuestionFactory(section=free, status=PostStatus.PENDING, body="waiting, five votes")
    vote(first, 1)
    vote(second, 3)
    vote(third, 1)
    hidden = Question.objects.get(body="waiting, five votes")
    vote(hidden, 5)

    spotlit = [
        services.issue_spotlight_next(issue_id=live.pk, user=host).spotlight_id for _ in range(3)
    ]

    assert spotlit == [second.pk, first.pk, third.pk]
    with pytest.raises(services.NothingLeft, match="none is left"):
        services.issue_spotlight_next(issue_id=live.pk, user=host)
    assert Issue.objects.get(pk=live.pk).spotlight_id == third.pk


def test_it_keeps_spotlight_next_for_the_stewards(live, member):
    QuestionFactory(section=section_of(live, "free-talk"))

    with pytest.raises(NotAllowed):
        services.issue_spotlight_next(issue_id=live.pk, user=member)
    assert Issue.objects.get(pk=live.pk).spotlight_id is None


def test_it_marks_the_current_section_s_items_discussed_in_order(live, host):
    news = section_of(live, "news")
    first = ItemFactory(section=news, title="Falcon")
    ItemFactory(section=news, kind=Item.Kind.NOTE, title="", body="a note")
    second = ItemFactory(section=news, title="vllm")
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=None, section_id=news.pk)

    marked = [services.issue_discuss_next_item(issue_id=live.pk, user=host) for _ in range(2)]

    assert [item.pk for item in marked] == [first.pk, second.pk]
    assert set(news.items.filter(discussed=True).values_list("title", flat=True)) == {
        "Falcon",
        "vllm",
    }
    with pytest.raises(services.NothingLeft):
        services.issue_discuss_next_item(issue_id=live.pk, user=host)


@pytest.mark.usefixtures("english")
def test_it_marks_nothing_discussed_before_a_section_is_under_way(live, host):
    ItemFactory(section=section_of(live, "news"), title="Falcon")

    with pytest.raises(Invalid, match="Begin with a section"):
        services.issue_discuss_next_item(issue_id=live.pk, user=host)
    assert not Item.objects.filter(discussed=True).exists()


@pytest.mark.parametrize("role", ["author", "owner"])
def test_it_keeps_discuss_next_for_the_stewards(live, host, who, role):
    news = section_of(live, "news")
    ItemFactory(section=news, title="Falcon")
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=None, section_id=news.pk)

    with pytest.raises(NotAllowed):
        services.issue_discuss_next_item(issue_id=live.pk, user=who(role))
    assert not Item.objects.filter(discussed=True).exists()


def test_freezing_ends_the_meeting_s_pointer(live, host, monkeypatch):
    monkeypatch.setattr(services.exports, "_enqueue", lambda export_ids: None)
    question = QuestionFactory(section=section_of(live, "free-talk"))
    services.issue_pointer_move(issue_id=live.pk, user=host, expected_id=None, step=1)
    services.issue_spotlight(issue_id=live.pk, user=host, question_id=question.pk)

    services.issue_freeze(issue_id=live.pk, user=host)

    issue = Issue.objects.get(pk=live.pk)
    assert (issue.current_section_id, issue.spotlight_id) == (None, None)


# The highlights line


def test_it_saves_the_highlights(issue, host):
    saved = services.issue_highlights_save(
        issue_id=issue.pk, user=host, version=issue.version, text=" RoPE 外推；vllm； "
    )

    assert saved.highlights == "RoPE 外推；vllm；"
    assert saved.version == issue.version + 1


def test_it_refuses_highlights_over_a_newer_version(issue, host, editor):
    services.issue_highlights_save(
        issue_id=issue.pk, user=editor, version=issue.version, text="编辑写的；"
    )

    with pytest.raises(StaleWrite) as refused:
        services.issue_highlights_save(
            issue_id=issue.pk, user=host, version=issue.version, text="主持人写的；"
        )

    assert refused.value.current.highlights == "编辑写的；"
    assert Issue.objects.get(pk=issue.pk).highlights == "编辑写的；"


@pytest.mark.parametrize("role", ["author", "owner", "outsider", "anonymous"])
def test_it_keeps_the_highlights_for_the_stewards(issue, who, role):
    with pytest.raises(NotAllowed):
        services.issue_highlights_save(
            issue_id=issue.pk, user=who(role), version=issue.version, text="我的提要；"
        )
    assert Issue.objects.get(pk=issue.pk).highlights == ""


def test_it_suggests_the_themes_and_the_discussed_items(issue):
    news, recommend = section_of(issue, "news"), section_of(issue, "recommend")
    recommend.theme = "长上下文"
    recommend.save()
    ItemFactory(section=news, title="Falcon", discussed=True)
    ItemFactory(section=news, title="没讨论的", discussed=False)
    ItemFactory(section=news, title="MusicGen", discussed=True)
    ItemFactory(section=news, title="Falcon", discussed=True)

    assert selectors.highlights_suggestion(issue) == "长上下文；Falcon；MusicGen；"


def test_it_suggests_every_entry_before_anything_is_discussed(issue):
    news = section_of(issue, "news")
    ItemFactory(section=news, title="百川 7B")
    ItemFactory(section=news, title="State of GPT")
    ItemFactory(section=news, kind=Item.Kind.NOTE, title="a note, not an entry")

    assert selectors.highlights_suggestion(issue) == "百川 7B；State of GPT；"


# Items: discussed, and dragged into place


@pytest.mark.parametrize("role", ["owner", "host", "admin"])
def test_it_lets_the_curators_mark_an_item_discussed(issue, who, role):
    item = ItemFactory(section=section_of(issue, "news"))

    desk.item_set_discussed(item_id=item.pk, user=who(role), discussed=True)

    assert Item.objects.get(pk=item.pk).discussed


@pytest.mark.parametrize("role", ["author", "outsider"])
def test_it_keeps_discussed_for_the_curators(issue, who, role, member):
    item = ItemFactory(section=section_of(issue, "news"), author=member)

    with pytest.raises(NotAllowed):
        desk.item_set_discussed(item_id=item.pk, user=who(role), discussed=True)
    assert not Item.objects.get(pk=item.pk).discussed


def titles(section) -> list[str]:
    return list(section.items.order_by("position", "id").values_list("title", flat=True))


@pytest.mark.parametrize(
    ("moving", "before", "expected"),
    [
        ("C", "A", ["C", "A", "B", "D"]),
        ("A", "C", ["B", "A", "C", "D"]),
        ("B", "D", ["A", "C", "B", "D"]),
        ("A", None, ["B", "C", "D", "A"]),
        ("B", "B", ["A", "B", "C", "D"]),
    ],
)
def test_it_puts_a_dragged_item_where_it_was_dropped(issue, host, moving, before, expected):
    news = section_of(issue, "news")
    rows = {t: ItemFactory(section=news, subgroup="学术", title=t) for t in "ABCD"}

    desk.item_move(item_id=rows[moving].pk, user=host, before_id=rows[before].pk if before else 0)

    assert titles(news) == expected


def test_it_drops_an_item_only_among_its_neighbours(issue, host):
    news = section_of(issue, "news")
    academic = ItemFactory(section=news, subgroup="学术", title="A")
    industry = ItemFactory(section=news, subgroup="工业界", title="B")

    with pytest.raises(Invalid):
        desk.item_move(item_id=academic.pk, user=host, before_id=industry.pk)
    assert titles(news) == ["A", "B"]
