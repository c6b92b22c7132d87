import threading

import pytest
from django.db import connection

from sections.errors import IssueClosed, NotAllowed, SectionFull
from sections.models import Claim
from sections.services import section_claim, section_release
from talk.models import IssueStatus
from tests.factories import UserFactory


@pytest.fixture
def news(issue):
    return issue.sections.get(key="news")


def test_it_claims_a_free_slot(news, member):
    claim = section_claim(section_id=news.pk, user=member)

    assert claim.member == member
    assert claim.slot == 1


def test_it_is_idempotent_for_the_same_member(news, member):
    first = section_claim(section_id=news.pk, user=member)
    second = section_claim(section_id=news.pk, user=member)

    assert first.pk == second.pk
    assert news.claims.count() == 1


def test_it_names_the_holders_when_full(news, member, outsider):
    section_claim(section_id=news.pk, user=member)
    section_claim(section_id=news.pk, user=outsider)
    late = UserFactory(alias="late")

    with pytest.raises(SectionFull) as refused:
        section_claim(section_id=news.pk, user=late)

    assert "初七" in str(refused.value.message)
    assert "路人" in str(refused.value.message)


def test_it_reuses_a_released_slot(news, member, outsider):
    section_claim(section_id=news.pk, user=member)
    section_claim(section_id=news.pk, user=outsider)
    section_release(section_id=news.pk, user=member)

    late = section_claim(section_id=news.pk, user=UserFactory(alias="late"))

    assert late.slot == 1


def test_it_refuses_anonymous_visitors(news):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        section_claim(section_id=news.pk, user=AnonymousUser())


def test_it_refuses_sections_nobody_owns(issue, member):
    references = issue.sections.get(key="references")

    with pytest.raises(NotAllowed):
        section_claim(section_id=references.pk, user=member)


def test_it_refuses_claims_on_a_frozen_issue(issue, news, member):
    issue.status = IssueStatus.FROZEN
    issue.save()

    with pytest.raises(IssueClosed):
        section_claim(section_id=news.pk, user=member)


@pytest.mark.postgres
def test_it_lets_exactly_the_cap_win_a_race(transactional_db, series):
    from talk.services import issue_create

    issue = issue_create(series=series, by=None, number=20)
    news = issue.sections.get(key="news")
    racers = [UserFactory(alias=f"racer{n}") for n in range(20)]
    barrier = threading.Barrier(len(racers))
    outcomes = []

    def race(user):
        try:
            barrier.wait()
            section_claim(section_id=news.pk, user=user)
            outcomes.append("won")
        except SectionFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("won") == news.owner_cap == 2
    assert outcomes.count("full") == 18
    assert Claim.objects.filter(section=news).count() == 2
