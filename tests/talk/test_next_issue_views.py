"""The host's "Open the next issue" button, carried-over questions on the
page, and the admins' page of scheduled jobs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from talk.models import Issue, JobRun
from talk.services import issue_create, issue_open_next
from tests.conftest import section_of
from tests.factories import AnswerFactory, QuestionFactory
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_attr, by_id, headers
from tests.talk.conftest import put_in

pytestmark = pytest.mark.usefixtures("english")

NOT_STEWARD = "Only the host, the editor and admins can do that."
LOG_IN = "Log in to contribute."
BUTTON = "Open the next issue"


def open_url(issue) -> str:
    return reverse("issue-open-next", args=[issue.series.slug, issue.code])


def numbers(issue) -> list[int]:
    return list(Issue.objects.filter(series=issue.series).values_list("number", flat=True))


@pytest.fixture
def frozen(issue):
    put_in(issue, "frozen")
    return issue


@pytest.fixture
def log_in(client, client_as, editor):
    def as_role(role: str):
        if role == "editor":
            client.force_login(editor)
            return client
        return client_as(role)

    return as_role


# Opening it


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["host", "editor", "admin"])
def test_it_opens_the_next_issue_for_the_stewards(log_in, frozen, role, htmx):
    response = log_in(role).post(open_url(frozen), headers=headers(htmx))

    opened = Issue.objects.get(series=frozen.series, number=9)
    if htmx:
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == opened.get_absolute_url()
    else:
        assert response.status_code == 302
        assert response.url == opened.get_absolute_url()


@pytest.mark.parametrize("state", ["frozen", "published"])
def test_it_lands_on_the_new_issue_with_a_word(log_in, issue, state):
    put_in(issue, state)

    response = log_in("host").post(open_url(issue), follow=True)

    assert response.redirect_chain[-1][0] == "/s/openllm-talk/9/"
    assert "OpenLLM Talk 009 is open" in by_attr(response.text, "class", "messages")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "message"),
    [("anonymous", LOG_IN), ("outsider", NOT_STEWARD), ("owner", NOT_STEWARD)],
)
def test_it_refuses_everyone_else(log_in, frozen, role, message, htmx):
    response = log_in(role).post(open_url(frozen), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert numbers(frozen) == [8]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_says_the_next_issue_is_already_open(log_in, frozen, htmx):
    client = log_in("host")
    client.post(open_url(frozen))

    response = client.post(open_url(frozen), headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=409, message="OpenLLM Talk 009 is already open.")
    assert sorted(numbers(frozen)) == [8, 9]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_says_an_issue_must_meet_first(log_in, issue, htmx):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=timezone.now() + datetime.timedelta(days=2))

    response = log_in("host").post(open_url(issue), headers=headers(htmx))

    assert_refused(
        response,
        htmx=htmx,
        status=409,
        message="OpenLLM Talk 008 has not met yet: freeze it before opening the next one.",
    )


def test_it_takes_only_posts(log_in, frozen):
    assert log_in("host").get(open_url(frozen)).status_code == 405


# The button on the host's desk


def test_it_offers_the_button_once_the_issue_is_frozen(log_in, issue):
    client = log_in("host")
    assert BUTTON not in client.get(issue.get_absolute_url()).text

    put_in(issue, "frozen")

    desk = by_id(client.get(issue.get_absolute_url()).text, "issue-steward")
    form = by_id(desk, "open-next")
    assert f'action="{open_url(issue)}"' in form
    assert f'hx-post="{open_url(issue)}"' in form
    assert BUTTON in form


def test_it_shows_members_no_button(log_in, frozen):
    assert BUTTON not in log_in("outsider").get(frozen.get_absolute_url()).text


def test_it_links_to_the_next_issue_once_it_is_open(log_in, frozen):
    client = log_in("host")
    client.post(open_url(frozen))

    desk = by_id(client.get(frozen.get_absolute_url()).text, "issue-steward")

    assert BUTTON not in desk
    assert 'href="/s/openllm-talk/9/"' in by_id(desk, "next-issue")
    assert "Next: OpenLLM Talk 009" in desk


def test_it_refreshes_the_desk_with_the_button(log_in, frozen):
    url = reverse("issue-steward", args=[frozen.series.slug, frozen.code])

    response = log_in("editor").get(url, headers=HTMX)

    assert BUTTON in by_id(response.text, "open-next")


# Carried-over questions on the page


def test_it_links_a_carried_question_to_its_original(client, frozen):
    original = QuestionFactory(section=section_of(frozen, "free-talk"), author_name="群友")
    opened = issue_open_next(series=frozen.series, user=None, after=frozen)
    copy = opened.sections.get(key="free-talk").questions.get()
    AnswerFactory(question=copy, body="Given in the new issue.", author_name="羡鱼")

    new_page = by_id(client.get(opened.get_absolute_url()).text, f"question-{copy.pk}")
    old_page = by_id(client.get(frozen.get_absolute_url()).text, f"question-{original.pk}")

    link = f'href="/s/openllm-talk/8/#question-{original.pk}"'
    assert "carried over from the last issue" in new_page
    assert link in new_page
    assert "Given in the new issue." in new_page
    assert "Given in the new issue." in old_page
    assert f'href="/s/openllm-talk/9/#question-{copy.pk}"' in old_page
    assert "Answered in OpenLLM Talk 009" in old_page
    assert "No answer yet." not in old_page


def test_it_shows_the_answers_on_the_question_fragment(client, frozen):
    original = QuestionFactory(section=section_of(frozen, "free-talk"))
    opened = issue_open_next(series=frozen.series, user=None, after=frozen)
    copy = opened.sections.get(key="free-talk").questions.get()
    AnswerFactory(question=copy, body="A week later.")
    url = reverse("question", args=[original.pk])

    response = client.get(url, headers=HTMX)

    assert "A week later." in by_id(response.text, f"question-{original.pk}")


# The admins' page of scheduled jobs


@pytest.fixture
def overdue(series):
    return issue_create(
        series=series, by=None, number=5, meeting_at=timezone.now() - datetime.timedelta(days=3)
    )


@pytest.fixture
def failed_run(db):
    return JobRun.objects.create(
        job="open_next_issues",
        status=JobRun.Status.FAILED,
        detail="OpenLLM Talk 005: RuntimeError: the database went away",
        finished_at=timezone.now(),
    )


def test_it_shows_admins_what_failed_and_what_is_overdue(
    client, admin_user, overdue, failed_run, settings
):
    settings.REDIS_URL = "redis://example.invalid:6379/0"
    client.force_login(admin_user)

    response = client.get(reverse("jobs"))

    assert response.status_code == 200
    assert "RuntimeError: the database went away" in by_id(response.text, f"run-{failed_run.pk}")
    assert "no next issue is open" in by_id(response.text, "overdue-openllm-talk")
    assert "OpenLLM Talk 005" in by_id(response.text, "overdue")
    assert "The schedule has never run successfully" in by_id(response.text, "schedule")


def test_it_shows_a_run_that_never_finished(client, admin_user):
    stuck = JobRun.objects.create(job="open_next_issues")
    JobRun.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(admin_user)

    response = client.get(reverse("jobs"))

    assert "did not finish" in by_id(response.text, f"run-{stuck.pk}")


def test_it_says_the_schedule_runs_after_a_recent_run(client, admin_user, series, settings):
    settings.REDIS_URL = "redis://example.invalid:6379/0"
    JobRun.objects.create(
        job="open_next_issues", status=JobRun.Status.DONE, finished_at=timezone.now()
    )
    client.force_login(admin_user)

    page = client.get(reverse("jobs")).text

    assert "Last successful run" in by_id(page, "schedule-ok")
    assert "None: every series has its next issue." in by_id(page, "overdue")
    assert "None in the last 30 days." in by_id(page, "failed-runs")


def test_it_says_the_schedule_is_late(client, admin_user, series, settings):
    settings.REDIS_URL = "redis://example.invalid:6379/0"
    run = JobRun.objects.create(
        job="open_next_issues", status=JobRun.Status.DONE, finished_at=timezone.now()
    )
    JobRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.force_login(admin_user)

    page = client.get(reverse("jobs")).text

    assert "The schedule is late" in by_id(page, "schedule-late")


def test_it_says_when_nothing_runs_on_a_schedule(client, admin_user, settings):
    settings.REDIS_URL = ""
    client.force_login(admin_user)

    assert "No scheduler runs here" in client.get(reverse("jobs")).text


def test_it_links_the_page_for_admins_only(client, admin_user, outsider, issue):
    client.force_login(outsider)
    assert reverse("jobs") not in client.get(issue.get_absolute_url()).text

    client.force_login(admin_user)
    assert f'href="{reverse("jobs")}"' in by_id(
        client.get(issue.get_absolute_url()).text, "nav-jobs"
    )


def test_it_keeps_the_page_from_members(client, outsider, failed_run):
    client.force_login(outsider)

    response = client.get(reverse("jobs"))

    assert response.status_code == 403
    assert "RuntimeError" not in response.text


def test_it_sends_visitors_to_log_in(client, failed_run):
    response = client.get(reverse("jobs"))

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('jobs')}"
