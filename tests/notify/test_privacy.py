"""Events name no more than the recipient may read: a waiting post only to
its author and the stewards, a hidden post's words to nobody."""

import pytest

from notify.kinds import Email, Kind
from notify.models import Delivery, Notice, Preference
from notify.services import digests_send
from sections.models import Answer, Question
from sections.moderation import post_approve, post_hide, post_report
from sections.services import answer_post, question_ask
from talk.models import Issue
from tests.conftest import section_of
from tests.factories import UserFactory


@pytest.fixture
def premoderated(issue):
    Issue.objects.filter(pk=issue.pk).update(moderation="pre")
    issue.refresh_from_db()
    return issue


@pytest.fixture
def crowd(db):
    """Members with addresses who have nothing to do with the post."""
    return [UserFactory(alias=f"reader{n}", email=f"reader{n}@example.org") for n in range(3)]


def recipients(kind):
    return set(Notice.objects.filter(event__kind=kind).values_list("recipient__alias", flat=True))


def test_a_waiting_question_is_told_to_its_author_and_the_stewards_only(
    premoderated, asker, host, admin_user, crowd, committed, smtp
):
    with committed():
        question_ask(section=section_of(premoderated, "free-talk"), user=asker, body="Secret plan?")

    assert recipients("post_moderated") == {asker.alias}
    assert recipients("review_needed") == {host.alias, admin_user.alias}
    for reader in crowd:
        assert not smtp.to(reader.email)
    [mail] = smtp.to(asker.email)
    assert "waits for approval" in mail["Subject"]


def test_a_waiting_answer_reaches_the_asker_only_once_approved(
    premoderated, asker, answerer, admin_user, committed, smtp
):
    question = question_ask(section=section_of(premoderated, "free-talk"), user=asker, body="Q?")
    Question.objects.filter(pk=question.pk).update(status="visible")  # approved already
    with committed():
        answer = answer_post(question_id=question.pk, user=answerer, body="Waiting words.")
    assert answer.status == "pending"
    assert recipients("answered") == set()
    assert not smtp.to(asker.email)

    with committed():
        post_approve(kind="answer", post_id=answer.pk, user=admin_user)

    assert recipients("answered") == {asker.alias}
    assert "Waiting words." in smtp.to(asker.email)[0].get_body(("plain",)).get_content()


def test_a_hidden_post_is_told_to_its_author_with_the_reason_not_the_words(
    issue, asker, answerer, admin_user, committed, smtp
):
    with committed():
        question = question_ask(section=section_of(issue, "free-talk"), user=asker, body="Q?")
        answer = answer_post(question_id=question.pk, user=answerer, body="Call 555-0100 now.")
    smtp.messages.clear()
    with committed():
        post_hide(kind="answer", post_id=answer.pk, user=admin_user, reason="Spam.")

    assert recipients("post_moderated") == {answerer.alias}
    for mail in smtp.messages:
        assert "555-0100" not in mail.as_string()
    [mail] = smtp.to(answerer.email)
    assert "Your post was hidden" in mail["Subject"]
    assert "Spam." in mail.get_body(("plain",)).get_content()


def test_an_answer_hidden_after_the_inbox_entry_is_not_mailed_in_a_digest(
    issue, asker, answerer, admin_user, committed, smtp
):
    Preference.objects.create(user=asker, kind=Kind.ANSWERED, inbox=True, email=Email.DIGEST)
    with committed():
        question = question_ask(section=section_of(issue, "free-talk"), user=asker, body="Q?")
        answer = answer_post(question_id=question.pk, user=answerer, body="Hidden by morning.")
    Answer.objects.filter(pk=answer.pk).update(status="hidden")

    assert digests_send() == 0
    assert not smtp.to(asker.email)
    assert Delivery.objects.get(recipient=asker).status == "skipped"


def test_a_report_reaches_the_stewards_not_the_author(
    issue, asker, answerer, host, admin_user, committed, smtp
):
    with committed():
        question = question_ask(section=section_of(issue, "free-talk"), user=asker, body="Q?")
        answer = answer_post(question_id=question.pk, user=answerer, body="Rude words.")
    with committed():
        post_report(kind="answer", post_id=answer.pk, user=asker, reason="It is rude.")

    assert recipients("review_needed") == {host.alias, admin_user.alias}
    assert not Notice.objects.filter(event__kind="review_needed", recipient=answerer).exists()
    [entry] = Notice.objects.filter(event__kind="review_needed", recipient=host)
    assert entry.event.summary["url"].endswith("/moderation/")
