from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from sections.models import Item, Question
from talk.exports import fonts
from talk.models import Export, Issue, SectionTemplate, Series


def run_demo() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def test_it_loads_a_series_people_and_an_open_issue(db):
    output = run_demo()

    series = Series.objects.get(slug="openllm-talk")
    assert list(series.templates.values_list("title", flat=True)) == [
        "本周新闻", "本周推荐", "本周经典", "本周实践", "Free Talk", "聊天区", "参考资料",
    ]  # fmt: skip
    assert series.templates.get(key="classic").optional
    assert series.templates.get(key="free-talk").subgroups == ["线上讨论", "群里讨论"]
    issue = Issue.objects.get(series=series, number=8)
    assert issue.status == Issue.Status.DRAFT
    assert Item.objects.filter(section__issue=issue).exists()
    assert Question.objects.filter(section__issue=issue).exists()
    assert "/s/openllm-talk/8/" in output


def test_it_prints_accounts_that_can_log_in(db):
    output = run_demo()

    for line in output.splitlines():
        if line.startswith("  ") and line.count(" / ") == 2:
            alias, password, role = (part.strip() for part in line.split(" / "))
            user = User.objects.get(alias=alias)
            assert user.check_password(password), alias
            assert user.is_staff == (role == "admin")
    assert User.objects.filter(is_staff=True).exists()


def test_it_is_safe_to_run_twice(db):
    run_demo()
    counts = [
        model.objects.count() for model in (User, Series, SectionTemplate, Issue, Item, Question)
    ]

    run_demo()

    assert [
        model.objects.count() for model in (User, Series, SectionTemplate, Issue, Item, Question)
    ] == counts


@pytest.mark.usefixtures("english", "media", "quick_pdf")
def test_it_publishes_the_corpus_as_the_archive(db, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run_demo()

    archive = Issue.objects.filter(status=Issue.Status.PUBLISHED)
    assert sorted(archive.values_list("number", flat=True)) == list(range(8))
    assert "/s/openllm-talk/archive/" in output
    page = client.get("/s/openllm-talk/archive/").text
    for number in range(8):
        assert f'id="archive-{number}"' in page
        assert f"/s/openllm-talk/{number}/r1/pdf/" in page
    assert not Export.objects.exclude(status=Export.Status.DONE).exists()
    # The issue itself, as the corpus has it: 000's first question.
    assert "falcon 相比 llama 有何特殊之处" in client.get("/s/openllm-talk/0/").text


def test_it_names_the_open_issue_once_the_demo_issue_has_met(db):
    run_demo()
    issue = Issue.objects.get(number=8)
    issue.status = Issue.Status.PUBLISHED
    issue.save(update_fields=["status"])
    Issue.objects.create(series=issue.series, number=9, code="9")

    output = run_demo()

    assert "Open issue: /s/openllm-talk/9/" in output
    assert "/s/openllm-talk/8/" not in output


@pytest.mark.usefixtures("english", "media", "quick_pdf")
def test_a_run_after_the_fonts_came_renders_the_pdfs_again_once(
    db, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(fonts, "system_fonts", dict)
    settings.PDF_CJK_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"
    with django_capture_on_commit_callbacks(execute=True):
        run_demo()
    pdfs = Export.objects.filter(format="pdf")
    assert set(pdfs.values_list("status", "error")) == {("failed", str(fonts.NoCJKFont()))}

    settings.PDF_CJK_FONT = ""
    with django_capture_on_commit_callbacks(execute=True):
        output = run_demo()

    assert "PDFs without a CJK font, rendered again: 8" in output
    assert set(pdfs.values_list("status", "font")) == {("done", fonts.cjk_font().name)}
    with django_capture_on_commit_callbacks(execute=True):
        assert "rendered again" not in run_demo()
