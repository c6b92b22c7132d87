"""Opening the next issue and carrying over what the last one left open:
unanswered questions (linked to their original, which shares its answers)
and nominations that were not chosen. Nothing is created twice."""

import datetime
import threading
import zoneinfo
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone

import talk
from accounts.models import AuditEvent
from sections.errors import Invalid, IssueClosed, NotAllowed
from sections.models import Answer, Claim, Item, PostStatus, Question
from sections.selectors import carried_links, issue_content
from talk import services
from talk.exports import markdown
from talk.importing import issue_import
from talk.models import Holiday, Issue, JobRun
from talk.schedule import next_meeting
from talk.snapshot import snapshot_build
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.talk.conftest import put_in

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CORPUS = Path(talk.__file__).parent / "corpus"
ALREADY_OPEN = "OpenLLM Talk 009 is already open."


def imported(series, name: str) -> Issue:
    return issue_import(series=series, text=(CORPUS / name).read_text(encoding="utf-8"))


def open_next(issue, user=None) -> Issue:
    return services.issue_open_next(series=issue.series, user=user, after=issue)


def carried_questions(issue) -> list[Question]:
    return list(
        Question.objects.filter(section__issue=issue, carried_from__isnull=False)
        .select_related("carried_from__section__issue")
        .order_by("position", "id")
    )


def carried_nominations(issue) -> list[Item]:
    return list(
        Item.objects.filter(section__issue=issue, carried_from__isnull=False)
        .select_related("section", "carried_from__section")
        .order_by("section__position", "position", "id")
    )


def saturday_evening_ahead(series, weeks: int = 1) -> datetime.datetime:
    meeting = next_meeting(series, timezone.now())
    return meeting + datetime.timedelta(days=7 * (weeks - 1))


@pytest.fixture
def frozen(issue):
    put_in(issue, "frozen")
    return Issue.objects.select_related("series").get(pk=issue.pk)


@pytest.fixture
def free_talk(frozen):
    return section_of(frozen, "free-talk")


# Opening the next issue


def test_it_opens_number_plus_one_with_the_templates_and_nobody_in_a_role(frozen, host, owner):
    opened = open_next(frozen, host)

    assert opened.number == 9
    assert opened.code == "9"
    assert opened.status == Issue.Status.DRAFT
    assert (opened.host, opened.editor, opened.host_name, opened.editor_name) == (
        None,
        None,
        "",
        "",
    )
    assert not Claim.objects.filter(section__issue=opened).exists()
    template_keys = list(frozen.series.templates.order_by("position").values_list("key", flat=True))
    assert list(opened.sections.order_by("position").values_list("key", flat=True)) == template_keys


def test_it_copies_the_templates_as_they_are_now(frozen, admin_user):
    frozen.series.templates.filter(key="news").update(title="本周要闻", time_budget_minutes=20)

    opened = open_next(frozen, admin_user)

    news = section_of(opened, "news")
    assert (news.title, news.time_budget_minutes) == ("本周要闻", 20)
    assert section_of(frozen, "news").title == "本周新闻"


def test_it_sets_the_meeting_a_week_after_the_last_one(frozen, admin_user):
    last = saturday_evening_ahead(frozen.series)
    Issue.objects.filter(pk=frozen.pk).update(meeting_at=last)
    frozen.refresh_from_db()

    opened = open_next(frozen, admin_user)

    assert opened.meeting_at == last + datetime.timedelta(days=7)
    assert opened.meeting_at.astimezone(SHANGHAI).time() == datetime.time(21, 0)
    assert opened.meeting_at.astimezone(SHANGHAI).weekday() == 5


def test_it_skips_the_holidays_in_the_way(frozen, admin_user):
    last = saturday_evening_ahead(frozen.series)
    Issue.objects.filter(pk=frozen.pk).update(meeting_at=last)
    frozen.refresh_from_db()
    for weeks in (1, 2):
        day = (last + datetime.timedelta(days=7 * weeks)).astimezone(SHANGHAI).date()
        Holiday.objects.create(series=frozen.series, date=day)

    opened = open_next(frozen, admin_user)

    assert opened.meeting_at == last + datetime.timedelta(days=21)


