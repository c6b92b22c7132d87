"""The review queue page, its actions, reports, the rules page and suspensions."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from sections.models import PostStatus, Question, Report
from talk.models import Issue, IssueStatus, Series
from tests.conftest import section_of
from tests.factories import QuestionFactory
from tests.responses import (
    BOTH_WAYS,
    HTMX,
    assert_sent_to_log_in,
    by_id,
    headers,
    rendered,
    says,
)

pytestmark = pytest.mark.usefixtures("english")

MODERATORS_ONLY = "Only admins and the issue&#x27;s host moderate."


@pytest.fixture
def free_talk(issue):
    return section_of(issue, "free-talk")


@pytest.fixture
def waiting(free_talk, member):
    return QuestionFactory(
        section=free_talk,
        author=member,
        submitted_by=member,
        body="等审核的问题？",
        status=PostStatus.PENDING,
    )


def act(client, kind, post, action, data=None, htmx=False):
    url = reverse("moderate", args=[kind, post.pk, action])
    return client.post(url, data or {}, headers=headers(htmx))


def queue_url(section):
    return reverse("section-moderation", args=[section.pk])


# The page


@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_shows_the_moderators_what_waits(client_as, free_talk, waiting, role):
    response = client_as(role).get(queue_url(free_talk))

    assert response.status_code == 200
    assert "等审核的问题？" in by_id(response.text, f"moderate-question-{waiting.pk}")


@pytest.mark.parametrize("role", ["author", "outsider", "owner"])
def test_it_keeps_the_queue_from_everyone_else(client_as, free_talk, waiting, role):
    response = client_as(role).get(queue_url(free_talk))

    assert response.status_code == 403
    assert MODERATORS_ONLY in response.text
    assert "等审核的问题？" not in response.text


def test_it_sends_visitors_to_log_in(client, free_talk):
    response = client.get(queue_url(free_talk))

    assert_sent_to_log_in(response, htmx=False, back_to=queue_url(free_talk))


def test_it_links_the_queue_for_moderators_and_the_rules_for_everyone(client_as, issue, free_talk):
    rules = reverse("series-rules", args=[issue.series.slug])

    visitor = client_as("anonymous").get(issue.get_absolute_url()).text
    host = client_as("host").get(issue.get_absolute_url()).text

    assert rules in visitor
    assert queue_url(free_talk) not in visitor
    assert queue_url(free_talk) in host


# Actions


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_approves(client_as, free_talk, waiting, role, htmx):
    response = act(client_as(role), "question", waiting, "approve", htmx=htmx)

    assert Question.objects.get(pk=waiting.pk).status == PostStatus.VISIBLE
    if htmx:
        assert rendered(response) == "sections/moderation.html#moderation-queue"
    else:
        assert response.status_code == 302
        assert response.url == queue_url(free_talk)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["anonymous", "author", "outsider", "owner"])
def test_it_refuses_everyone_else(client_as, waiting, role, htmx):
    response = act(client_as(role), "question", waiting, "approve", htmx=htmx)

    assert response.status_code == 403
    assert Question.objects.get(pk=waiting.pk).status == PostStatus.PENDING
    assert not AuditEvent.objects.filter(action="question.approve").exists()


def test_a_plain_refusal_gives_the_typed_reason_back(client_as, issue, waiting):
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.FROZEN)

    response = act(client_as("host"), "question", waiting, "reject", {"reason": "广告"}, htmx=False)

    assert response.status_code == 409
    assert "广告</textarea>" in by_id(response.text, "kept-text")
    assert Question.objects.get(pk=waiting.pk).status == PostStatus.PENDING


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_a_reason_in_words(client_as, waiting, htmx):
    response = act(client_as("host"), "question", waiting, "reject", {"reason": ""}, htmx=htmx)

    assert response.status_code == 400
    assert "Say why: the author will see it." in response.text
    assert Question.objects.get(pk=waiting.pk).status == PostStatus.PENDING


def test_it_rejects_with_a_reason_the_asker_sees(client_as, issue, waiting):
    act(client_as("host"), "question", waiting, "reject", {"reason": "请勿提及雇主"})

    asker = client_as("author").get(issue.get_absolute_url()).text
    question = by_id(asker, f"question-{waiting.pk}")
    assert "Rejected" in question
    assert "请勿提及雇主" in question


def test_it_edits_then_approves(client_as, waiting):
    act(client_as("admin"), "question", waiting, "edit-approve", {"body": "改过的问题？"})

    question = Question.objects.get(pk=waiting.pk)
    assert (question.status, question.body) == (PostStatus.VISIBLE, "改过的问题？")


@pytest.mark.parametrize("action", ["pin", "lock"])
def test_it_pins_and_locks(client_as, free_talk, action):
    question = QuestionFactory(section=free_talk)

    act(client_as("host"), "question", question, action, htmx=True)

    assert getattr(
        Question.objects.get(pk=question.pk), f"{action}ed" if action == "lock" else "pinned"
    )


def test_it_merges_into_a_question_named_by_its_number(client_as, free_talk):
    kept, duplicate = QuestionFactory(section=free_talk), QuestionFactory(section=free_talk)

    act(client_as("host"), "question", duplicate, "merge", {"into": "Q1"}, htmx=True)

    assert Question.objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_it_merges_into_the_question_the_page_shows_with_that_number(client_as, issue, free_talk):
    # A hidden question before it: the admin sees it on the page, unnumbered.
    QuestionFactory(section=free_talk, position=1)
    QuestionFactory(section=free_talk, status=PostStatus.HIDDEN, position=2)
    kept = QuestionFactory(section=free_talk, position=3)
    duplicate = QuestionFactory(section=free_talk, position=4)
    client = client_as("admin")
    page = client.get(issue.get_absolute_url()).text
    assert 'class="question-label">Q2：' in by_id(page, f"question-{kept.pk}")

    act(client, "question", duplicate, "merge", {"into": "Q2"}, htmx=True)

    assert Question.objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_it_merges_by_the_number_read_sub_group_by_sub_group(client_as, issue, free_talk):
    # Asked in this order; read (and numbered) 线上讨论 first.
    later = QuestionFactory(section=free_talk, subgroup="群里讨论", position=1)
    kept = QuestionFactory(section=free_talk, subgroup="线上讨论", position=2)
    duplicate = QuestionFactory(section=free_talk, subgroup="线上讨论", position=3)
    client = client_as("admin")
    page = client.get(issue.get_absolute_url()).text
    assert 'class="question-label">Q1：' in by_id(page, f"question-{kept.pk}")
    queue = client.get(reverse("section-moderation", args=[free_talk.pk])).text
    assert queue.index(f"question-{kept.pk}") < queue.index(f"question-{later.pk}")

    act(client, "question", duplicate, "merge", {"into": "Q1"}, htmx=True)

    assert Question.objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_it_says_when_the_number_is_wrong(client_as, free_talk):
    duplicate = QuestionFactory(section=free_talk)

    response = act(client_as("host"), "question", duplicate, "merge", {"into": "7"}, htmx=True)

    assert response.status_code == 400
    assert "There is no question with that number here." in response.text


def test_it_knows_no_other_action(client_as, waiting):
    assert act(client_as("admin"), "question", waiting, "delete-everything").status_code == 404
    assert act(client_as("admin"), "vote", waiting, "approve").status_code == 404


# A closed issue

CLOSED = "This issue is frozen: its content can no longer change."


def close(issue, **fields):
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED, **fields)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_to_moderate_a_closed_issue_in_words(client_as, issue, free_talk, waiting, htmx):
    close(issue)

    response = act(
        client_as("admin"), "question", waiting, "edit-approve", {"body": "改过的问题？"}, htmx=htmx
    )

    assert response.status_code == 409
    if htmx:
        assert rendered(response) == "sections/refusal.html"
        assert response.headers["HX-Retarget"] == "#flash"
        assert says(response, CLOSED)
    else:
        assert rendered(response) == "sections/moderation.html"
        assert CLOSED in by_id(response.text, "flash")
    question = Question.objects.get(pk=waiting.pk)
    assert (question.status, question.body) == (PostStatus.PENDING, "等审核的问题？")
    assert not AuditEvent.objects.filter(action__startswith="question.").exists()


def test_it_shows_the_queue_of_a_closed_issue_read_only_until_a_correction(
    client_as, issue, free_talk, waiting, outsider
):
    shown = QuestionFactory(section=free_talk, body="页面上的问题？")
    report = Report.objects.create(question=shown, reporter=outsider, reason="广告")
    writes = [
        reverse("moderate", args=["question", waiting.pk, "approve"]),
        reverse("moderate", args=["question", waiting.pk, "edit-approve"]),
        reverse("moderate", args=["question", waiting.pk, "reject"]),
        reverse("moderate", args=["question", shown.pk, "hide"]),
        reverse("moderate", args=["question", shown.pk, "pin"]),
        reverse("moderate", args=["question", shown.pk, "lock"]),
    ]
    dismiss = reverse("report-dismiss", args=[report.pk])
    close(issue)
    client = client_as("host")

    queue = by_id(client.get(queue_url(free_talk)).text, "moderation-queue")

    assert "frozen" in by_id(queue, "moderation-closed")
    assert [url for url in writes if url in queue] == []
    assert dismiss in queue  # reports are not part of the record
    assert "等审核的问题？" in queue

    close(issue, correcting=True)
    queue = by_id(client.get(queue_url(free_talk)).text, "moderation-queue")

    assert 'id="moderation-closed"' not in queue
    assert [url for url in writes if url not in queue] == []


# Reports


def report_url(question):
    return reverse("question-report", args=[question.pk])


def test_it_loads_the_report_form_in_place(client_as, free_talk):
    question = QuestionFactory(section=free_talk)

    response = client_as("outsider").get(report_url(question), headers=HTMX)

    assert rendered(response) == "sections/report.html#report-form"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_takes_a_report(client_as, issue, free_talk, htmx):
    question = QuestionFactory(section=free_talk)

    response = client_as("outsider").post(
        report_url(question), {"reason": "广告"}, headers=headers(htmx)
    )

    assert Report.objects.get().reason == "广告"
    if htmx:
        assert "the moderators will look at it" in response.text
    else:
        assert response.url == f"{issue.get_absolute_url()}#question-{question.pk}"


def test_it_refuses_a_report_of_one_s_own_post_posted_directly(client_as, people, free_talk):
    # The page offers no Report link on one's own post; a direct POST meets
    # the same rule in the service.
    question = QuestionFactory(
        section=free_talk, author=people["author"], submitted_by=people["author"]
    )

    response = client_as("author").post(report_url(question), {"reason": "test"}, headers=HTMX)

    assert response.status_code == 403
    assert "your own post" in response.text
    assert not Report.objects.exists()
    page = client_as("author").get(free_talk.issue.get_absolute_url()).text
    assert report_url(question) not in page


def test_it_keeps_an_empty_report_in_its_form(client_as, free_talk):
    question = QuestionFactory(section=free_talk)

    response = client_as("outsider").post(report_url(question), {"reason": ""}, headers=HTMX)

    assert response.status_code == 422
    assert rendered(response) == "sections/report.html#report-form"
    assert not Report.objects.exists()


def test_it_says_when_reports_come_too_fast(client_as, free_talk):
    Series.objects.update(reports_per_minute=1)
    first, second = QuestionFactory(section=free_talk), QuestionFactory(section=free_talk)
    client = client_as("outsider")
    client.post(report_url(first), {"reason": "一"}, headers=HTMX)

    response = client.post(report_url(second), {"reason": "二"}, headers=HTMX)

    assert response.status_code == 429
    assert "二" in by_id(response.text, f"report-question-{second.pk}")  # typed text kept


def test_it_sends_visitors_to_log_in_to_report(client, free_talk):
    question = QuestionFactory(section=free_talk)

    response = client.post(report_url(question), {"reason": "x"})

    assert response.status_code == 302
    assert not Report.objects.exists()


def test_it_dismisses_a_report(client_as, free_talk):
    question = QuestionFactory(section=free_talk)
    client_as("outsider").post(report_url(question), {"reason": "无聊"})
    report = Report.objects.get()

    client = client_as("host")
    response = client.post(reverse("report-dismiss", args=[report.pk]), headers=HTMX)

    assert response.status_code == 200
    assert Report.objects.get().resolved_at is not None


def test_it_leaves_a_report_about_the_host_s_own_post_to_an_admin(client_as, people, free_talk):
    own = QuestionFactory(section=free_talk, author=people["host"], submitted_by=people["host"])
    client_as("outsider").post(report_url(own), {"reason": "跑题"})
    queue = reverse("section-moderation", args=[free_talk.pk])

    host_sees = client_as("host").get(queue).text
    admin_sees = client_as("admin").get(queue).text

    assert "Dismiss the report" not in host_sees
    assert "A report about your own post is for an admin to judge." in host_sees
    assert "Dismiss the report" in admin_sees


def test_it_numbers_a_reported_question_as_the_page_does(client_as, free_talk):
    QuestionFactory(section=free_talk, position=1)
    QuestionFactory(section=free_talk, status=PostStatus.PENDING, position=2)
    reported = QuestionFactory(section=free_talk, position=3)
    client_as("outsider").post(report_url(reported), {"reason": "跑题"})

    queue = client_as("host").get(queue_url(free_talk)).text

    report = by_id(queue, f"report-{Report.objects.get().pk}")
    assert '<span class="badge">Q2</span>' in report
    # Listed twice (reported, and among the page's posts), under two ids.
    assert queue.count(f'id="moderate-question-{reported.pk}"') == 1


# The rules page


def test_it_shows_the_rules_to_anyone(client, series):
    Series.objects.filter(pk=series.pk).update(
        moderation_rules="保护好你的马甲。", moderation="pre", questions_per_minute=3
    )

    page = client.get(reverse("series-rules", args=[series.slug])).text

    assert "保护好你的马甲。" in page
    assert "shows once a moderator has approved it" in page
    assert "At most 3 questions" in page


# Suspensions


def suspend_url(user):
    return reverse("accounts:suspend", args=[user.pk])


def test_an_admin_suspends_a_member_who_is_then_told_why(client_as, people, issue):
    member = people["outsider"]

    response = client_as("admin").post(suspend_url(member), {"until": "", "reason": "刷屏"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended
    page = client_as("outsider").get(issue.get_absolute_url()).text
    assert "刷屏" in by_id(page, "suspension")
    assert 'id="ask-' not in page  # no forms to type into in vain


@pytest.mark.parametrize("role", ["author", "host", "owner"])
def test_only_admins_suspend(client_as, people, role):
    response = client_as(role).post(suspend_url(people["outsider"]), {"reason": "x"})

    assert response.status_code == 403
    people["outsider"].refresh_from_db()
    assert not people["outsider"].is_suspended


def test_admins_are_not_suspended(client_as, people):
    response = client_as("admin").post(suspend_url(people["admin"]), {"reason": "x"})

    assert response.status_code == 400
    assert "Admins cannot be suspended" in response.text
