import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import PostStatus, Question
from sections.selectors import group_key
from talk.models import Series
from tests.factories import AnswerFactory, QuestionFactory
from tests.responses import (
    BOTH_WAYS,
    HTMX,
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
    return client.post(reverse("question-ask", args=[section.pk]), data, headers=headers(htmx))


def ask_form(response, section) -> str:
    page = response if isinstance(response, str) else response.text
    return by_id(page, f"ask-{section.pk}")


def appended(response, list_id: str) -> str:
    """What an add answer appends (out of band) to the list with this id."""
    return by_attr(response.text, "hx-swap-oob", f"beforeend:#{list_id}")


def contributors_line(response, section) -> str:
    return by_id(response.text, f"section-contributors-{section.pk}")


# Asking


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_takes_a_question_from_members(client_as, people, free_talk, role, htmx):
    response = ask(client_as(role), free_talk, htmx)

    question = Question.objects.get()
    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/added.html",
        page=page_of(free_talk, f"question-{question.pk}"),
    )
    assert (question.body, question.subgroup) == ("chatgpt 用 logit_bias 吗？", "群里讨论")
    assert question.author == question.submitted_by == people[role]
    if htmx:
        # The question goes to the end of its sub-group and the asker joins
        # the contributors, out of band; the form stays (desk.js empties it).
        assert response.headers["HX-Reswap"] == "none"
        block = appended(response, f"questions-{free_talk.pk}-{group_key('群里讨论')}")
        assert block.startswith("<div ")
        assert "Q1：" in by_id(block, f"question-{question.pk}")
        assert f'id="answer-slot-{question.pk}"' in block
        if role == "owner":
            # Owners are listed among the contributors already.
            assert "section-contributors" not in response.text
        else:
            name = by_attr(
                response.text,
                "hx-swap-oob",
                f"beforeend:#section-contributors-{free_talk.pk} .names",
            )
            assert f'<span class="name">{people[role].alias}</span>' in name
        assert f'id="ask-{free_talk.pk}"' not in response.text
        assert f'id="section-{free_talk.pk}"' not in response.text


def test_it_has_a_list_on_the_page_for_every_sub_group(client_as, free_talk):
    page = client_as("outsider").get(free_talk.issue.get_absolute_url()).text

    for name in ["", *free_talk.subgroups]:
        assert by_id(page, f"questions-{free_talk.pk}-{group_key(name)}")
    group = page[page.index(f'id="questions-{free_talk.pk}-{group_key("线上讨论")}"') - 200 :]
    assert '<h3 class="subgroup-title">线上讨论</h3>' in group
    form = ask_form(page, free_talk)
    assert "data-clear-on-success" in form
    assert f'hx-target="#ask-{free_talk.pk}" hx-swap="outerHTML"' in form


def test_it_offers_the_first_sub_group_for_a_new_question(client_as, free_talk):
    form = ask_form(client_as("outsider").get(free_talk.issue.get_absolute_url()), free_talk)

    # Not "(none)": a question without one goes above all and moves every number.
    assert '<option value="线上讨论" selected>线上讨论</option>' in form


@pytest.mark.parametrize("subgroup", ["", "线上讨论"])
def test_it_appends_a_question_to_its_sub_group_s_list(client_as, free_talk, subgroup):
    client = client_as("outsider")
    page = client.get(free_talk.issue.get_absolute_url()).text

    response = ask(client, free_talk, True, subgroup=subgroup)

    question = Question.objects.get()
    list_id = f"questions-{free_talk.pk}-{group_key(subgroup)}"
    assert by_id(page, list_id)
    assert by_id(appended(response, list_id), f"question-{question.pk}")
    # Reloaded, the question is in that list, and the list is there once.
    page = client.get(free_talk.issue.get_absolute_url()).text
    assert by_id(by_id(page, list_id), f"question-{question.pk}")
    assert page.count(f'id="{list_id}"') == 1


def test_it_adds_the_new_question_with_the_controls_its_asker_has(client_as, free_talk):
    response = ask(client_as("outsider"), free_talk, True)

    question = Question.objects.get()
    block = by_id(response.text, f"question-{question.pk}")
    for name in ("question-edit", "question-delete", "answer-create"):
        assert reverse(name, args=[question.pk]) in block
    # No vote for one's own question.
    assert reverse("question-vote", args=[question.pk]) not in block
    assert '<span class="vote-count">0</span>' in block


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_asking(client, free_talk, htmx):
    response = ask(client, free_talk, htmx)

    assert response.status_code == 403
    if htmx:
        # The form is its own target: the words replace it where it is.
        assert rendered(response) == "sections/section.html#ask"
        assert "HX-Retarget" not in response.headers
        assert f'hx-target="#ask-{free_talk.pk}"' in ask_form(response, free_talk)
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
        # The form is its own target: the answer replaces it, nothing else.
        assert rendered(response) == "sections/section.html#ask"
        assert "HX-Retarget" not in response.headers
        assert "HX-Reswap" not in response.headers
        assert f'hx-target="#ask-{free_talk.pk}" hx-swap="outerHTML"' in ask_form(
            response, free_talk
        )
        assert f'id="section-{free_talk.pk}"' not in response.text
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


# Numbers: one question, one number, whoever reads it


def label_of(page: str, question) -> str:
    """The question's label on the page ("Q2"), or "" when it has none."""
    found = re.search(r'class="question-label">(Q\d+)：', by_id(page, f"question-{question.pk}"))
    return found.group(1) if found else ""