def test_it_sets_the_meeting_from_now_after_a_long_pause(series, admin_user):
    old = imported(series, "openllm-talk-000.txt")
    put_in(old, "frozen")

    opened = open_next(Issue.objects.get(pk=old.pk), admin_user)

    assert opened.meeting_at == next_meeting(series, timezone.now())
    assert opened.meeting_at > timezone.now()


def test_it_records_who_opened_it(frozen, host):
    opened = open_next(frozen, host)

    event = AuditEvent.objects.get(action="issue.open_next")
    assert event.actor == host
    assert event.target_id == str(opened.pk)
    assert event.after["after"] == "8"


# Who may open it


@pytest.mark.parametrize("role", ["host", "editor", "admin", "system"])
def test_it_lets_the_stewards_and_the_schedule_open_it(frozen, who, role):
    assert open_next(frozen, who(role)).number == 9


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("anonymous", "Log in to contribute."),
        ("outsider", "Only the host, the editor and admins can do that."),
        ("owner", "Only the host, the editor and admins can do that."),
    ],
)
def test_it_refuses_everyone_else(frozen, who, role, message):
    with pytest.raises(NotAllowed) as refusal:
        open_next(frozen, who(role))

    assert str(refusal.value) == message
    assert not Issue.objects.filter(number=9).exists()


# Once, whoever asks and however often


def test_it_refuses_to_open_it_twice(frozen, host):
    open_next(frozen, host)

    with pytest.raises(services.IssueExists) as refusal:
        open_next(frozen, host)

    assert str(refusal.value) == ALREADY_OPEN
    assert Issue.objects.filter(series=frozen.series).count() == 2


def test_it_refuses_a_second_call_without_the_issue_seen(frozen, admin_user):
    services.issue_open_next(series=frozen.series, user=admin_user)

    with pytest.raises(services.IssueExists) as refusal:
        services.issue_open_next(series=frozen.series, user=admin_user)

    assert str(refusal.value) == ALREADY_OPEN


def test_it_refuses_an_issue_that_has_not_met(issue, host):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=saturday_evening_ahead(issue.series))
    issue.refresh_from_db()

    with pytest.raises(IssueClosed) as refusal:
        open_next(issue, host)

    assert "has not met yet" in str(refusal.value)


def test_it_opens_after_an_unfrozen_issue_whose_meeting_is_over(issue):
    Issue.objects.filter(pk=issue.pk).update(
        meeting_at=timezone.now() - datetime.timedelta(hours=3)
    )
    issue.refresh_from_db()

    assert open_next(issue).number == 9


@pytest.mark.postgres
def test_two_openers_at_once_open_one_issue(transactional_db, series):
    host, editor = UserFactory(alias="主持"), UserFactory(alias="编辑者")
    issue = services.issue_create(series=series, by=None, number=41)
    Issue.objects.filter(pk=issue.pk).update(host=host, editor=editor, status="frozen")
    question = QuestionFactory(section=section_of(issue, "free-talk"), author_name="群友")
    issue = Issue.objects.select_related("series").get(pk=issue.pk)
    barrier = threading.Barrier(6)
    opened, refused = [], []

    def press(user):
        try:
            barrier.wait()
            opened.append(open_next(issue, user).pk)
        except services.IssueExists as error:
            refused.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in [host, editor, None] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(opened) == 1
    assert refused == ["OpenLLM Talk 042 is already open."] * 5
    assert Issue.objects.filter(series=series, number=42).count() == 1
    assert Question.objects.filter(carried_from=question).count() == 1


# Carrying over, on an issue of the corpus


