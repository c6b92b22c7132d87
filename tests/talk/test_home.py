import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

import talk
from talk.importing import issue_import
from talk.models import Issue, IssueStatus
from talk.services import issue_create
from tests.talk.conftest import put_in

CORPUS = Path(talk.__file__).parent / "corpus"


def test_it_shows_the_series_and_its_current_issue(client, issue):
    response = client.get("/")

    assertTemplateUsed(response, "talk/home.html")
    assertContains(response, "OpenLLM Talk")
    assertContains(response, f'href="{issue.get_absolute_url()}"')


def test_it_picks_the_first_of_two_drafts_without_a_date_as_current(client, series, issue):
    issue_create(series=series, by=None, number=9)

    response = client.get("/")

    assert response.context["series_list"][0].current == issue


def current(client):
    return client.get("/").context["series_list"][0].current


def meeting_in(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def backdated(series):
    """005 imported from the corpus: a draft whose meeting was in 2023."""
    draft = issue_import(series=series, text=(CORPUS / "openllm-talk-005.txt").read_text())
    assert draft.status == IssueStatus.DRAFT
    assert draft.meeting_at.year == 2023
    return draft


def test_an_imported_backdated_draft_does_not_take_the_home_page(client, issue, backdated):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=meeting_in(3))

    assert current(client) == issue


def test_it_shows_the_draft_of_the_next_meeting(client, series, issue, backdated):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=meeting_in(3))
    issue_create(series=series, by=None, number=9, meeting_at=meeting_in(10))

    assert current(client) == issue


def test_it_shows_the_meeting_under_way_first(client, series, issue, backdated):
    Issue.objects.filter(pk=issue.pk).update(meeting_at=meeting_in(-1))
    issue_create(series=series, by=None, number=9, meeting_at=meeting_in(6))
    put_in(issue, "live")

    assert current(client) == issue


def test_without_a_coming_meeting_it_shows_the_latest(client, issue, backdated):
    # 008's meeting began an hour ago and its host has not started it.
    Issue.objects.filter(pk=issue.pk).update(meeting_at=meeting_in(0) - datetime.timedelta(hours=1))

    assert current(client) == issue


def test_it_lists_frozen_and_published_issues_in_the_archive(client, series, issue):
    old = issue_create(series=series, by=None, number=7)
    old.status = IssueStatus.PUBLISHED
    old.highlights = "DeepSpeed-Chat；中文 llama2；"
    old.save()

    response = client.get("/")

    overview = response.context["series_list"][0]
    assert overview.archive == [old]
    assertContains(response, "DeepSpeed-Chat；中文 llama2；")


def test_it_lists_every_issue_of_a_series(client, series, issue):
    special = issue_create(series=series, by=None, special_label="番外 02", code="extra-02")

    response = client.get(series.get_absolute_url())

    assertContains(response, issue.title)
    assertContains(response, special.title)


def test_it_answers_404_for_an_unknown_series(client, db):
    assert client.get("/s/nothing/").status_code == 404


def test_it_reads_the_home_page_in_two_queries(client, series, issue, django_assert_num_queries):
    issue_create(series=series, by=None, number=9)

    with django_assert_num_queries(2):
        client.get("/")


def test_it_invites_anonymous_visitors_to_log_in(client, issue):
    response = client.get(issue.get_absolute_url())

    assertContains(response, "/accounts/login/?next=")
    assertNotContains(response, 'action="/accounts/logout/"')


def test_it_answers_head_as_get_without_a_body(client, series):
    response = client.head("/")

    assert response.status_code == 200
    assert response.content == b""