@pytest.fixture
def one_hidden(free_talk, member):
    """Three questions; a moderator hid the second, which 初七 asked."""
    first = QuestionFactory(section=free_talk, position=1)
    hidden = QuestionFactory(
        section=free_talk,
        author=member,
        submitted_by=member,
        status=PostStatus.HIDDEN,
        position=2,
    )
    last = QuestionFactory(section=free_talk, position=3)
    return first, hidden, last


def test_a_question_asked_above_others_takes_its_number_from_them(client_as, free_talk):
    # Numbers go as the page is read: 线上讨论 comes before 群里讨论.
    below = QuestionFactory(section=free_talk, subgroup="群里讨论", position=1)

    response = ask(client_as("outsider"), free_talk, htmx=True, subgroup="线上讨论")

    asked = Question.objects.latest("id")
    # The lists come again, so the page has no two Q1s.
    assert label_of(response.text, asked) == "Q1"
    assert label_of(response.text, below) == "Q2"
    page = client_as("anonymous").get(free_talk.issue.get_absolute_url()).text
    assert (label_of(page, asked), label_of(page, below)) == ("Q1", "Q2")


def test_a_question_asked_below_the_others_is_only_appended(client_as, free_talk):
    above = QuestionFactory(section=free_talk, subgroup="线上讨论", position=1)

    response = ask(client_as("outsider"), free_talk, htmx=True, subgroup="群里讨论")

    asked = Question.objects.latest("id")
    assert (
        label_of(appended(response, f"questions-{free_talk.pk}-{group_key('群里讨论')}"), asked)
        == "Q2"
    )
    assert f"question-{above.pk}" not in response.text


@pytest.mark.parametrize("role", ["anonymous", "outsider", "author", "host", "admin"])
def test_a_hidden_question_shifts_no_one_s_numbers(client_as, issue, one_hidden, role):
    first, _, last = one_hidden
    client = client_as(role)

    page = client.get(issue.get_absolute_url()).text
    fragment_url = reverse("question", args=[last.pk])
    fragment = client.get(fragment_url, headers=HTMX).text

    assert (label_of(page, first), label_of(page, last)) == ("Q1", "Q2")
    assert label_of(fragment, last) == "Q2"


@pytest.mark.parametrize("role", ["author", "admin"])
def test_a_hidden_question_shows_its_status_instead_of_a_number(client_as, issue, one_hidden, role):
    hidden = one_hidden[1]

    page = client_as(role).get(issue.get_absolute_url()).text

    block = by_id(page, f"question-{hidden.pk}")
    assert label_of(page, hidden) == ""
    assert '<span class="badge badge-status">Hidden</span>' in block
    assert "A2：" not in block


def test_a_question_waiting_for_approval_has_no_number_and_shifts_none(
    client_as, issue, free_talk, question
):
    Series.objects.filter(pk=issue.series_id).update(moderation="pre")

    response = ask(client_as("outsider"), free_talk, htmx=True)

    waiting = Question.objects.latest("id")
    assert waiting.status == PostStatus.PENDING
    block = by_id(response.text, f"question-{waiting.pk}")
    assert 'class="question-label"' not in block
    assert "Waiting for approval" in block
    # Nobody answers or votes on it yet: the services would refuse.
    assert "answer-create" not in block
    assert "/answers/" not in block
    assert '<button type="submit" class="vote' not in block
    page = client_as("outsider").get(issue.get_absolute_url()).text
    assert (label_of(page, question), label_of(page, waiting)) == ("Q1", "")
    # The admin, who sees the waiting question, asks the second one shown.
    response = ask(client_as("admin"), free_talk, htmx=True)
    assert label_of(response.text, Question.objects.latest("id")) == "Q2"


# Editing


def edit_url(question):
    return reverse("question-edit", args=[question.pk])


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
    issue_page = question.section.issue.get_absolute_url()

    response = getattr(client, method)(
        edit_url(question), headers=htmx_from(issue_page) if htmx else {}
    )

    assert_sent_to_log_in(response, htmx=htmx, back_to=issue_page if htmx else edit_url(question))
    assert Question.objects.get(pk=question.pk).version == 1


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
    url = reverse("question-delete", args=[question.pk])
    return client.post(url, headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_deletes_a_question_for_editors(client_as, question, role, htmx):
    later = QuestionFactory(
        section=question.section, body="后来的问题", position=question.position + 1
    )

    response = delete(client_as(role), question, htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html",
        page=page_of(question.section, f"section-{question.section_id}"),
    )
    assert not Question.objects.filter(pk=question.pk).exists()
    if htmx:
        # The whole section comes back so the questions after it are numbered
        # anew, and the contributors line no longer names the asker.
        assert f'id="question-{question.pk}"' not in response.text
        assert "Q1：" in by_id(response.text, f"question-{later.pk}")
        assert "初七" not in by_id(response.text, f"section-contributors-{question.section_id}")


def test_it_has_the_delete_button_renumber_its_section(client_as, question):
    page = client_as("author").get(question.section.issue.get_absolute_url()).text

    block = by_id(page, f"question-{question.pk}")
    url = reverse("question-delete", args=[question.pk])
    assert (
        f'hx-post="{url}" hx-target="#section-{question.section_id}" hx-swap="outerHTML"' in block
    )
    assert "初七" in by_id(page, f"section-contributors-{question.section_id}")


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
    url = reverse("question-answered", args=[question.pk])
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
        "question-edit",
        "question-delete",
        "question-vote",
        "question-answered",
        "answer-create",
    ):
        assert client.post(reverse(name, args=[999_999])).status_code == 404
