"""What concerns one member besides answers: their section curated by
someone else, an item credited to them, their answer accepted."""

from notify.models import Event, Notice
from sections.models import Item
from sections.services import (
    answer_accept,
    answer_post,
    item_move,
    item_set_discussed,
    item_submit,
    question_ask,
)
from tests.conftest import section_of
from tests.factories import ItemFactory


def told(user, kind):
    return Notice.objects.filter(recipient=user, event__kind=kind).count()


def test_an_owner_hears_when_the_host_curates_their_section(issue, owner, host, committed):
    news = section_of(issue, "news")
    item = ItemFactory(section=news, submitted_by=owner, author=owner)
    with committed():
        item_set_discussed(item_id=item.pk, user=host, discussed=True)

    assert told(owner, "section_curated") == 1
    [notice] = Notice.objects.filter(recipient=owner)
    assert notice.event.summary["section"] == news.title
    assert notice.event.summary["url"].endswith(f"#section-{news.pk}")


def test_a_burst_of_changes_is_told_once(issue, owner, host, committed):
    news = section_of(issue, "news")
    first, second = (ItemFactory(section=news, submitted_by=owner) for _ in range(2))
    with committed():
        item_set_discussed(item_id=first.pk, user=host, discussed=True)
        item_move(item_id=second.pk, user=host, direction="up")
        item_set_discussed(item_id=second.pk, user=host, discussed=True)

    assert told(owner, "section_curated") == 1


def test_an_owner_curating_their_own_section_is_not_told(issue, owner, committed):
    item = ItemFactory(section=section_of(issue, "news"), submitted_by=owner)
    with committed():
        item_set_discussed(item_id=item.pk, user=owner, discussed=True)

    assert not Event.objects.exists()


def test_a_member_credited_on_an_item_hears_of_it(issue, owner, member, committed):
    with committed():
        item = item_submit(
            section=section_of(issue, "news"),
            user=owner,
            title="From the chat",
            url="https://example.org/chat",
            credit_to=member.alias,
        )

    assert item.author == member
    assert told(member, "credited") == 1
    assert told(owner, "credited") == 0


def test_crediting_a_plain_name_tells_nobody(issue, owner, committed):
    with committed():
        item_submit(
            section=section_of(issue, "news"),
            user=owner,
            title="From the chat",
            url="https://example.org/chat2",
            credit_to="someone without an account",
        )

    assert not Event.objects.filter(kind="credited").exists()
    assert Item.objects.get().author is None


def test_an_accepted_answer_is_told_to_its_author_once(issue, asker, answerer, committed):
    with committed():
        question = question_ask(section=section_of(issue, "free-talk"), user=asker, body="Q?")
        answer = answer_post(question_id=question.pk, user=answerer, body="A.")
    with committed():
        answer_accept(answer_id=answer.pk, user=asker, accepted=True)
        answer_accept(answer_id=answer.pk, user=asker, accepted=True)

    assert told(answerer, "answer_accepted") == 1
