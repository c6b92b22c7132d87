from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from talk.models import IssueStatus
from talk.services import issue_create


def test_it_shows_the_series_and_its_current_issue(client, issue):
    response = client.get("/")

    assertTemplateUsed(response, "talk/home.html")
    assertContains(response, "OpenLLM Talk")
    assertContains(response, f'href="{issue.get_absolute_url()}"')


def test_it_picks_the_oldest_open_issue_as_current(client, series, issue):
    issue_create(series=series, by=None, number=9)

    response = client.get("/")

    assert response.context["series_list"][0].current == issue


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