@pytest.fixture
def issue_000(series):
    """OpenLLM Talk 000 as published, frozen: seven questions (three without
    an answer), a nomination for 本周推荐, and 位置编码 chosen for 本周经典."""
    issue = imported(series, "openllm-talk-000.txt")
    put_in(issue, "frozen")
    return Issue.objects.select_related("series").get(pk=issue.pk)


def test_it_carries_the_unanswered_questions_of_a_corpus_issue(issue_000):
    unanswered = list(
        Question.objects.filter(section__issue=issue_000, answers__isnull=True).order_by("position")
    )

    opened = open_next(issue_000)

    carried = carried_questions(opened)
    assert len(unanswered) == 3
    assert [q.carried_from for q in carried] == unanswered
    assert [q.body for q in carried] == [q.body for q in unanswered]
    assert [q.author_name for q in carried] == [q.author_name for q in unanswered]
    assert [q.subgroup for q in carried] == [q.subgroup for q in unanswered]
    assert {q.section.key for q in carried} == {"free-talk"}
    assert all(q.status == PostStatus.VISIBLE and not q.answered for q in carried)
    # The question 001 itself carried over (上期遗留) is one of them.
    assert any("LoRA 作为风格" in q.body for q in carried)


def test_it_carries_the_nominations_that_were_not_chosen(issue_000):
    opened = open_next(issue_000)

    carried = carried_nominations(opened)
    assert [(n.section.key, n.title) for n in carried] == [("recommend", "Openbuddy")]
    assert carried[0].kind == Item.Kind.NOMINATION
    assert carried[0].carried_from.section.issue_id == issue_000.pk
    # 位置编码 was 本周经典's theme: it stays where it was chosen.
    assert not Item.objects.filter(section__issue=opened, title="位置编码").exists()


def test_it_marks_them_上期遗留_in_the_markdown(issue_000):
    opened = open_next(issue_000)

    text = markdown.render(snapshot_build(Issue.objects.get(pk=opened.pk))).decode()

    assert text.count("--上期遗留（000）") == 3


def test_it_carries_nothing_twice(issue_000, admin_user):
    opened = open_next(issue_000)
    before = (len(carried_questions(opened)), len(carried_nominations(opened)))

    again = services.issue_carry_over(issue=opened, user=admin_user)
    once_more = services.issue_carry_over(issue=opened, user=None)

    assert (again.questions, again.nominations) == (0, 0)
    assert (once_more.questions, once_more.nominations) == (0, 0)
    assert (len(carried_questions(opened)), len(carried_nominations(opened))) == before == (3, 1)
    with pytest.raises(services.IssueExists):
        open_next(issue_000)
    assert Issue.objects.filter(series=issue_000.series).count() == 2


def test_it_adds_only_what_is_missing(issue_000, admin_user):
    opened = open_next(issue_000)
    gone = carried_questions(opened)[1]
    gone.delete()
    asked_meanwhile = QuestionFactory(section=section_of(opened, "free-talk"), author_name="群友")

    again = services.issue_carry_over(issue=opened, user=admin_user)

    assert (again.questions, again.nominations) == (1, 0)
    back = Question.objects.get(section__issue=opened, carried_from=gone.carried_from_id)
    last = Question.objects.filter(section__issue=opened).aggregate(last=Max("position"))["last"]
    assert back.position == last
    assert back.position > asked_meanwhile.position


def test_it_lets_admins_and_the_schedule_carry_over_again(issue_000, admin_user):
    opened = open_next(issue_000)

    assert services.issue_carry_over(issue=opened, user=admin_user).questions == 0
    assert services.issue_carry_over(issue=opened, user=None).questions == 0


def test_it_refuses_a_member_to_carry_over(issue_000, member):
    opened = open_next(issue_000)

    with pytest.raises(NotAllowed):
        services.issue_carry_over(issue=opened, user=member)


def test_it_carries_nothing_into_a_frozen_issue(issue_000):
    opened = open_next(issue_000)
    put_in(opened, "frozen")

    with pytest.raises(IssueClosed):
        services.issue_carry_over(issue=opened, user=None)


