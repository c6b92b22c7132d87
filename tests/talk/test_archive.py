"""The public archive of a series and its Atom feed: published issues only,
newest first, each with the files of its latest revision."""

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import talk
from talk.importing import issue_import
from talk.models import Issue
from talk.services import issue_correct, issue_create, issue_publish
from tests.responses import by_id, rendered

pytestmark = pytest.mark.usefixtures("english")

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def make(series, freeze, quick_pdf):
    """An issue of the series brought to `state`, its files rendered."""

    def issue_in(number: int, state: str, highlights: str = "") -> Issue:
        issue = issue_create(
            series=series,
            by=None,
            number=number,
            meeting_at=datetime.datetime(2023, 6, 3, 13, tzinfo=datetime.UTC)
            + datetime.timedelta(weeks=number),
        )
        issue.highlights = highlights
        issue.save(update_fields=["highlights"])
        if state != "draft":
            freeze(issue)
        if state == "published":
            issue_publish(issue_id=issue.pk, user=None)
        return issue

    return issue_in


@pytest.fixture
def archive(make, freeze):
    """Issues 6, 7 and 9 published (9 corrected once since), 10 frozen and
    11 a draft."""
    issues = {
        6: make(6, "published", "RWKV；位置编码；"),
        9: make(9, "published", "Llama 2；长上下文；"),
        7: make(7, "published", "Falcon；"),
        10: make(10, "frozen", "not yet public"),
        11: make(11, "draft", "still being written"),
    }
    issue_correct(issue_id=issues[9].pk, user=None)
    freeze(issues[9], note="Added the video link.")
    return issues


def download(issue, revision, format):
    return reverse("export-download", args=[issue.series.slug, issue.code, revision, format])


def test_it_lists_only_published_issues_newest_first(client, series, archive):
    response = client.get(reverse("series-archive", args=[series.slug]))

    assert response.status_code == 200
    assert rendered(response) == "talk/archive.html"
    page = response.text
    listed = [code for code in ("6", "7", "9", "10", "11") if f'id="archive-{code}"' in page]
    assert listed == ["6", "7", "9"]
    assert (
        page.index('id="archive-9"') < page.index('id="archive-7"') < page.index('id="archive-6"')
    )
    assert "not yet public" not in page
    assert "still being written" not in page
    assert "RWKV；位置编码；" in by_id(page, "archive-6")


def test_it_links_the_files_of_the_latest_revision(client, series, archive):
    page = client.get(reverse("series-archive", args=[series.slug])).text

    corrected, first = by_id(page, "archive-9"), by_id(page, "archive-6")
    for format in ("md", "html", "json", "pdf"):
        assert download(archive[9], 2, format) in corrected
        assert download(archive[9], 1, format) not in corrected
        assert download(archive[6], 1, format) in first
    assert "revision 2" in corrected
    assert client.get(download(archive[9], 2, "pdf")).status_code == 200


def test_it_says_when_nothing_is_published(client, series, make):
    make(8, "frozen")

    response = client.get(reverse("series-archive", args=[series.slug]))

    assert "Nothing is published yet." in response.text
    assert 'id="archive-8"' not in response.text


def test_its_queries_do_not_grow_with_the_archive(client, series, make):
    make(1, "published")
    url = reverse("series-archive", args=[series.slug])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in (2, 3, 4):
        make(number, "published")

    with CaptureQueriesContext(connection) as more:
        response = client.get(url)

    assert response.text.count('id="archive-') == 4
    assert len(more) == len(few)


@pytest.mark.parametrize("name", ["series-archive", "series-feed"])
def test_it_answers_404_for_an_unknown_series(client, db, name):
    assert client.get(reverse(name, args=["no-such-series"])).status_code == 404


# The feed


def feed(client, series) -> ET.Element:
    response = client.get(reverse("series-feed", args=[series.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def test_it_has_an_entry_per_published_issue(client, series, archive):
    root = feed(client, series)

    assert root.findtext(f"{ATOM}title") == "OpenLLM Talk"
    # RFC 4287 §4.1.1: a feed whose entries name no author names one itself.
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "OpenLLM Talk"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "OpenLLM Talk 009",
        "OpenLLM Talk 007",
        "OpenLLM Talk 006",
    ]
    for entry, number in zip(entries, (9, 7, 6), strict=True):
        issue = archive[number]
        link = entry.find(f"{ATOM}link")
        assert link.get("href") == f"http://testserver{issue.get_absolute_url()}"
        assert entry.findtext(f"{ATOM}summary") == issue.highlights
        assert entry.findtext(f"{ATOM}id") == f"issue-desk:openllm-talk:{number}"
        assert entry.findtext(f"{ATOM}updated")


def test_it_tells_a_reader_when_an_issue_was_corrected(client, series, archive):
    entries = {e.findtext(f"{ATOM}id"): e for e in feed(client, series).findall(f"{ATOM}entry")}

    corrected = datetime.datetime.fromisoformat(
        entries["issue-desk:openllm-talk:9"].findtext(f"{ATOM}updated")
    )
    assert corrected == archive[9].revisions.get(number=2).created_at


def moment(entry, name: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}{name}"))


def test_a_correction_does_not_move_the_published_date(client, series, archive):
    entries = {e.findtext(f"{ATOM}id"): e for e in feed(client, series).findall(f"{ATOM}entry")}

    entry, issue = entries["issue-desk:openllm-talk:9"], archive[9]
    # Its meeting, before revision 1 was frozen; r2 only updated it.
    assert moment(entry, "published") == issue.meeting_at
    assert issue.meeting_at < issue.revisions.get(number=1).created_at
    assert moment(entry, "updated") == issue.revisions.get(number=2).created_at


def test_an_issue_frozen_before_its_meeting_is_published_when_frozen(client, series, make):
    issue = make(12, "published", "早早冻结")
    Issue.objects.filter(pk=issue.pk).update(
        meeting_at=issue.revisions.get().created_at + datetime.timedelta(days=1)
    )

    entry = feed(client, series).find(f"{ATOM}entry")

    assert moment(entry, "published") == issue.revisions.get().created_at


def test_an_imported_record_is_published_at_its_meeting(client, series, freeze, quick_pdf):
    text = (Path(talk.__file__).parent / "corpus" / "openllm-talk-003.txt").read_text()
    issue = issue_import(series=series, text=text)
    revision = freeze(issue)
    issue_publish(issue_id=issue.pk, user=None)

    entry = feed(client, series).find(f"{ATOM}entry")

    # Its import says nothing of when the community published it.
    assert moment(entry, "published") == Issue.objects.get(pk=issue.pk).meeting_at
    assert moment(entry, "updated") == revision.created_at


def test_it_is_an_empty_feed_before_anything_is_published(client, series, make):
    make(8, "frozen")

    root = feed(client, series)

    assert root.findall(f"{ATOM}entry") == []


def test_it_gives_the_highlights_to_feed_readers_as_text(client, series, make):
    make(12, "published", "<img src=x onerror=alert(1)>；vector<float>；")

    entry = feed(client, series).find(f"{ATOM}entry")

    # The reader decodes the summary as HTML: what it gets is text again.
    assert entry.findtext(f"{ATOM}summary") == (
        "&lt;img src=x onerror=alert(1)&gt;；vector&lt;float&gt;；"
    )
