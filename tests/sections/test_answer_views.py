import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.errors import IssueClosed
from sections.models import Answer, PostStatus, Question
from talk.models import IssueStatus
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.responses import (
    BOTH_WAYS,
    assert_changed,
    assert_refused,
    assert_sent_to_log_in,
    by_attr,
    by_id,
    headers,
    htmx_from,
    rendered,
    says,
    template_names,
    triggered,
)

pytestmark = pytest.mark.usefixtures("english")

MEMBERS = ["outsider", "owner", "host", "admin"]
EDITORS = ["author", "owner", "host", "admin"]
CURATORS = ["owner", "host", "admin"]
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
    url = reverse("answer-create", args=[question.pk])
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


def test_it_marks_the_posted_answer_alone_for_the_keyboard(client_as, question, answer):
    response = post_answer(client_as("outsider"), question, htmx=True)

    posted = Answer.objects.exclude(pk=answer.pk).get()
    start_tag = re.compile(r"<li[^>]*>")
    assert "data-autofocus" in start_tag.match(by_id(response.text, f"answer-{posted.pk}"))[0]
    assert "data-autofocus" not in start_tag.match(by_id(response.text, f"answer-{answer.pk}"))[0]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_knows_no_reply_to_another_question_s_answer(
    client_as, free_talk, question, method, htmx
):
    elsewhere = AnswerFactory(question=QuestionFactory(section=free_talk))
    url = reverse("answer-create", args=[question.pk])

    response = getattr(client_as("outsider"), method)(
        url, {"body": "同意", "parent": elsewhere.pk}, headers=headers(htmx)
    )

    assert response.status_code == 404
    assert not triggered(response)
    assert not question.answers.exists()


@pytest.mark.parametrize("parent", ["x", "999999", "pending"])
def test_it_knows_no_reply_to_an_answer_it_cannot_show(client_as, question, parent):
    if parent == "pending":
        # Someone else's answer, waiting for approval: hidden from this member.
        parent = AnswerFactory(question=question, status=PostStatus.PENDING).pk

    response = post_answer(client_as("outsider"), question, htmx=True, parent=parent)

    assert response.status_code == 404
    assert not question.answers.filter(body="同意").exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_answering(client, question, htmx):
    issue_page = question.section.issue.get_absolute_url()
    url = reverse("answer-create", args=[question.pk])

    response = client.post(url, {"body": "同意"}, headers=htmx_from(issue_page) if htmx else {})

    assert_sent_to_log_in(response, htmx=htmx, back_to=issue_page if htmx else url)
    assert not Answer.objects.exists()


def answer_form(response) -> str:
    return by_attr(response.text, "class", "answer-form")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("reply", [False, True])
def test_it_asks_for_the_answer_and_keeps_the_rest(client_as, question, answer, reply, htmx):
    parent = str(answer.pk) if reply else ""
    data = {"body": " ", "credit_to": "群友", "parent": parent}

    response = post_answer(client_as("owner"), question, htmx, **data)

    assert response.status_code == 422
    assert not triggered(response)
    if htmx:
        # Back into the slot the form was loaded into, not over the question.
        assert rendered(response) == "sections/answer_new.html#answer-form"
        slot = f"#reply-slot-{answer.pk}" if reply else f"#answer-slot-{question.pk}"
        assert response.headers["HX-Retarget"] == slot
        assert response.headers["HX-Reswap"] == "innerHTML"
        assert "<html" not in response.text
        assert f'hx-target="#question-{question.pk}"' in answer_form(response)
    else:
        assert rendered(response) == "sections/answer_new.html"
        assert "<html" in response.text
    form = answer_form(response)
    key = parent or f"q{question.pk}"
    assert form.startswith('<details class="answer-form" open>')
    assert by_id(form, f"answer-new-{key}-body_error")
    assert "This field is required." in form
    assert f'id="answer-new-{key}-body"' in form
    assert 'value="群友"' in form
    if reply:
        assert f'name="parent" value="{answer.pk}"' in form
    else:
        assert 'name="parent" value=' not in form
    assert question.answers.count() == 1


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("reply", [False, True])
def test_it_keeps_the_typed_answer_when_refused(client_as, question, answer, reply, htmx):
    question.section.issue.status = IssueStatus.FROZEN
    question.section.issue.save(update_fields=["status"])
    parent = str(answer.pk) if reply else ""

    response = post_answer(client_as("owner"), question, htmx, body="迟到的回答", parent=parent)

    if htmx:
        # Said in the alert region; the open form keeps what was typed.
        assert_refused(response, htmx=True, status=409, message=IssueClosed().message)
    else:
        assert response.status_code == 409
        assert not triggered(response)
        assert rendered(response) == "sections/answer_new.html"
        form = answer_form(response)
        assert says(response, IssueClosed().message)
        assert str(IssueClosed().message) in form
        assert "迟到的回答</textarea>" in form
        if reply:
            assert f'name="parent" value="{answer.pk}"' in form
    assert question.answers.count() == 1