def test_it_refuses_to_carry_into_the_first_issue(issue_000):
    with pytest.raises(Invalid):
        services.issue_carry_over(issue=issue_000, user=None)


# What is left behind


def test_it_leaves_what_was_answered_settled_or_taken_off(frozen, free_talk, member):
    left = QuestionFactory(section=free_talk, author=member, subgroup="线上讨论")
    answered = QuestionFactory(section=free_talk, author_name="群友")
    AnswerFactory(question=answered, author_name="羡鱼")
    marked = QuestionFactory(section=free_talk, answered=True)
    hidden_answer_only = QuestionFactory(section=free_talk)
    AnswerFactory(question=hidden_answer_only, status=PostStatus.HIDDEN)
    QuestionFactory(section=free_talk, status=PostStatus.HIDDEN)
    QuestionFactory(section=free_talk, status=PostStatus.PENDING)
    QuestionFactory(section=free_talk, merged_into=marked)

    opened = open_next(frozen)

    carried = carried_questions(opened)
    assert [q.carried_from_id for q in carried] == [left.pk, hidden_answer_only.pk]
    assert carried[0].author == member
    assert carried[0].subgroup == "线上讨论"


def test_it_leaves_the_chosen_nomination(frozen, admin_user):
    recommend = section_of(frozen, "recommend")
    chosen = ItemFactory(section=recommend, kind=Item.Kind.NOMINATION, title="State of GPT")
    other = ItemFactory(section=recommend, kind=Item.Kind.NOMINATION, title="LLM 全景图")
    ItemFactory(section=recommend, kind=Item.Kind.ENTRY, title="An entry")
    ItemFactory(section=recommend, kind=Item.Kind.SUGGESTION, title="A suggestion")
    type(recommend).objects.filter(pk=recommend.pk).update(theme=chosen.title, theme_item=chosen)

    opened = open_next(frozen, admin_user)

    carried = carried_nominations(opened)
    assert [n.carried_from_id for n in carried] == [other.pk]
    assert carried[0].section.key == "recommend"
    assert (carried[0].title, carried[0].url) == (other.title, other.url)


def test_it_leaves_a_nomination_whose_title_is_the_theme_written_by_hand(frozen):
    classic = section_of(frozen, "classic")
    ItemFactory(section=classic, kind=Item.Kind.NOMINATION, title="位置编码")
    type(classic).objects.filter(pk=classic.pk).update(theme="位置编码")

    assert carried_nominations(open_next(frozen)) == []


# One conversation across issues


def test_a_question_carried_twice_links_back_step_by_step(frozen, free_talk):
    first = QuestionFactory(section=free_talk, author_name="群友")
    nine = open_next(frozen)
    put_in(nine, "frozen")

    ten = open_next(Issue.objects.select_related("series").get(pk=nine.pk))

    in_nine = Question.objects.get(section__issue=nine, carried_from=first)
    in_ten = Question.objects.get(section__issue=ten)
    assert in_ten.carried_from == in_nine
    assert carried_links([first.pk]) == {first.pk: {in_nine.pk, in_ten.pk}}
    assert carried_links([in_ten.pk]) == {in_ten.pk: {in_nine.pk, first.pk}}


def test_an_answer_given_later_shows_in_both(frozen, free_talk):
    original = QuestionFactory(section=free_talk, author_name="群友")
    opened = open_next(frozen)
    copy = Question.objects.get(carried_from=original)
    AnswerFactory(question=copy, body="Answered a week later.", author_name="羡鱼")

    old = issue_content(frozen).section("free-talk").numbered_questions[0]
    new = issue_content(opened).section("free-talk").numbered_questions[0]

    assert [a.row.body for group in old.carried_answers for a in group.question.threads] == [
        "Answered a week later."
    ]
    assert old.carried_answers[0].question.row.pk == copy.pk
    assert old.threads == []
    assert [a.row.body for a in new.threads] == ["Answered a week later."]
    assert new.carried_answers == []


