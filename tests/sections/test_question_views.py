import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Question
from tests.factories import AnswerFactory, QuestionFactory
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
ASKED = "RLHF 是 RL 起的作用吗？"


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(
        section=free_talk, subgroup="线上讨论", body=ASKED, author=member, submitted_by=member
    )


def page_of(section, anchor):
    return f"{section.issue.get_absolute_url()}#{anchor}"


def ask(client, section, htmx, **fields):
    data = {"body": "chatgpt 用 logit_bias 吗？", "subgroup": "群里讨论", **fields}
    return client.post(
        reverse("sections:question-ask", args=[section.pk]), data, headers=headers(htmx)
    )


def ask_form(response, section) -> str:
    return by_id(response.text, f"ask-{section.pk}")


# Asking


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_takes_a_question_from_members(client_as, people, free_talk, role, htmx):
    response = ask(client_as(role), free_talk, htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html",
        page=page_of(free_talk, f"section-{free_talk.pk}"),
    )
    question = Question.objects.get()
    assert (question.body, question.subgroup) == ("chatgpt 用 logit_bias 吗？", "群里讨论")
    assert question.author == question.submitted_by == people[role]
    if htmx:
        assert "Q1：" in by_id(response.text, f"question-{question.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_asking(client, free_talk, htmx):
    response = ask(client, free_talk, htmx)

    assert response.status_code == 403
    if htmx:
        assert rendered(response) == "sections/section.html#ask"
        assert response.headers["HX-Retarget"] == f"#ask-{free_talk.pk}"
    else:
        assert str(LOG_IN) in by_id(response.text, "flash")
    assert str(LOG_IN) in ask_form(response, free_talk)
    assert "logit_bias" in ask_form(response, free_talk)
    assert not Question.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_question_and_keeps_the_rest(client_as, free_talk, htmx):
    response = ask(client_as("owner"), free_talk, htmx, body="  ", credit_to="群友")

    assert response.status_code == 422
    assert not triggered(response)
    if htmx:
        assert rendered(response) == "sections/section.html#ask"
        assert response.headers["HX-Retarget"] == f"#ask-{free_talk.pk}"
        assert response.headers["HX-Reswap"] == "outerHTML"
    else:
        assert rendered(response) == "talk/issue.html"
    form = ask_form(response, free_talk)
    assert by_id(form, f"section-{free_talk.pk}-ask-body_error")
    assert "This field is required." in form
    assert '<option value="群里讨论" selected>' in form
    assert 'value="群友"' in form
    assert not Question.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_questions_in_an_items_section(client_as, news, htmx):
    response = ask(client_as("outsider"), news, htmx, subgroup="")

    assert response.status_code == 400
    assert "This section does not take questions." in response.text
    assert not Question.objects.exists()


def test_it_numbers_questions_in_order(client_as, free_talk, question):
    response = ask(client_as("outsider"), free_talk, htmx=True)

    newest = Question.objects.latest("id")
    assert "Q2：" in by_id(response.text, f"question-{newest.pk}")


# Editing


def edit_url(question):
    return reverse("sections:question-edit", args=[question.pk])


def edit(client, question, htmx, **fields):
    data = {"body": question.body, "subgroup": question.subgroup, "version": 1, **fields}
    return client.post(edit_url(question), data, headers=headers(htmx))


def edit_template(htmx):
    return "sections/post_edit.html#post-edit" if htmx else "sections/post_edit.html"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_shows_the_edit_form_to_editors(client_as, question, role, htmx):
    response = client_as(role).get(edit_url(question), headers=headers(htmx))

    assert response.status_code == 200
    assert rendered(response) == edit_template(htmx)
    form = by_id(response.text, f"question-{question.pk}")
    assert f"{ASKED}</textarea>" in form
    assert 'name="version" value="1"' in form


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_the_edit_form_to_outsiders(client_as, question, htmx):
    response = client_as("outsider").get(edit_url(question), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=403, message=NOT_YOURS)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_saves_an_edit_for_editors(client_as, question, role, htmx):
    response = edit(client_as(role), question, htmx, body="RLHF 里 RL 起了多大作用？")

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/question.html",
        page=page_of(question.section, f"question-{question.pk}"),
    )
    question.refresh_from_db()
    assert (question.body, question.version) == ("RLHF 里 RL 起了多大作用？", 2)
    if htmx:
        assert "RLHF 里 RL 起了多大作用？" in by_id(response.text, f"question-{question.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_an_edit_from_an_outsider(client_as, question, htmx):
    response = edit(client_as("outsider"), question, htmx, body="改掉")

    assert response.status_code == 403
    assert rendered(response) == edit_template(htmx)
    assert says(response, NOT_YOURS)
    assert "改掉</textarea>" in response.text
    question.refresh_from_db()
    assert (question.body, question.version) == (ASKED, 1)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_visitors_to_log_in_before_editing(client, question, method, htmx):
    response = getattr(client, method)(edit_url(question), headers=headers(htmx))

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={edit_url(question)}"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_question_when_editing(client_as, question, htmx):
    response = edit(client_as("author"), question, htmx, body="", subgroup="群里讨论")

    assert response.status_code == 422
    form = by_id(response.text, f"question-{question.pk}")
    assert "This field is required." in form
    assert '<option value="群里讨论" selected>' in form
    assert Question.objects.get(pk=question.pk).version == 1


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_shows_the_newer_question_to_the_second_editor(client_as, people, question, htmx):
    author = client_as("author")
    host = Client()
    host.force_login(people["host"])
    edit(host, question, htmx=True, body="主持人改过的问题")

    response = edit(author, question, htmx, body="作者改过的问题")

    assert response.status_code == 409
    assert rendered(response) == edit_template(htmx)
    assert "sections/newer.html" in template_names(response)
    form = by_id(response.text, f"question-{question.pk}")
    assert "主持人改过的问题" in form[form.index('class="newer"') : form.index("</dl>")]
    assert "作者改过的问题</textarea>" in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)

    again = edit(author, question, htmx, body="合并后的问题", version=version)

    assert again.status_code == (200 if htmx else 302)
    question.refresh_from_db()
    assert (question.body, question.version) == ("合并后的问题", 3)


