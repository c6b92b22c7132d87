"""A post's edit history on the page: the mark on an edited post, and the
list it opens, for whom it may show."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sections import moderation, services
from sections.models import Answer, Claim, Item, PostStatus, Question
from talk.models import IssueStatus
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_id, headers, rendered

pytestmark = pytest.mark.usefixtures("english")

READERS = ["author", "owner", "host", "admin"]
NOT_YOURS = "Only its author, the section's owners, the host and admins can see its history."


@pytest.fixture
def item(news, member):
    return ItemFactory(section=news, title="RoPE 外推", author=member, submitted_by=member)


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, body="原问题？", author=member, submitted_by=member)


@pytest.fixture
def answer(question, member):
    return AnswerFactory(question=question, body="原回答", author=member, submitted_by=member)


def edit_item(item, user, **fields):
    values = {"kind": item.kind, "subgroup": item.subgroup, "title": item.title, "url": item.url}
    values |= {"body": item.body, "points": item.points, "code": item.code, "language": ""}
    return services.item_update(
        item_id=item.pk, user=user, version=item.version, **(values | fields)
    )


def edit_question(question, user, body):
    return services.question_update(
        question_id=question.pk, user=user, version=question.version, body=body, subgroup=""
    )


def edit_answer(answer, user, body):
    return services.answer_update(answer_id=answer.pk, user=user, version=answer.version, body=body)


@pytest.fixture
def edited(item, question, answer, member):
    """Each kind of post, edited once by its author: (kind, post, new words)."""
    return {
        "item": (edit_item(item, member, title="RoPE 外推综述"), "RoPE 外推综述"),
        "question": (edit_question(question, member, "改过的问题？"), "改过的问题？"),
        "answer": (edit_answer(answer, member, "改过的回答"), "改过的回答"),
    }


def history_of(kind, post):
    return reverse(f"{kind}-history", args=[post.pk])


KINDS = ["item", "question", "answer"]


# Who reads it


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", READERS)
def test_it_opens_the_history_under_the_post_for_htmx(client_as, edited, kind, role):
    post, words = edited[kind]

    response = client_as(role).get(history_of(kind, post), headers=HTMX)

    assert response.status_code == 200, response.text
    assert rendered(response) == "sections/history.html#post-history"
    history = by_id(response.text, f"history-{kind}-{post.pk}")
    assert words in history
    assert "初七" in history  # who edited it
    assert "<main" not in response.text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", READERS)
def test_it_is_a_page_of_its_own_without_script(client_as, edited, issue, kind, role):
    post, words = edited[kind]

    response = client_as(role).get(history_of(kind, post))

    assert response.status_code == 200, response.text
    assert rendered(response) == "sections/history.html"
    assert words in by_id(response.text, f"history-{kind}-{post.pk}")
    back = f"{issue.get_absolute_url()}#{kind}-{post.pk}"
    assert f'href="{back}"' in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ["outsider", "anonymous"])
def test_it_is_not_for_the_room(client_as, edited, kind, role, htmx):
    post, _words = edited[kind]

    response = client_as(role).get(history_of(kind, post), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=403, message=NOT_YOURS)
    assert "post-history" not in response.text


def test_whoever_typed_a_post_for_another_reads_its_history(client_as, news, member, outsider):
    # Typed by the outsider, credited to the member: both of them wrote it.
    item = ItemFactory(section=news, title="转述", author=member, submitted_by=outsider)
    edit_item(item, member, title="转述（改）")

    response = client_as("outsider").get(history_of("item", item), headers=HTMX)

    assert response.status_code == 200
    assert "转述（改）" in response.text


def test_a_post_moderation_keeps_from_the_viewer_is_not_found(client_as, edited):
    question, _words = edited["question"]
    Question.objects.filter(pk=question.pk).update(status=PostStatus.HIDDEN)

    # The owner curates the section, but a hidden post is not on their page.
    assert client_as("owner").get(history_of("question", question)).status_code == 404


def test_its_author_reads_the_history_of_a_post_that_waits(client_as, edited):
    answer, words = edited["answer"]
    Answer.objects.filter(pk=answer.pk).update(status=PostStatus.PENDING)

    response = client_as("author").get(history_of("answer", answer), headers=HTMX)

    assert response.status_code == 200
    assert words in response.text


def test_a_deleted_post_has_no_history_to_open(client_as, edited, member):
    item, _words = edited["item"]
    services.item_delete(item_id=item.pk, user=member)

    assert client_as("admin").get(history_of("item", item)).status_code == 404


def test_it_reads_the_history_of_a_frozen_issue(client_as, edited, issue):
    issue.status = IssueStatus.FROZEN
    issue.save(update_fields=["status"])
    item, words = edited["item"]

    response = client_as("author").get(history_of("item", item), headers=HTMX)

    assert response.status_code == 200
    assert words in response.text


# What it shows


def test_it_shows_what_each_version_changed_newest_first(client_as, item, member, host):
    item = edit_item(item, member, title="第一次改")
    edit_item(item, host, title="第二次改", body="新摘要")

    response = client_as("author").get(history_of("item", item), headers=HTMX)

    versions = response.text.split('class="version"')[1:]
    assert len(versions) == 2
    assert "羡鱼" in versions[0]
    assert "初七" in versions[1]
    assert "<del>" in versions[0]
    assert "第二次改</ins>" in versions[0]
    assert "新摘要</ins>" in versions[0]
    assert "RoPE 外推</del>" in versions[1]
    assert "第一次改</ins>" in versions[1]
    assert "新摘要" not in versions[1]


def test_it_marks_a_moderator_s_edit_on_approval(client_as, question, admin_user):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)
    moderation.post_approve(kind="question", post_id=question.pk, user=admin_user, body="改好的？")

    response = client_as("author").get(history_of("question", question), headers=HTMX)

    assert "edited on approval" in response.text
    assert "改好的？</ins>" in response.text


def test_it_names_editors_by_alias_only(client_as, item):
    editor = UserFactory(alias="编辑者", email="real.name@example.com")
    Claim.objects.create(section=item.section, member=editor, slot=2)
    edit_item(item, editor, title="改过")

    response = client_as("author").get(history_of("item", item))

    assert "编辑者" in response.text
    assert "real.name@example.com" not in response.text


def test_a_post_only_created_has_nothing_to_list(client_as, item):
    response = client_as("author").get(history_of("item", item), headers=HTMX)

    assert response.status_code == 200
    assert "Not edited since it was posted." in response.text


# The mark on the page


def page(client, issue):
    return client.get(issue.get_absolute_url()).text


@pytest.mark.parametrize("role", READERS)
def test_the_page_marks_an_edited_post_for_its_readers(client_as, edited, issue, role):
    text = page(client_as(role), issue)

    for kind, (post, _words) in edited.items():
        row = by_id(text, f"{kind}-{post.pk}")
        assert "edited" in row
        link = history_of(kind, post)
        assert f'href="{link}"' in row
        assert f'hx-get="{link}"' in row
        assert f'hx-target="#history-{kind}-{post.pk}"' in row
        assert f'id="history-{kind}-{post.pk}"' in row


@pytest.mark.parametrize("role", ["outsider", "anonymous"])
def test_the_page_marks_nothing_for_the_room(client_as, edited, issue, role):
    text = page(client_as(role), issue)

    for kind, (post, _words) in edited.items():
        assert history_of(kind, post) not in text
        assert "badge-edited" not in by_id(text, f"{kind}-{post.pk}")


def test_the_page_marks_no_post_that_was_only_created(client_as, item, question, answer, issue):
    text = page(client_as("author"), issue)

    assert "badge-edited" not in text
    assert "/history/" not in text


def test_an_edited_item_s_fragment_carries_its_mark(client_as, item, member):
    response = client_as("author").post(
        reverse("item-edit", args=[item.pk]),
        {"kind": item.kind, "title": "改过", "url": item.url, "version": item.version},
        headers=HTMX,
    )

    assert response.status_code == 200, response.text
    assert history_of("item", item) in by_id(response.text, f"item-{item.pk}")


# The issue page's queries


@pytest.mark.parametrize("size", [10, 200])
def test_the_marks_cost_the_page_no_query(client, issue, member, django_assert_num_queries, size):
    news = issue.sections.get(key="news")
    free_talk = issue.sections.get(key="free-talk")
    Claim.objects.create(section=news, member=member, slot=1)
    now = timezone.now()
    Item.objects.bulk_create(
        Item(section=news, title=f"Item {n}", author=member, position=n, edited_at=now)
        for n in range(size)
    )
    questions = Question.objects.bulk_create(
        Question(section=free_talk, body=f"Q {n}?", author=member, position=n, edited_at=now)
        for n in range(size)
    )
    Answer.objects.bulk_create(
        Answer(question=q, body="An answer.", author=member, edited_at=now) for q in questions
    )
    client.force_login(member)

    # As test_it_reads_the_page_for_a_member_in_a_fixed_number_of_queries
    # (tests/talk/test_issue_page.py) counts them: the marks read nothing more.
    with django_assert_num_queries(12):
        text = client.get(issue.get_absolute_url()).text

    assert text.count("badge-edited") == 3 * size
