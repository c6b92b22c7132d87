"""Moderation services: who may act, what each action does to the post, the
audit entry it leaves, and what the asker sees."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import member_reinstate, member_suspend
from sections import moderation
from sections import services as desk
from sections.errors import Invalid, IssueClosed, NotAllowed, RateLimited
from sections.models import Answer, PostStatus, Question, Report, Vote
from sections.selectors import issue_content, moderation_queue
from talk.models import Issue, IssueStatus, Series
from tests.conftest import section_of
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.responses import by_id


@pytest.fixture
def free_talk(issue):
    return section_of(issue, "free-talk")


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, author=member, submitted_by=member, body="原问题？")


def fresh_section(section):
    return type(section).objects.select_related("issue__series").get(pk=section.pk)


def shown_to(viewer, issue) -> list[str]:
    section = issue_content(issue, viewer=viewer).section("free-talk")
    return [q.row.body for q in section.numbered_questions]


def last_audit() -> AuditEvent:
    return AuditEvent.objects.order_by("-at", "-id").first()


# Pre- and post-moderation


def test_posts_show_at_once_under_post_moderation(free_talk, member, outsider, issue):
    question = desk.question_ask(section=fresh_section(free_talk), user=member, body="马上可见？")

    assert question.status == PostStatus.VISIBLE
    assert "马上可见？" in shown_to(outsider, issue)


def test_posts_wait_under_pre_moderation(free_talk, member, outsider, issue):
    Series.objects.update(moderation="pre")

    question = desk.question_ask(section=fresh_section(free_talk), user=member, body="等审核？")

    assert question.status == PostStatus.PENDING
    assert "等审核？" not in shown_to(outsider, issue)
    assert "等审核？" in shown_to(member, issue)  # the asker sees their own, waiting


def test_an_issue_can_override_its_series(free_talk, member, issue):
    Issue.objects.filter(pk=issue.pk).update(moderation="pre")

    question = desk.question_ask(section=fresh_section(free_talk), user=member, body="本期先审？")

    assert question.status == PostStatus.PENDING


def test_answers_wait_too_but_not_the_moderators(free_talk, question, outsider, host):
    Series.objects.update(moderation="pre")

    answer = desk.answer_post(question_id=question.pk, user=outsider, body="等待的回答")
    hosts = desk.answer_post(question_id=question.pk, user=host, body="主持人的回答")

    assert answer.status == PostStatus.PENDING
    assert hosts.status == PostStatus.VISIBLE


# Who moderates


ACTIONS = {
    "approve": lambda q, u: moderation.post_approve(kind="question", post_id=q.pk, user=u),
    "reject": lambda q, u: moderation.post_reject(
        kind="question", post_id=q.pk, user=u, reason="离题"
    ),
    "hide": lambda q, u: moderation.post_hide(kind="question", post_id=q.pk, user=u, reason="广告"),
    "pin": lambda q, u: moderation.question_pin(question_id=q.pk, user=u, pinned=True),
    "lock": lambda q, u: moderation.question_lock(question_id=q.pk, user=u, locked=True),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ["author", "outsider", "owner"])
def test_only_moderators_moderate(people, question, action, role):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    with pytest.raises(NotAllowed):
        ACTIONS[action](question, people[role])

    assert Question.objects.get(pk=question.pk).status == PostStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="question.").exists()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ["host", "admin"])
def test_the_host_and_admins_moderate_and_it_is_recorded(people, question, action, role):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    ACTIONS[action](question, people[role])

    entry = last_audit()
    assert entry.actor == people[role]
    assert entry.action == f"question.{action}"
    assert entry.target_id == str(question.pk)
    assert entry.scope == "openllm-talk/8"


def _hidden(q):
    Question.objects.filter(pk=q.pk).update(status=PostStatus.HIDDEN, moderation_note="x")


def _flagged(q):
    Question.objects.filter(pk=q.pk).update(pinned=True, locked=True)


def _reported(q):
    reporter = UserFactory(alias="举报人")
    return Report.objects.create(question=q, reporter=reporter, reason="广告")


# The other actions, each from the state it acts on: (set up, act, audit action).
MORE_ACTIONS = {
    "restore": (
        _hidden,
        lambda q, u, _: moderation.post_restore(kind="question", post_id=q.pk, user=u),
        "question.restore",
    ),
    "edit-approve": (
        lambda q: Question.objects.filter(pk=q.pk).update(status=PostStatus.PENDING),
        lambda q, u, _: moderation.post_approve(kind="question", post_id=q.pk, user=u, body="改"),
        "question.edit-approve",
    ),
    "unpin": (
        _flagged,
        lambda q, u, _: moderation.question_pin(question_id=q.pk, user=u, pinned=False),
        "question.unpin",
    ),
    "unlock": (
        _flagged,
        lambda q, u, _: moderation.question_lock(question_id=q.pk, user=u, locked=False),
        "question.unlock",
    ),
    "merge": (
        lambda q: QuestionFactory(section=q.section, body="保留的问题？"),
        lambda q, u, kept: moderation.question_merge(question_id=q.pk, into_id=kept.pk, user=u),
        "question.merge",
    ),
    "dismiss": (
        _reported,
        lambda q, u, report: moderation.report_dismiss(report_id=report.pk, user=u),
        "report.dismiss",
    ),
}


@pytest.mark.parametrize("action", MORE_ACTIONS)
@pytest.mark.parametrize("role", ["author", "outsider", "owner", "host", "admin"])
def test_every_other_action_is_for_moderators_and_recorded(people, question, action, role):
    set_up, act, audited = MORE_ACTIONS[action]
    made = set_up(question)
    before = AuditEvent.objects.count()

    if role in ("host", "admin"):
        act(question, people[role], made)
        assert last_audit().action == audited
        assert last_audit().actor == people[role]
    else:
        with pytest.raises(NotAllowed):
            act(question, people[role], made)
        assert AuditEvent.objects.count() == before


def test_the_host_of_another_issue_does_not_moderate_this_one(series, question):
    other = desk_issue(series, number=9)
    other_host = UserFactory(alias="别期主持")
    Issue.objects.filter(pk=other.pk).update(host=other_host)

    with pytest.raises(NotAllowed):
        moderation.post_hide(kind="question", post_id=question.pk, user=other_host, reason="x")


def desk_issue(series, number):
    from talk.services import issue_create

    return issue_create(series=series, by=None, number=number)


# What each action does


def test_approve_shows_a_waiting_post(question, outsider, admin_user, issue):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    moderation.post_approve(kind="question", post_id=question.pk, user=admin_user)

    assert "原问题？" in shown_to(outsider, issue)
    assert last_audit().before["status"] == "pending"
    assert last_audit().after["status"] == "visible"


def test_edit_then_approve_keeps_both_texts_in_the_audit(question, admin_user):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    moderation.post_approve(kind="question", post_id=question.pk, user=admin_user, body="改好的？")

    assert Question.objects.get(pk=question.pk).body == "改好的？"
    entry = last_audit()
    assert entry.action == "question.edit-approve"
    assert (entry.before["body"], entry.after["body"]) == ("原问题？", "改好的？")


def test_reject_tells_the_asker_why(question, member, outsider, host, issue):
    Question.objects.filter(pk=question.pk).update(status=PostStatus.PENDING)

    moderation.post_reject(kind="question", post_id=question.pk, user=host, reason="请勿提及雇主")

    rejected = Question.objects.get(pk=question.pk)
    assert (rejected.status, rejected.moderation_note) == (PostStatus.REJECTED, "请勿提及雇主")
    assert "原问题？" in shown_to(member, issue)
    assert "原问题？" not in shown_to(outsider, issue)
    assert last_audit().reason == "请勿提及雇主"


def test_a_rejected_question_offers_its_asker_nothing_to_do_with_the_room(
    question, member, host, client, english
):
    moderation.post_reject(kind="question", post_id=question.pk, user=host, reason="请勿提及雇主")
    client.force_login(member)

    page = client.get(question.section.issue.get_absolute_url()).content.decode()

    asked = by_id(page, f"question-{question.pk}")
    assert "请勿提及雇主" in asked
    assert "Mark answered" not in asked
    assert "vote-count" not in asked
    with pytest.raises(NotAllowed, match="not open for answers or votes"):
        desk.question_set_answered(question_id=question.pk, user=member, answered=True)
    assert not Question.objects.get(pk=question.pk).answered


@pytest.mark.parametrize("action", ["reject", "hide"])
def test_a_reason_is_required(question, host, action):
    with pytest.raises(Invalid):
        getattr(moderation, f"post_{action}")(
            kind="question", post_id=question.pk, user=host, reason="  "
        )


def test_hide_and_restore(question, outsider, host, issue):
    moderation.post_hide(kind="question", post_id=question.pk, user=host, reason="重复")
    assert "原问题？" not in shown_to(outsider, issue)

    moderation.post_restore(kind="question", post_id=question.pk, user=host)

    assert "原问题？" in shown_to(outsider, issue)
    assert last_audit().action == "question.restore"


def test_hide_an_answer(question, outsider, host):
    answer = AnswerFactory(question=question, author=outsider, submitted_by=outsider)

    moderation.post_hide(kind="answer", post_id=answer.pk, user=host, reason="人身攻击")

    assert Answer.objects.get(pk=answer.pk).status == PostStatus.HIDDEN
    assert last_audit().action == "answer.hide"


def test_merge_moves_answers_and_votes(free_talk, question, member, outsider, owner, host):
    duplicate = QuestionFactory(section=free_talk, author=outsider, body="同一个问题？")
    answer = AnswerFactory(question=duplicate, author=owner, body="答案在这里")
    Vote.objects.create(question=duplicate, member=owner)
    Vote.objects.create(question=duplicate, member=host)
    Vote.objects.create(question=question, member=host)  # voted for both: one vote stays

    moderation.question_merge(question_id=duplicate.pk, into_id=question.pk, user=host)

    assert Answer.objects.get(pk=answer.pk).question_id == question.pk
    voters = set(Vote.objects.filter(question=question).values_list("member__alias", flat=True))
    assert voters == {owner.alias, host.alias}
    assert not Vote.objects.filter(question=duplicate).exists()
    merged = Question.objects.get(pk=duplicate.pk)
    assert (merged.status, merged.merged_into_id) == (PostStatus.HIDDEN, question.pk)
    audit = last_audit()
    assert audit.action == "question.merge"
    # Where the answers went, to mend a wrong merge by.
    assert audit.after["merged_into"] == {"id": question.pk, "body": question.body}


def test_merge_refuses_itself_and_other_issues(series, question, host):
    with pytest.raises(Invalid):
        moderation.question_merge(question_id=question.pk, into_id=question.pk, user=host)
    elsewhere = QuestionFactory(section=section_of(desk_issue(series, 9), "free-talk"))
    with pytest.raises(Invalid):
        moderation.question_merge(question_id=question.pk, into_id=elsewhere.pk, user=host)


def test_a_locked_thread_takes_no_answers(question, outsider, host):
    moderation.question_lock(question_id=question.pk, user=host, locked=True)

    with pytest.raises(NotAllowed):
        desk.answer_post(question_id=question.pk, user=outsider, body="还能答吗")


def test_pinned_questions_lead_their_section(free_talk, question, host, outsider, issue):
    later = QuestionFactory(section=free_talk, body="后来的问题？")

    moderation.question_pin(question_id=later.pk, user=host, pinned=True)

    section = issue_content(issue, viewer=outsider).section("free-talk")
    in_page_order = [q.row.body for group in section.question_groups for q in group.entries]
    assert in_page_order == ["后来的问题？", "原问题？"]


# Reports


def test_a_report_lands_in_the_queue(free_talk, question, outsider, host):
    moderation.post_report(kind="question", post_id=question.pk, user=outsider, reason="广告")

    queue = moderation_queue(free_talk)
    assert [r.row.reason for r in queue.reports] == ["广告"]

    moderation.post_hide(kind="question", post_id=question.pk, user=host, reason="广告")
    assert moderation_queue(free_talk).reports == []  # acting on the post settles it


def test_a_member_reports_a_post_once(question, outsider):
    moderation.post_report(kind="question", post_id=question.pk, user=outsider, reason="广告")

    with pytest.raises(Invalid):
        moderation.post_report(kind="question", post_id=question.pk, user=outsider, reason="又是")
    assert Report.objects.count() == 1


def test_reports_are_rate_limited(free_talk, outsider):
    Series.objects.update(reports_per_minute=2)
    questions = QuestionFactory.create_batch(3, section=free_talk)

    for question in questions[:2]:
        moderation.post_report(kind="question", post_id=question.pk, user=outsider, reason="x")
    with pytest.raises(RateLimited):
        moderation.post_report(kind="question", post_id=questions[2].pk, user=outsider, reason="x")


def test_dismissing_a_report_is_recorded(question, outsider, admin_user):
    report = moderation.post_report(
        kind="question", post_id=question.pk, user=outsider, reason="无聊"
    )

    moderation.report_dismiss(report_id=report.pk, user=admin_user)

    assert Report.objects.get(pk=report.pk).resolved_by == admin_user
    assert last_audit().action == "report.dismiss"


def test_the_host_leaves_a_report_about_their_own_post_to_an_admin(
    free_talk, outsider, host, admin_user
):
    own = QuestionFactory(section=free_talk, author=host, submitted_by=host)
    report = moderation.post_report(kind="question", post_id=own.pk, user=outsider, reason="x")

    with pytest.raises(NotAllowed):
        moderation.report_dismiss(report_id=report.pk, user=host)
    moderation.report_dismiss(report_id=report.pk, user=admin_user)

    assert Report.objects.get(pk=report.pk).resolved_by == admin_user


# A closed issue


def test_a_closed_issue_takes_reports_but_its_posts_wait_for_a_correction(
    issue, question, outsider, owner, host
):
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    leak = moderation.post_report(
        kind="question", post_id=question.pk, user=outsider, reason="写了别人的住址"
    )
    dull = moderation.post_report(kind="question", post_id=question.pk, user=owner, reason="无聊")

    # Dismissing changes nothing in the record; hiding would.
    moderation.report_dismiss(report_id=dull.pk, user=host)
    with pytest.raises(IssueClosed):
        moderation.post_hide(kind="question", post_id=question.pk, user=host, reason="住址")

    assert Question.objects.get(pk=question.pk).status == PostStatus.VISIBLE
    assert Report.objects.get(pk=dull.pk).resolved_by == host
    assert Report.objects.get(pk=leak.pk).resolved_at is None

    Issue.objects.filter(pk=issue.pk).update(correcting=True)
    moderation.post_hide(kind="question", post_id=question.pk, user=host, reason="住址")

    assert Question.objects.get(pk=question.pk).status == PostStatus.HIDDEN
    assert Report.objects.get(pk=leak.pk).resolved_by == host


# Suspensions


def test_a_suspended_member_reads_but_cannot_post(free_talk, question, outsider, admin_user, issue):
    until = timezone.now() + datetime.timedelta(days=7)
    member_suspend(member=outsider, by=admin_user, until=until, reason="刷屏")
    outsider.refresh_from_db()

    with pytest.raises(NotAllowed) as refused:
        desk.question_ask(section=fresh_section(free_talk), user=outsider, body="还能问吗？")

    assert "刷屏" in str(refused.value.message)
    assert "原问题？" in shown_to(outsider, issue)
    assert last_audit().action == "member.suspend"


def test_a_suspension_for_good_and_its_end(free_talk, outsider, admin_user):
    member_suspend(member=outsider, by=admin_user, until=None, reason="违规")
    outsider.refresh_from_db()
    with pytest.raises(NotAllowed):
        desk.section_claim(section_id=free_talk.pk, user=outsider)

    member_reinstate(member=outsider, by=admin_user)
    outsider.refresh_from_db()

    assert not outsider.is_suspended
    assert last_audit().action == "member.reinstate"


def test_a_suspension_ends_by_itself(outsider):
    type(outsider).objects.filter(pk=outsider.pk).update(
        suspended_until=timezone.now() - datetime.timedelta(minutes=1), suspension_reason="旧的"
    )
    outsider.refresh_from_db()

    assert not outsider.is_suspended


# The audit log


def test_the_audit_log_cannot_be_changed(question, host):
    moderation.post_hide(kind="question", post_id=question.pk, user=host, reason="x")
    entry = last_audit()

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