def test_an_answer_to_the_original_shows_on_the_copy(frozen, free_talk):
    original = QuestionFactory(section=free_talk)
    opened = open_next(frozen)
    Answer.objects.create(question=original, body="From the correction.", author_name="羡鱼")
    AnswerFactory(question=original, status=PostStatus.HIDDEN, body="Hidden.")

    copy = issue_content(opened).section("free-talk").numbered_questions[0]

    carried = [a.row.body for g in copy.carried_answers for a in g.question.threads]
    assert carried == ["From the correction."]
    assert copy.carried_answers[0].question.row.section.issue_id == frozen.pk


def test_a_question_answered_on_another_copy_is_not_carried_again(frozen, free_talk):
    first = QuestionFactory(section=free_talk)
    nine = open_next(frozen)
    put_in(nine, "frozen")
    AnswerFactory(question=first, body="Late, on the original.")

    ten = open_next(Issue.objects.select_related("series").get(pk=nine.pk))

    assert carried_questions(ten) == []


@pytest.mark.parametrize("size", [3, 30])
def test_it_reads_carried_questions_in_a_fixed_number_of_queries(
    frozen, free_talk, size, django_assert_num_queries
):
    for question in QuestionFactory.create_batch(size, section=free_talk, author_name="群友"):
        AnswerFactory(question=question, status=PostStatus.HIDDEN)
    opened = open_next(frozen)
    for copy in carried_questions(opened):
        AnswerFactory(question=copy, author=UserFactory())

    # sections, claims, items, questions, answers, chat lines; then the
    # links between the copies and the answers given to the others.
    with django_assert_num_queries(8):
        content = issue_content(opened)

    assert len(content.section("free-talk").numbered_questions) == size


# The schedule's runs


def test_a_run_records_what_it_opened(series):
    issue = services.issue_create(
        series=series, by=None, number=8, meeting_at=timezone.now() - datetime.timedelta(hours=2)
    )

    run = services.issues_open_due()

    assert run.status == JobRun.Status.DONE
    assert run.job == "open_next_issues"
    assert "OpenLLM Talk 009" in run.detail
    assert run.finished_at >= run.started_at
    assert Issue.objects.get(number=9).meeting_at > issue.meeting_at


def test_a_second_run_opens_nothing(series):
    services.issue_create(
        series=series, by=None, number=8, meeting_at=timezone.now() - datetime.timedelta(hours=2)
    )

    services.issues_open_due()
    services.issues_open_due()

    assert Issue.objects.filter(series=series).count() == 2
    assert list(JobRun.objects.values_list("status", flat=True)) == ["done", "done"]


def test_the_schedule_leaves_a_series_that_has_paused(series):
    services.issue_create(
        series=series, by=None, number=8, meeting_at=timezone.now() - datetime.timedelta(days=30)
    )

    run = services.issues_open_due()

    assert run.status == JobRun.Status.DONE
    assert not Issue.objects.filter(number=9).exists()


def test_a_failed_run_says_why(series, monkeypatch):
    services.issue_create(
        series=series, by=None, number=8, meeting_at=timezone.now() - datetime.timedelta(hours=2)
    )

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.next_issue, "issue_open_next", broken)

    run = services.issues_open_due()

    assert run.status == JobRun.Status.FAILED
    assert "OpenLLM Talk 008: RuntimeError: the database went away" in run.detail
    assert run.finished_at is not None


def test_a_locked_question_stays_locked_in_the_next_issue(frozen, free_talk):
    closed = QuestionFactory(section=free_talk, author_name="群友", locked=True)
    open_question = QuestionFactory(section=free_talk, author_name="群友")

    opened = open_next(frozen)

    locks = {q.carried_from_id: q.locked for q in carried_questions(opened)}
    assert locks == {closed.pk: True, open_question.pk: False}
