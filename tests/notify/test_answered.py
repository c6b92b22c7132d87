"""The issue's "done when": a member who asks a question gets an inbox entry
and an email when someone answers, through a real SMTP server."""

from notify.kinds import Kind
from notify.models import Delivery, DeliveryStatus, Event, Notice
from notify.services import delivery_send, event_fan_out
from sections.models import Answer, PostStatus
from sections.services import answer_post, question_ask
from tests.conftest import section_of


def ask_and_answer(issue, asker, answerer, committed, **answer):
    section = section_of(issue, "free-talk")
    with committed():
        question = question_ask(
            section=section, user=asker, body="Which 7B model reads Chinese best?"
        )
    with committed():
        reply = answer_post(
            question_id=question.pk, user=answerer, body="Qwen, by a mile.", **answer
        )
    return question, reply


def test_it_tells_the_asker_in_the_inbox_and_by_mail(
    issue, asker, answerer, smtp, committed, settings
):
    _question, answer = ask_and_answer(issue, asker, answerer, committed)

    [notice] = Notice.objects.filter(recipient=asker)
    assert notice.read_at is None
    assert notice.event.summary["url"].endswith(f"#answer-{answer.pk}")
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "asker@example.org"
    # The asker reads English (their language), and is told who answered.
    assert mail["Subject"] == "回答者 answered your question (Free Talk, OpenLLM Talk 008)"
    text = mail.get_body(("plain",)).get_content()
    assert "Qwen, by a mile." in text
    # A worker has no request: links start with the configured address.
    assert f"{settings.SITE_URL}/s/openllm-talk/8/#answer-{answer.pk}" in text
    assert "answerer@example.org" not in mail.as_string()


def test_it_tells_nobody_else(issue, asker, answerer, member, smtp, committed):
    ask_and_answer(issue, asker, answerer, committed)

    assert not Notice.objects.exclude(recipient=asker).exists()
    assert [to for _from, to in smtp.envelopes] == [["asker@example.org"]]


def test_it_tells_the_answerer_of_a_reply_too(issue, asker, answerer, member, smtp, committed):
    answerer.language = "zh-hans"
    answerer.save(update_fields=["language"])
    question, answer = ask_and_answer(issue, asker, answerer, committed)
    with committed():
        answer_post(question_id=question.pk, user=member, body="Agreed.", parent_id=answer.pk)

    assert Notice.objects.filter(recipient=answerer).count() == 1
    assert Notice.objects.filter(recipient=asker).count() == 2
    # In the answerer's language.
    assert "在你参与的讨论中回复了" in smtp.to("answerer@example.org")[0]["Subject"]


def test_it_does_not_tell_someone_of_their_own_answer(issue, asker, smtp, committed):
    section = section_of(issue, "free-talk")
    with committed():
        question = question_ask(section=section, user=asker, body="Anyone?")
    with committed():
        answer_post(question_id=question.pk, user=asker, body="Answering myself.")

    assert not Notice.objects.exists()
    assert smtp.messages == []


def test_an_answer_hidden_before_the_send_is_not_mailed(issue, asker, answerer, smtp, committed):
    section = section_of(issue, "free-talk")
    with committed():
        question = question_ask(section=section, user=asker, body="Which 7B model?")
    # Not sent yet (the queue is slow) when a moderator hides it.
    answer = answer_post(question_id=question.pk, user=answerer, body="Buy my course!")
    Answer.objects.filter(pk=answer.pk).update(status=PostStatus.HIDDEN)
    event_fan_out(event_id=Event.objects.get(kind=Kind.ANSWERED).pk)
    [delivery] = Delivery.objects.all()
    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert smtp.messages == []
