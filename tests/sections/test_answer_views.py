import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Answer, Question
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.responses import (
    BOTH_WAYS,
    assert_changed,
    assert_refused,
    by_id,
    headers,
    rendered,
    says,
    template_names,
    triggered,
)

pytestmark = pytest.mark.usefixtures("english")

MEMBERS = ["outsider", "owner", "host", "admin"]
EDITORS = ["author", "owner", "host", "admin"]
LOG_IN = "Log in to contribute."
NOT_YOURS = "Only its author, the section's owners and the host can change this."
ANSWERED = "RM 的数据类似排序数据"


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, author=member, submitted_by=member)


@pytest.fixture
def answer(question, member):
    return AnswerFactory(question=question, body=ANSWERED, author=member, submitted_by=member)


def page_of(question):
    return f"{question.section.issue.get_absolute_url()}#question-{question.pk}"


def post_answer(client, question, htmx, **fields):
    url = reverse("sections:answer-create", args=[question.pk])
    return client.post(url, {"body": "同意", **fields}, headers=headers(htmx))


# Answering


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_takes_an_answer_from_members(client_as, people, question, role, htmx):
    response = post_answer(client_as(role), question, htmx)

    assert_changed(response, htmx=htmx, fragment="sections/question.html", page=page_of(question))
    answer = Answer.objects.get()
    assert (answer.question, answer.body, answer.parent) == (question, "同意", None)
    assert answer.author == answer.submitted_by == people[role]
    if htmx:
        assert "同意" in by_id(response.text, f"answer-{answer.pk}")
        assert "A1：" in by_id(response.text, f"answer-{answer.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_nests_a_reply_under_its_answer(client_as, question, answer, htmx):
    response = post_answer(client_as("outsider"), question, htmx, parent=answer.pk)

    assert response.status_code == (200 if htmx else 302)
    reply = Answer.objects.get(parent=answer)
    if htmx:
        assert f'id="answer-{reply.pk}"' in by_id(response.text, f"answer-{answer.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_a_reply_to_another_question_s_answer(client_as, free_talk, question, htmx):
    elsewhere = AnswerFactory(question=QuestionFactory(section=free_talk))

    response = post_answer(client_as("outsider"), question, htmx, parent=elsewhere.pk)

    assert_refused(
        response,
        htmx=htmx,
        status=400,
        message="You can only reply to an answer of this question.",
    )
    assert not question.answers.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_answering(client, question, htmx):
    response = post_answer(client, question, htmx)

    assert_refused(response, htmx=htmx, status=403, message=LOG_IN)
    assert not Answer.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("reply", [False, True])
def test_it_asks_for_the_answer_and_keeps_the_rest(client_as, question, answer, reply, htmx):
    parent = str(answer.pk) if reply else ""
    data = {"body": " ", "credit_to": "群友", "parent": parent}

    response = post_answer(client_as("owner"), question, htmx, **data)

    assert response.status_code == 422
    assert not triggered(response)
    assert rendered(response) == ("sections/question.html" if htmx else "talk/issue.html")
    block = by_id(response.text, f"question-{question.pk}")
    key = parent or "q"
    form = block[block.index(f'id="answer-{question.pk}-{key}"') - 600 :]
    form = form[form.index('<details class="answer-form" open>') :]
    form = form[: form.index("</details>")]
    assert "This field is required." in form
    assert 'value="群友"' in form
    if reply:
        assert f'name="parent" value="{answer.pk}"' in form
    assert question.answers.count() == 1


# Editing


def edit_url(answer):
    return reverse("sections:answer-edit", args=[answer.pk])


def edit(client, answer, htmx, **fields):
    data = {"body": answer.body, "version": 1, **fields}
    return client.post(edit_url(answer), data, headers=headers(htmx))


def edit_template(htmx):
    return "sections/post_edit.html#post-edit" if htmx else "sections/post_edit.html"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_shows_the_edit_form_to_editors(client_as, answer, role, htmx):
    response = client_as(role).get(edit_url(answer), headers=headers(htmx))

    assert response.status_code == 200
    assert rendered(response) == edit_template(htmx)
    form = by_id(response.text, f"answer-{answer.pk}")
    assert f"{ANSWERED}</textarea>" in form
    # Saved, the answer's whole question comes back in its place.
    assert f'hx-target="#question-{answer.question_id}"' in form


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_the_edit_form_to_outsiders(client_as, answer, htmx):
    response = client_as("outsider").get(edit_url(answer), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=403, message=NOT_YOURS)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_saves_an_edit_for_editors(client_as, answer, role, htmx):
    response = edit(client_as(role), answer, htmx, body="RM 的数据是排序数据")

    assert_changed(
        response, htmx=htmx, fragment="sections/question.html", page=page_of(answer.question)
    )
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("RM 的数据是排序数据", 2)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_an_edit_from_an_outsider(client_as, answer, htmx):
    response = edit(client_as("outsider"), answer, htmx, body="改掉")

    assert response.status_code == 403
    assert rendered(response) == edit_template(htmx)
    assert says(response, NOT_YOURS)
    assert "改掉</textarea>" in response.text
    answer.refresh_from_db()
    assert (answer.body, answer.version) == (ANSWERED, 1)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_visitors_to_log_in_before_editing(client, answer, method, htmx):
    response = getattr(client, method)(edit_url(answer), headers=headers(htmx))

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={edit_url(answer)}"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_answer_when_editing(client_as, answer, htmx):
    response = edit(client_as("host"), answer, htmx, body="", credit_to="群友")

    assert response.status_code == 422
    form = by_id(response.text, f"answer-{answer.pk}")
    assert "This field is required." in form
    assert 'value="群友"' in form
    assert Answer.objects.get(pk=answer.pk).version == 1


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_shows_the_newer_answer_to_the_second_editor(client_as, people, answer, htmx):
    author = client_as("author")
    owner = Client()
    owner.force_login(people["owner"])
    edit(owner, answer, htmx=True, body="负责人补充的回答")

    response = edit(author, answer, htmx, body="作者补充的回答")

    assert response.status_code == 409
    assert rendered(response) == edit_template(htmx)
    assert "sections/newer.html" in template_names(response)
    form = by_id(response.text, f"answer-{answer.pk}")
    assert "负责人补充的回答" in form[form.index('class="newer"') : form.index("</dl>")]
    assert "作者补充的回答</textarea>" in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)

    again = edit(author, answer, htmx, body="合并后的回答", version=version)

    assert again.status_code == (200 if htmx else 302)
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("合并后的回答", 3)


# Deleting


def delete(client, answer, htmx):
    return client.post(reverse("sections:answer-delete", args=[answer.pk]), headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_deletes_an_answer_for_editors(client_as, answer, role, htmx):
    response = delete(client_as(role), answer, htmx)

    assert_changed(
        response, htmx=htmx, fragment="sections/question.html", page=page_of(answer.question)
    )
    assert not Answer.objects.filter(pk=answer.pk).exists()
    if htmx:
        assert "No answer yet." in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(("role", "message"), [("anonymous", LOG_IN), ("outsider", NOT_YOURS)])
def test_it_refuses_to_delete_someone_else_s_answer(client_as, answer, role, message, htmx):
    response = delete(client_as(role), answer, htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert Answer.objects.filter(pk=answer.pk).exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_keeps_an_answer_with_replies(client_as, answer, outsider, htmx):
    AnswerFactory(question=answer.question, parent=answer, author=outsider, submitted_by=outsider)

    response = delete(client_as("author"), answer, htmx)

    assert_refused(
        response,
        htmx=htmx,
        status=403,
        message="This answer has replies; edit it instead of deleting it.",
    )
    assert Answer.objects.filter(pk=answer.pk).exists()


# Accepting


@pytest.fixture
def offered(question):
    answerer = UserFactory(alias="答主")
    return AnswerFactory(question=question, author=answerer, submitted_by=answerer)


def accept(client, answer, accepted, htmx):
    url = reverse("sections:answer-accept", args=[answer.pk])
    return client.post(url, {"accepted": accepted}, headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_accepts_an_answer_for_the_asker_and_curators(client_as, offered, role, htmx):
    response = accept(client_as(role), offered, "1", htmx)

    assert_changed(
        response, htmx=htmx, fragment="sections/question.html", page=page_of(offered.question)
    )
    offered.refresh_from_db()
    assert offered.accepted
    assert Question.objects.get(pk=offered.question_id).answered
    if htmx:
        assert "is-accepted" in by_id(response.text, f"answer-{offered.pk}")


def test_it_withdraws_an_acceptance(client_as, offered):
    Answer.objects.filter(pk=offered.pk).update(accepted=True)

    accept(client_as("author"), offered, "0", htmx=True)

    offered.refresh_from_db()
    assert not offered.accepted


def test_it_accepts_one_answer_at_a_time(client_as, question, offered, answer):
    client = client_as("author")
    accept(client, offered, "1", htmx=True)

    accept(client, answer, "1", htmx=True)

    assert list(question.answers.filter(accepted=True)) == [answer]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "message"),
    [("anonymous", LOG_IN), ("outsider", "Only the asker and the host can do that.")],
)
def test_it_refuses_to_accept_for_others(client_as, offered, role, message, htmx):
    response = accept(client_as(role), offered, "1", htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    offered.refresh_from_db()
    assert not offered.accepted


def test_it_answers_404_for_an_unknown_answer(client_as, db):
    client = client_as("admin")
    for name in ("sections:answer-edit", "sections:answer-delete", "sections:answer-accept"):
        assert client.post(reverse(name, args=[999_999])).status_code == 404
