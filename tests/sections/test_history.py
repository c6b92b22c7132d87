"""What goes into a post's edit history, and how it reads back."""

import pytest

from accounts.models import AuditEvent
from sections import moderation, services
from sections.errors import IssueClosed, NotAllowed, StaleWrite
from sections.models import Answer, Item, PostStatus, Question
from sections.selectors import post_history
from talk.models import IssueStatus
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def item(news, member):
    return ItemFactory(
        section=news, subgroup="学术", title="RoPE 外推", author=member, submitted_by=member
    )


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, body="原问题？", author=member, submitted_by=member)


@pytest.fixture
def answer(question, member):
    return AnswerFactory(question=question, body="原回答", author=member, submitted_by=member)


def edit_item(item, user, **fields):
    values = {
        "kind": item.kind,
        "subgroup": item.subgroup,
        "title": item.title,
        "url": item.url,
        "body": item.body,
        "points": item.points,
        "code": item.code,
        "language": item.language,
        **fields,
    }
    return services.item_update(
        item_id=item.pk, user=user, version=values.pop("version", item.version), **values
    )


def edits_of(post):
    return AuditEvent.objects.filter(
        target_type=post._meta.label_lower, target_id=str(post.pk)
    ).order_by("id")


# Recording


def test_it_records_an_item_edit_with_the_fields_it_changed(item, owner):
    saved = edit_item(item, owner, title="RoPE 外推综述", points="一\n二")

    (entry,) = edits_of(item)
    assert entry.action == "item.edit"
    assert entry.actor == owner
    assert entry.scope == f"openllm-talk/{item.section.issue.code}"
    assert entry.before == {"title": "RoPE 外推", "points": ""}
    assert entry.after == {"title": "RoPE 外推综述", "points": "一\n二"}
    assert saved.edited_at is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "新标题"),
        ("url", "https://example.org/new"),
        ("body", "新的摘要"),
        ("points", "要点"),
        ("code", "print(1)"),
        ("language", "python"),
        ("kind", Item.Kind.NOTE),
        ("subgroup", "工业界"),
    ],
)
def test_it_records_each_of_an_item_s_words(item, member, field, value):
    edit_item(item, member, **{field: value})

    (entry,) = edits_of(item)
    assert entry.before == {field: getattr(item, field)}
    assert entry.after == {field: value}


def test_it_records_a_question_edit(question, member):
    saved = services.question_update(
        question_id=question.pk,
        user=member,
        version=question.version,
        body="改过的问题？",
        subgroup="线上讨论",
    )

    (entry,) = edits_of(question)
    assert entry.action == "question.edit"
    assert entry.before == {"body": "原问题？", "subgroup": ""}
    assert entry.after == {"body": "改过的问题？", "subgroup": "线上讨论"}
    assert saved.edited_at is not None


def test_it_records_an_answer_edit(answer, host):
    services.answer_update(answer_id=answer.pk, user=host, version=answer.version, body="新回答")

    (entry,) = edits_of(answer)
    assert (entry.action, entry.actor) == ("answer.edit", host)
    assert (entry.before, entry.after) == ({"body": "原回答"}, {"body": "新回答"})
    assert Answer.objects.get(pk=answer.pk).edited_at is not None


def test_a_save_that_changes_no_words_is_no_edit(item, owner, member):
    # A curator crediting someone else changes who, not what: no version.
    edit_item(item, owner, credit_to="群友")

    assert not edits_of(item).exists()
    assert Item.objects.get(pk=item.pk).edited_at is None


def test_a_stale_edit_records_nothing(item, member, host):
    edit_item(item, host, title="主持人改的")

    with pytest.raises(StaleWrite):
        edit_item(item, member, title="作者改的", version=item.version)

    assert [e.after for e in edits_of(item)] == [{"title": "主持人改的"}]


def test_a_refused_edit_records_nothing(item, question, answer, outsider):
    with pytest.raises(NotAllowed):
        edit_item(item, outsider, title="路人改的")
    with pytest.raises(NotAllowed):
        services.question_update(
            question_id=question.pk, user=outsider, version=question.version, body="x", subgroup=""
        )
    with pytest.raises(NotAllowed):
        services.answer_update(answer_id=answer.pk, user=outsider, version=1, body="x")

    assert not any(edits_of(post).exists() for post in (item, question, answer))
    assert Item.objects.get(pk=item.pk).edited_at is None


def test_an_edit_of_a_frozen_issue_records_nothing(item, member, issue):
    issue.status = IssueStatus.FROZEN
    issue.save(update_fields=["status"])

    with pytest.raises(IssueClosed):
        edit_item(item, member, title="冻结后")

    assert not edits_of(item).exists()


