import pytest
from django.db import IntegrityError, transaction

from sections.models import Claim, Section
from talk.models import Issue, SectionTemplate
from talk.services import IssueExists, issue_create


def test_it_copies_the_templates_into_a_new_issue(series):
    issue = issue_create(series=series, by=None, number=9)

    keys = list(issue.sections.values_list("key", flat=True))
    assert keys == list(series.templates.values_list("key", flat=True))
    news = issue.sections.get(key="news")
    assert news.subgroups == ["学术", "项目", "工业界"]
    assert news.time_budget_minutes == 10
    assert news.template.key == "news"


def test_it_keeps_history_when_a_template_changes_later(series, issue):
    SectionTemplate.objects.filter(series=series, key="news").update(title="新闻", owner_cap=1)

    news = issue.sections.get(key="news")
    assert news.title == "本周新闻"
    assert news.owner_cap == 2


def test_it_refuses_a_duplicate_number_in_the_service(series, issue):
    with pytest.raises(IssueExists):
        issue_create(series=series, by=None, number=8)


def test_it_refuses_a_duplicate_number_in_the_database(series, issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(series=series, number=8, code="8")


def test_it_keeps_code_and_number_in_step(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(series=series, number=9, code="10")


def test_it_allows_a_special_edition_without_a_number(series):
    issue = issue_create(series=series, by=None, special_label="番外 02", code="extra-02")

    assert issue.title == "OpenLLM Talk 番外 02"
    assert issue.get_absolute_url() == "/s/openllm-talk/extra-02/"


def test_it_needs_a_number_or_a_label(series):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(series=series, code="nothing")


def test_it_pads_the_number_to_three_digits(issue):
    assert issue.title == "OpenLLM Talk 008"


def test_it_refuses_a_third_owner_slot_in_the_database(issue, member, outsider, host):
    news = issue.sections.get(key="news")
    Claim.objects.create(section=news, member=member, slot=1)
    Claim.objects.create(section=news, member=outsider, slot=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(section=news, member=host, slot=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(section=news, member=host, slot=2)


def test_it_refuses_an_owner_cap_above_two(issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(issue=issue, key="news").update(owner_cap=3)
