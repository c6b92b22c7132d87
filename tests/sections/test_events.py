"""Every write tells the issue's open pages what changed, once it committed."""

import pytest
from django.db import transaction
from django.urls import reverse

from sections import events
from sections import services as desk
from sections.errors import NotAllowed
from talk import services
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory


@pytest.fixture
def heard():
    """The events sent, as (issue id, kind, data)."""
    sent = []

    def listen(sender, *, issue_id, kind, data, **kwargs):
        sent.append((issue_id, kind, data))

    events.changed.connect(listen)
    yield sent
    events.changed.disconnect(listen)


@pytest.fixture
def rows(issue, member):
    news, free_talk = section_of(issue, "news"), section_of(issue, "free-talk")
    question = QuestionFactory(section=free_talk, author=member, submitted_by=member)
    return {
        "news": news,
        "free_talk": free_talk,
        "item": ItemFactory(section=news, subgroup="学术", author=member),
        "question": question,
        "answer": AnswerFactory(question=question, author=member, submitted_by=member),
    }


def section_event(r):
    return (events.SECTION, {"id": r["news"].pk})


def question_event(r):
    return (events.QUESTION, {"id": r["question"].pk, "section": r["free_talk"].pk})


WRITES = [
    ("claim", lambda r, u: desk.section_claim(section_id=r["news"].pk, user=u), section_event),
    (
        "submit",
        lambda r, u: desk.item_submit(section=r["news"], user=u, subgroup="学术", title="新"),
        section_event,
    ),
    (
        "discussed",
        lambda r, u: desk.item_set_discussed(item_id=r["item"].pk, user=u, discussed=True),
        section_event,
    ),
    ("delete", lambda r, u: desk.item_delete(item_id=r["item"].pk, user=u), section_event),
    (
        "ask",
        lambda r, u: desk.question_ask(section=r["free_talk"], user=u, body="新问题？"),
        lambda r: (events.SECTION, {"id": r["free_talk"].pk}),
    ),
    (
        "answer",
        lambda r, u: desk.answer_post(question_id=r["question"].pk, user=u, body="答"),
        question_event,
    ),
    (
        "answered",
        lambda r, u: desk.question_set_answered(
            question_id=r["question"].pk, user=u, answered=True
        ),
        question_event,
    ),
    (
        "accept",
        lambda r, u: desk.answer_accept(answer_id=r["answer"].pk, user=u, accepted=True),
        question_event,
    ),
    (
        "role",
        lambda r, u: services.issue_role_claim(issue_id=r["news"].issue_id, user=u, role="editor"),
        lambda r: (events.ISSUE, {}),
    ),
    (
        "highlights",
        lambda r, u: services.issue_highlights_save(
            issue_id=r["news"].issue_id, user=u, version=1, text="A；"
        ),
        lambda r: (events.ISSUE, {}),
    ),
    (
        "start",
        lambda r, u: services.issue_start(issue_id=r["news"].issue_id, user=u),
        lambda r: (events.STATUS, {}),
    ),
]


@pytest.mark.parametrize(("name", "write", "expected"), WRITES, ids=[w[0] for w in WRITES])
def test_it_announces_each_write_after_the_commit(
    rows, issue, host, heard, django_capture_on_commit_callbacks, name, write, expected
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        write(rows, host)
        assert heard == []  # not before the commit

    for callback in callbacks:
        callback()

    assert heard == [(issue.pk, *expected(rows))]


def test_it_announces_a_vote(rows, issue, outsider, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        desk.question_vote(question_id=rows["question"].pk, user=outsider)

    assert heard == [(issue.pk, *question_event(rows))]


def test_it_announces_nothing_that_rolled_back(
    rows, host, heard, django_capture_on_commit_callbacks
):
    def submit_then_fail():
        with transaction.atomic():
            desk.item_submit(section=rows["news"], user=host, subgroup="学术", title="撤回")
            raise RuntimeError("the request failed after the write")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        submit_then_fail()

    assert callbacks == []
    assert heard == []


def test_it_announces_nothing_for_a_refused_write(
    rows, outsider, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAllowed):
        desk.item_delete(item_id=rows["item"].pk, user=outsider)

    assert heard == []


def test_it_announces_changes_made_in_the_admin(
    client, admin_user, rows, issue, heard, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    item = rows["item"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:sections_item_delete", args=[item.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert heard == [(issue.pk, events.SECTION, {"id": rows["news"].pk})]


def test_it_announces_an_issue_changed_in_the_admin_as_a_new_page(
    client, admin_user, issue, heard, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:talk_issue_delete", args=[issue.pk]), {"post": "yes"})

    assert (issue.pk, events.STATUS, {}) in heard