# Deleting


def delete(client, question, htmx):
    url = reverse("sections:question-delete", args=[question.pk])
    return client.post(url, headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_deletes_a_question_for_editors(client_as, question, role, htmx):
    response = delete(client_as(role), question, htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html",
        page=page_of(question.section, f"section-{question.section_id}"),
    )
    assert not Question.objects.filter(pk=question.pk).exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(("role", "message"), [("anonymous", LOG_IN), ("outsider", NOT_YOURS)])
def test_it_refuses_to_delete_someone_else_s_question(client_as, question, role, message, htmx):
    response = delete(client_as(role), question, htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert Question.objects.filter(pk=question.pk).exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_keeps_a_question_others_have_answered(client_as, question, outsider, htmx):
    AnswerFactory(question=question, author=outsider, submitted_by=outsider)

    response = delete(client_as("author"), question, htmx)

    assert_refused(
        response,
        htmx=htmx,
        status=403,
        message="Others have answered this question; it can no longer be deleted.",
    )
    assert Question.objects.filter(pk=question.pk).exists()


def test_it_lets_the_host_delete_an_answered_question(client_as, question, outsider):
    AnswerFactory(question=question, author=outsider, submitted_by=outsider)

    assert delete(client_as("host"), question, htmx=True).status_code == 200
    assert not Question.objects.filter(pk=question.pk).exists()


# Marking answered


def mark(client, question, answered, htmx):
    url = reverse("sections:question-answered", args=[question.pk])
    return client.post(url, {"answered": answered}, headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_marks_a_question_answered_for_the_asker_and_curators(client_as, question, role, htmx):
    response = mark(client_as(role), question, "1", htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/question.html",
        page=page_of(question.section, f"question-{question.pk}"),
    )
    question.refresh_from_db()
    assert question.answered
    if htmx:
        assert "is-answered" in response.text
        assert "Mark unanswered" in response.text


def test_it_marks_a_question_unanswered_again(client_as, question):
    Question.objects.filter(pk=question.pk).update(answered=True)

    mark(client_as("author"), question, "0", htmx=True)

    question.refresh_from_db()
    assert not question.answered


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "message"),
    [("anonymous", LOG_IN), ("outsider", "Only the asker and the host can do that.")],
)
def test_it_refuses_to_mark_someone_else_s_question(client_as, question, role, message, htmx):
    response = mark(client_as(role), question, "1", htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    question.refresh_from_db()
    assert not question.answered


def test_it_answers_404_for_an_unknown_question(client_as, db):
    client = client_as("admin")
    for name in (
        "sections:question-edit",
        "sections:question-delete",
        "sections:question-vote",
        "sections:question-answered",
        "sections:answer-create",
    ):
        assert client.post(reverse(name, args=[999_999])).status_code == 404