# The answer and reply forms, loaded where they are needed


def answer_url(question, parent=None):
    url = reverse("answer-create", args=[question.pk])
    return f"{url}?parent={parent.pk}" if parent else url


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("reply", [False, True])
@pytest.mark.parametrize("role", ["author", *MEMBERS])
def test_it_serves_the_answer_form_to_members(client_as, question, answer, role, reply, htmx):
    parent = answer if reply else None

    response = client_as(role).get(answer_url(question, parent), headers=headers(htmx))

    assert response.status_code == 200
    assert not triggered(response)
    if htmx:
        assert rendered(response) == "sections/answer_new.html#answer-form"
        assert "<html" not in response.text
        # The link says where it goes; the answer does not move it.
        assert "HX-Retarget" not in response.headers
    else:
        assert rendered(response) == "sections/answer_new.html"
        assert "<html" in response.text
        assert question.body in response.text
        assert (ANSWERED in response.text) == reply
    form = answer_form(response)
    action = reverse("answer-create", args=[question.pk])
    assert f'action="{action}"' in form
    # Loaded into the question, posted it replaces the question; on a page of
    # its own (no question there to replace) it is a plain form.
    htmx_post = f'hx-post="{action}" hx-target="#question-{question.pk}" hx-swap="outerHTML"'
    assert (htmx_post in form) == htmx
    assert ("hx-" in form) == htmx
    key = answer.pk if reply else f"q{question.pk}"
    assert re.search(rf'<textarea [^>]*id="answer-new-{key}-body"', form)
    assert re.search(r"<textarea [^>]*data-autofocus", form)
    assert f'for="answer-new-{key}-body"' in form
    assert "errorlist" not in form
    if reply:
        assert f'name="parent" value="{answer.pk}"' in form
        assert ">Post reply</button>" in form
    else:
        assert 'name="parent" value=' not in form
        assert ">Post answer</button>" in form
    assert ('name="credit_to"' in form) == (role in CURATORS)


def test_it_keeps_the_ids_of_answer_forms_open_at_once_apart(client_as, free_talk, answer):
    # Loaded into one page, the forms of two questions and of a reply.
    client = client_as("outsider")
    other = QuestionFactory(section=free_talk)
    forms = [
        client.get(url, headers=headers(True)).text
        for url in (
            answer_url(answer.question),
            answer_url(other),
            answer_url(answer.question, answer),
        )
    ]

    ids = [re.findall(r' id="([^"]+)"', form) for form in forms]
    assert all(ids)
    assert len({i for form in ids for i in form}) == sum(len(form) for form in ids)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("reply", [False, True])
def test_it_sends_visitors_to_log_in_for_the_answer_form(client, question, answer, reply, htmx):
    issue_page = question.section.issue.get_absolute_url()
    url = answer_url(question, answer if reply else None)

    response = client.get(url, headers=htmx_from(issue_page) if htmx else {})

    # htmx: the whole login page, then back to the issue, rather than a login
    # form in the answer's slot.
    assert_sent_to_log_in(response, htmx=htmx, back_to=issue_page if htmx else url)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("status", [IssueStatus.FROZEN, IssueStatus.PUBLISHED])
def test_it_refuses_the_answer_form_on_a_closed_issue(client_as, question, status, htmx):
    question.section.issue.status = status
    question.section.issue.save(update_fields=["status"])

    response = client_as("admin").get(answer_url(question), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=409, message=IssueClosed().message)


def test_it_answers_404_for_the_answer_form_of_a_question_it_cannot_show(client_as, free_talk):
    pending = QuestionFactory(section=free_talk, status=PostStatus.PENDING)

    assert client_as("outsider").get(answer_url(pending)).status_code == 404
    assert client_as("admin").get(answer_url(pending)).status_code == 200


