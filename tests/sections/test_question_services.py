import threading

import pytest
from django.db import connection

from sections import services
from sections.errors import Invalid, NotAllowed, StaleWrite
from sections.models import Answer, Question, Vote
from talk.services import issue_create
from tests.factories import UserFactory


@pytest.fixture
def free_talk(issue):
    return issue.sections.get(key="free-talk")


@pytest.fixture
def question(free_talk, member):
    return services.question_ask(
        section=free_talk, user=member, body="RLHF 有用吗？", subgroup="线上讨论"
    )


def test_it_asks_under_a_subgroup(question, member):
    assert question.subgroup == "线上讨论"
    assert question.author == member


def test_it_refuses_a_question_in_an_items_section(issue, member):
    with pytest.raises(Invalid):
        services.question_ask(section=issue.sections.get(key="news"), user=member, body="?")


def test_it_answers_and_replies_in_threads(question, outsider, host):
    answer = services.answer_post(question_id=question.pk, user=outsider, body="有用")
    reply = services.answer_post(
        question_id=question.pk, user=host, body="同意", parent_id=answer.pk
    )

    assert reply.parent == answer
    assert question.answers.count() == 2


def test_it_refuses_a_reply_to_another_question_s_answer(free_talk, question, outsider):
    other = services.question_ask(section=free_talk, user=outsider, body="另一个")
    foreign = services.answer_post(question_id=other.pk, user=outsider, body="x")

    with pytest.raises(Invalid):
        services.answer_post(question_id=question.pk, user=outsider, body="y", parent_id=foreign.pk)


def test_it_refuses_a_stale_question_edit(question, member, host):
    services.question_update(
        question_id=question.pk, user=host, version=question.version, body="A", subgroup=""
    )

    with pytest.raises(StaleWrite) as stale:
        services.question_update(
            question_id=question.pk, user=member, version=question.version, body="B", subgroup=""
        )

    assert stale.value.current.body == "A"


def test_it_refuses_a_stale_answer_edit(question, outsider, host):
    answer = services.answer_post(question_id=question.pk, user=outsider, body="v1")
    services.answer_update(answer_id=answer.pk, user=outsider, version=answer.version, body="v2")

    with pytest.raises(StaleWrite):
        services.answer_update(answer_id=answer.pk, user=host, version=answer.version, body="v3")


def test_it_lets_the_asker_or_the_host_mark_it_answered(question, member, host, outsider):
    with pytest.raises(NotAllowed):
        services.question_set_answered(question_id=question.pk, user=outsider, answered=True)

    services.question_set_answered(question_id=question.pk, user=member, answered=True)
    assert Question.objects.get(pk=question.pk).answered
    services.question_set_answered(question_id=question.pk, user=host, answered=False)
    assert not Question.objects.get(pk=question.pk).answered


def test_it_accepts_one_answer_at_a_time(question, member, outsider, host):
    first = services.answer_post(question_id=question.pk, user=outsider, body="a")
    second = services.answer_post(question_id=question.pk, user=host, body="b")

    services.answer_accept(answer_id=first.pk, user=member, accepted=True)
    services.answer_accept(answer_id=second.pk, user=member, accepted=True)

    assert list(question.answers.filter(accepted=True)) == [second]
    assert Question.objects.get(pk=question.pk).answered


def test_it_refuses_acceptance_by_someone_else(question, outsider):
    answer = services.answer_post(question_id=question.pk, user=outsider, body="a")

    with pytest.raises(NotAllowed):
        services.answer_accept(answer_id=answer.pk, user=outsider, accepted=True)


def test_it_keeps_a_question_that_others_answered(question, member, outsider):
    services.answer_post(question_id=question.pk, user=outsider, body="a")

    with pytest.raises(NotAllowed):
        services.question_delete(question_id=question.pk, user=member)


def test_it_lets_the_host_delete_an_answered_question(question, outsider, host):
    services.answer_post(question_id=question.pk, user=outsider, body="a")

    services.question_delete(question_id=question.pk, user=host)

    assert not Question.objects.filter(pk=question.pk).exists()


def test_it_keeps_an_answer_that_has_replies(question, member, outsider):
    answer = services.answer_post(question_id=question.pk, user=outsider, body="a")
    services.answer_post(question_id=question.pk, user=member, body="b", parent_id=answer.pk)

    with pytest.raises(NotAllowed):
        services.answer_delete(answer_id=answer.pk, user=outsider)
    assert Answer.objects.filter(pk=answer.pk).exists()


def test_it_toggles_a_vote(question, outsider):
    assert services.question_vote(question_id=question.pk, user=outsider) is True
    assert Vote.objects.filter(question=question).count() == 1

    assert services.question_vote(question_id=question.pk, user=outsider) is False
    assert Vote.objects.filter(question=question).count() == 0


def test_it_refuses_a_vote_for_one_s_own_question(question, member):
    with pytest.raises(NotAllowed):
        services.question_vote(question_id=question.pk, user=member)


@pytest.mark.postgres
def test_it_counts_one_vote_per_member_under_a_race(transactional_db, series):
    issue = issue_create(series=series, by=None, number=30)
    free_talk = issue.sections.get(key="free-talk")
    asker = UserFactory(alias="asker")
    question = services.question_ask(section=free_talk, user=asker, body="?")
    voters = [UserFactory(alias=f"voter{n}") for n in range(10)]
    barrier = threading.Barrier(20)
    errors = []

    def vote(user):
        try:
            barrier.wait()
            services.question_vote(question_id=question.pk, user=user)
        except Exception as error:  # a thread's exception would vanish silently
            errors.append(error)
        finally:
            connection.close()

    # Each voter clicks twice at the same moment: a toggle race.
    threads = [threading.Thread(target=vote, args=(user,)) for user in voters for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    per_member = list(Vote.objects.filter(question=question).values_list("member", flat=True))
    assert len(per_member) == len(set(per_member)) <= 10
