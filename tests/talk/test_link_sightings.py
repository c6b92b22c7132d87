"""Where a link was shared before (selectors.link_sightings): this issue and
the series' 25 most recent other issues, in one query, never an email."""

import pytest

from sections.links import normalize_url
from sections.models import Section
from talk.models import Series
from talk.selectors import link_sightings
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import ItemFactory, UserFactory

LLAMA2 = "https://arxiv.org/abs/2307.09288"
# What a member pastes: the PDF of another version of the same paper.
PASTED = "https://arxiv.org/pdf/2307.09288v2.pdf?utm_source=wechat"


def shared(section, title="Llama 2", url=LLAMA2, **fields):
    return ItemFactory(section=section, title=title, url=url, url_key=normalize_url(url), **fields)


@pytest.fixture
def yuhan(db):
    return UserFactory(alias="yuhan", email="yuhan@example.com")


@pytest.fixture
def earlier_issues(series):
    """Issues 1 to 7 of the series (the `issue` fixture is number 8)."""
    return {n: issue_create(series=series, by=None, number=n) for n in range(1, 8)}


def test_it_finds_the_link_in_this_issue(issue, news, yuhan):
    shared(news, author=yuhan)

    [seen] = link_sightings(url=PASTED, issue=issue)

    assert seen.in_this_issue
    assert (seen.section_title, seen.title, seen.attribution) == (news.title, "Llama 2", "yuhan")
    assert (seen.issue_title, seen.issue_label) == ("OpenLLM Talk 008", "008")


def test_it_finds_the_link_in_an_earlier_issue(issue, earlier_issues):
    item = shared(section_of(earlier_issues[7], "news"), author_name="群友")

    [seen] = link_sightings(url=PASTED, issue=issue)

    assert not seen.in_this_issue
    assert (seen.issue_title, seen.issue_label) == ("OpenLLM Talk 007", "007")
    assert seen.issue_url == earlier_issues[7].get_absolute_url()
    assert (seen.item_id, seen.attribution) == (item.pk, "群友")


def test_it_lists_this_issue_first_then_the_most_recent(issue, news, earlier_issues):
    shared(section_of(earlier_issues[3], "news"), title="in 003")
    shared(section_of(earlier_issues[6], "recommend"), title="in 006")
    shared(news, title="here")

    sightings = link_sightings(url=PASTED, issue=issue)

    assert [s.title for s in sightings] == ["here", "in 006", "in 003"]


def test_it_looks_back_25_issues_only(series, issue):
    # Issues 9 to 34 are the 26 issues after the `issue` fixture (8).
    later = {n: issue_create(series=series, by=None, number=n) for n in range(9, 35)}
    current = later.pop(34)
    shared(section_of(issue, "news"), title="in 008, the 26th most recent")
    shared(section_of(later[9], "news"), title="in 009, the 25th most recent")

    sightings = link_sightings(url=PASTED, issue=current)

    assert [s.title for s in sightings] == ["in 009, the 25th most recent"]
    assert link_sightings(url=PASTED, issue=current, limit_issues=26)[-1].issue_label == "008"
    assert link_sightings(url=PASTED, issue=current, limit_issues=0) == []


def test_it_does_not_look_into_other_series(issue):
    other = Series.objects.create(slug="other-talk", name="Other Talk")
    elsewhere = issue_create(series=other, by=None, number=7)
    shared(Section.objects.create(issue=elsewhere, key="news", title="News"))

    assert link_sightings(url=PASTED, issue=issue) == []


def test_it_finds_nothing_for_a_new_link(issue, news):
    shared(news)

    assert link_sightings(url="https://arxiv.org/abs/2307.09289", issue=issue) == []


@pytest.mark.parametrize("text", ["", "   ", "javascript:alert(1)", "not a link"])
def test_it_asks_nothing_for_what_is_no_link(issue, news, django_assert_num_queries, text):
    shared(news, url="")

    with django_assert_num_queries(0):
        assert link_sightings(url=text, issue=issue) == []


def test_it_reads_in_one_query(issue, news, earlier_issues, yuhan, django_assert_num_queries):
    for number, section in [
        (8, news),
        *((n, section_of(i, "news")) for n, i in earlier_issues.items()),
    ]:
        shared(section, title=f"in {number}", author=yuhan)
        shared(section, title=f"again in {number}", author_name="群友")

    with django_assert_num_queries(1):
        sightings = link_sightings(url=PASTED, issue=issue)
        # Everything the fragment shows is loaded.
        shown = [
            (s.title, s.attribution, s.section_title, s.issue_title, s.issue_url) for s in sightings
        ]

    assert len(shown) == 12  # at most a dozen: a link shared that often is well known


def test_it_never_gives_an_email(issue, news, earlier_issues, yuhan):
    shared(news, author=yuhan)
    shared(section_of(earlier_issues[7], "news"), author=yuhan)

    sightings = link_sightings(url=PASTED, issue=issue)

    assert len(sightings) == 2
    assert all("@" not in str(value) for seen in sightings for value in vars(seen).values())