def test_it_links_each_question_and_answer_to_its_form(client_as, question, answer):
    page = client_as("outsider").get(question.section.issue.get_absolute_url()).text

    block = by_id(page, f"question-{question.pk}")
    url = answer_url(question)
    assert (
        f'<a href="{url}" hx-get="{url}" hx-target="#answer-slot-{question.pk}" '
        'hx-swap="innerHTML">Answer<span class="visually-hidden"> Q1</span></a>'
    ) in block
    assert by_id(block, f"answer-slot-{question.pk}").endswith("></div>")
    thread = by_id(block, f"answer-{answer.pk}")
    url = answer_url(question, answer)
    assert f'<a href="{url}" hx-get="{url}" hx-target="#reply-slot-{answer.pk}" ' in thread
    assert f'>Reply<span class="visually-hidden"> {answer.attribution}</span></a>' in thread
    assert by_id(thread, f"reply-slot-{answer.pk}").endswith("></div>")
    # The forms themselves are not on the page.
    assert "<textarea" not in block
    assert "answer-form" not in block


def test_it_shows_visitors_no_answer_links(client, question, answer):
    page = client.get(question.section.issue.get_absolute_url()).text

    block = by_id(page, f"question-{question.pk}")
    assert reverse("answer-create", args=[question.pk]) not in block
    assert f'id="reply-slot-{answer.pk}"' not in block


# Editing


def edit_url(answer):
    return reverse("answer-edit", args=[answer.pk])


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
    if htmx:
        # Saved, the answer's whole question comes back in its place.
        assert f'hx-target="#question-{answer.question_id}"' in form
    else:
        # On its own page there is no question to swap: a plain form.
        assert "hx-post" not in form


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
    issue_page = answer.question.section.issue.get_absolute_url()

    response = getattr(client, method)(
        edit_url(answer), headers=htmx_from(issue_page) if htmx else {}
    )

    assert_sent_to_log_in(response, htmx=htmx, back_to=issue_page if htmx else edit_url(answer))
    assert Answer.objects.get(pk=answer.pk).version == 1


def test_it_sends_an_htmx_visitor_back_home_without_a_current_url(client, answer):
    response = client.get(edit_url(answer), headers=headers(True))

    assert_sent_to_log_in(response, htmx=True, back_to="/")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_answer_when_editing(client_as, answer, htmx):
    response = edit(client_as("host"), answer, htmx, body="", credit_to="群友")

    assert response.status_code == 422
    form = by_id(response.text, f"answer-{answer.pk}")
    assert "This field is required." in form
    assert 'value="群友"' in form
    assert Answer.objects.get(pk=answer.pk).version == 1
    if htmx:
        # Back where the form was, not over the whole question it aims at.
        assert response.headers["HX-Retarget"] == f"#answer-{answer.pk}"
        assert response.headers["HX-Reswap"] == "outerHTML"


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
    if htmx:
        assert response.headers["HX-Retarget"] == f"#answer-{answer.pk}"
    version = re.search(r'name="version" value="(\d+)"', form).group(1)

    again = edit(author, answer, htmx, body="合并后的回答", version=version)

    assert again.status_code == (200 if htmx else 302)
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("合并后的回答", 3)


# Deleting


def delete(client, answer, htmx):
    return client.post(reverse("answer-delete", args=[answer.pk]), headers=headers(htmx))


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
    url = reverse("answer-accept", args=[answer.pk])
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
    for name in ("answer-edit", "answer-delete", "answer-accept"):
        assert client.post(reverse(name, args=[999_999])).status_code == 404


def test_a_locked_thread_still_offers_accept_edit_and_delete_but_no_reply(client_as, offered):
    Question.objects.filter(pk=offered.question_id).update(locked=True)

    page = client_as("author").get(offered.question.section.issue.get_absolute_url()).text

    thread = by_id(page, f"answer-{offered.pk}")
    assert reverse("answer-accept", args=[offered.pk]) in thread
    assert ">Reply</a>" not in thread
    mine = AnswerFactory(question=offered.question, author=offered.question.author)
    page = client_as("author").get(offered.question.section.issue.get_absolute_url()).text
    assert reverse("answer-edit", args=[mine.pk]) in by_id(page, f"answer-{mine.pk}")