def test_an_edit_that_fails_after_saving_records_nothing(item, member, monkeypatch):
    # The record is written inside the service's transaction: a failure
    # after it takes the edit and its record back together.
    def fail(*args, **kwargs):
        raise RuntimeError("the announcement failed")

    monkeypatch.setattr("sections.services.items._section_changed", fail)

    with pytest.raises(RuntimeError):
        edit_item(item, member, title="回滚")

    assert not edits_of(item).exists()
    assert Item.objects.get(pk=item.pk).title == "RoPE 外推"


def test_an_edit_on_approval_is_an_edit(question, admin_user):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    moderation.post_approve(kind="question", post_id=question.pk, user=admin_user, body="改好的？")

    assert Question.objects.get(pk=question.pk).edited_at is not None
    (version,) = post_history(question)
    assert version.who == "admin"
    assert version.on_approval


def test_an_approval_that_keeps_the_words_is_no_edit(question, admin_user):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    moderation.post_approve(kind="question", post_id=question.pk, user=admin_user, body="原问题？")
    moderation.post_hide(kind="question", post_id=question.pk, user=admin_user, reason="离题")

    assert Question.objects.get(pk=question.pk).edited_at is None
    assert post_history(question) == []


def test_it_records_an_admin_s_edit_in_the_admin(client, item, admin_user):
    client.force_login(admin_user)
    form = {
        "section": item.section_id,
        "kind": item.kind,
        "subgroup": item.subgroup,
        "title": "管理员改的",
        "url": item.url,
        "body": item.body,
        "version": item.version,
        "position": item.position,
        "listed": "on",
    }

    response = client.post(f"/admin/sections/item/{item.pk}/change/", form)

    assert response.status_code == 302, response.text
    (entry,) = edits_of(item)
    assert (entry.action, entry.actor) == ("item.edit", admin_user)
    assert (entry.before, entry.after) == ({"title": "RoPE 外推"}, {"title": "管理员改的"})
    assert Item.objects.get(pk=item.pk).edited_at is not None


def test_it_records_an_answer_edited_in_its_question_s_admin_page(
    client, question, answer, admin_user
):
    client.force_login(admin_user)
    form = {
        "section": question.section_id,
        "body": question.body,
        "status": question.status,
        "version": question.version,
        "position": question.position,
        "answer_line": "on",
        "answers-TOTAL_FORMS": "1",
        "answers-INITIAL_FORMS": "1",
        "answers-0-id": answer.pk,
        "answers-0-question": question.pk,
        "answers-0-body": "管理员改的回答",
        "answers-0-status": answer.status,
        "answers-0-version": answer.version,
    }

    response = client.post(f"/admin/sections/question/{question.pk}/change/", form)

    assert response.status_code == 302, response.text
    assert not edits_of(question).exists()
    (entry,) = edits_of(answer)
    assert (entry.before, entry.after) == ({"body": "原回答"}, {"body": "管理员改的回答"})
    assert Answer.objects.get(pk=answer.pk).edited_at is not None


# Reading it back


def test_it_lists_versions_newest_first_with_who_when_and_what(item, member, host):
    edit_item(item, member, title="第一次")
    item.refresh_from_db()
    edit_item(item, host, body="一行\n第二行", kind=Item.Kind.NOTE)

    newest, first = post_history(item)

    assert (newest.who, first.who) == ("羡鱼", "初七")
    assert newest.at >= first.at
    assert [str(change.label) for change in newest.changes] == ["kind", "text"]
    kind, body = newest.changes
    assert [(line.kind, line.text) for line in kind.lines] == [
        ("removed", "Entry"),
        ("added", "Note"),
    ]
    assert [(line.kind, line.text) for line in body.lines] == [
        ("removed", "A short summary."),
        ("added", "一行"),
        ("added", "第二行"),
    ]
    (title,) = first.changes
    assert [(line.kind, line.text) for line in title.lines] == [
        ("removed", "RoPE 外推"),
        ("added", "第一次"),
    ]


def test_it_shows_a_long_text_s_change_among_the_lines_kept(answer, member):
    services.answer_update(
        answer_id=answer.pk, user=member, version=answer.version, body="原回答\n补充"
    )

    (version,) = post_history(answer)
    (body,) = version.changes
    assert [(line.kind, line.text) for line in body.lines] == [
        ("kept", "原回答"),
        ("added", "补充"),
    ]


def test_a_post_only_created_has_no_history(item, question, answer):
    assert post_history(item) == post_history(question) == post_history(answer) == []


def test_deleting_a_post_leaves_its_history_in_the_audit_log(item, member):
    edit_item(item, member, title="改过")

    services.item_delete(item_id=item.pk, user=member)

    assert edits_of(item).count() == 1
