"""The admins' upload page: what `manage.py import_issue` does, in the browser."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import talk
from sections import events
from sections.models import Claim, Item, Question, Vote
from talk.models import Issue
from tests.conftest import section_of
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.responses import by_id
from tests.talk.conftest import put_in

pytestmark = pytest.mark.usefixtures("english")

CORPUS = Path(talk.__file__).parent / "corpus"
URL = reverse("issue-import")


def upload(client, name="openllm-talk-002.txt", **data):
    text = (CORPUS / name).read_bytes()
    file = SimpleUploadedFile(name, text, content_type="text/plain")
    return client.post(URL, {"series": "openllm-talk", "file": file, **data})


def test_it_imports_an_uploaded_issue_as_a_draft(client, admin_user, series):
    client.force_login(admin_user)

    response = upload(client)

    issue = Issue.objects.get(series=series, number=2)
    assert response.status_code == 302
    assert response["Location"] == issue.get_absolute_url()
    assert issue.status == Issue.Status.DRAFT
    assert issue.sections.get(key="free-talk").questions.count() >= 10


def test_it_refuses_an_existing_number_in_words_and_keeps_the_text(client, admin_user, series):
    client.force_login(admin_user)
    upload(client)

    response = upload(client)

    assert response.status_code == 422
    form = by_id(response.text, "import-form")
    assert "OpenLLM Talk 002 already exists" in form
    assert "RoPE 的外推性" in form  # the uploaded text, back in the box
    assert Issue.objects.filter(series=series, number=2).count() == 1


def test_it_replaces_a_draft_when_asked(client, admin_user, series):
    client.force_login(admin_user)
    upload(client)
    first = Issue.objects.get(series=series, number=2)

    response = upload(client, replace="on")

    assert response.status_code == 302
    assert not Issue.objects.filter(pk=first.pk).exists()
    assert Issue.objects.filter(series=series, number=2).count() == 1


def first_imported(issue, model):
    return model.objects.filter(section__issue=issue).first()


# What members may have put in an imported draft, each enough to keep it.
MEMBERS_WORK = {
    "a claim": lambda issue, user: Claim.objects.create(
        section=section_of(issue, "news"), member=user, slot=1
    ),
    "the host role": lambda issue, user: Issue.objects.filter(pk=issue.pk).update(host=user),
    "a submitted item": lambda issue, user: ItemFactory(
        section=section_of(issue, "news"), author=user, submitted_by=user
    ),
    "an edited imported item": lambda issue, user: Item.objects.filter(
        pk=first_imported(issue, Item).pk
    ).update(version=2),
    "an answer": lambda issue, user: AnswerFactory(
        question=first_imported(issue, Question), author=user, submitted_by=user
    ),
    "a vote": lambda issue, user: Vote.objects.create(
        question=first_imported(issue, Question), member=user
    ),
    "a carried-over question": lambda issue, user: QuestionFactory(
        section=section_of(issue, "free-talk"),
        carried_from=QuestionFactory(section=section_of(issue, "free-talk")),
    ),
}


@pytest.mark.parametrize("work", MEMBERS_WORK)
def test_it_refuses_to_replace_a_draft_holding_members_work(client, admin_user, series, work):
    client.force_login(admin_user)
    upload(client)
    draft = Issue.objects.get(series=series, number=2)
    MEMBERS_WORK[work](draft, UserFactory())

    response = upload(client, replace="on")

    assert response.status_code == 422
    form = by_id(response.text, "import-form")
    assert "OpenLLM Talk 002 holds members&#x27; work, which replacing it would delete" in form
    assert "Empty it first, then import again." in form
    assert "RoPE 的外推性" in form
    assert Issue.objects.get(series=series, number=2) == draft


def test_its_refusal_counts_what_the_draft_holds(client, admin_user, series, member):
    client.force_login(admin_user)
    upload(client)
    draft = Issue.objects.get(series=series, number=2)
    for key in ("news", "recommend"):
        Claim.objects.create(section=section_of(draft, key), member=member, slot=1)
    ItemFactory(section=section_of(draft, "news"), author=member, submitted_by=member)
    Vote.objects.create(question=first_imported(draft, Question), member=member)

    form = by_id(upload(client, replace="on").text, "import-form")

    assert (
        "(claimed sections: 2, host and editor roles: 0, items: 1, questions: 0, answers: 0, "
        "votes: 1)"
    ) in form


def test_replacing_a_draft_tells_its_open_pages(
    client, admin_user, series, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    upload(client)
    first = Issue.objects.get(series=series, number=2)
    heard = []

    def listen(sender, *, issue_id, kind, data, **kwargs):
        heard.append((issue_id, kind))

    events.changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, replace="on")
    finally:
        events.changed.disconnect(listen)

    # The pages fetch their address again, which now shows the new issue;
    # the new issue is announced whole too (the search index reads it).
    new = Issue.objects.get(series=series, number=2)
    assert heard == [(first.pk, events.STATUS), (new.pk, events.STATUS)]


@pytest.mark.parametrize("state", ["live", "frozen", "published"])
@pytest.mark.parametrize("replace", [{}, {"replace": "on"}])
def test_it_says_at_once_that_only_a_draft_can_be_replaced(
    client, admin_user, series, state, replace
):
    client.force_login(admin_user)
    upload(client)
    issue = Issue.objects.get(series=series, number=2)
    put_in(issue, state)

    response = upload(client, **replace)

    assert response.status_code == 422
    form = by_id(response.text, "import-form")
    assert f"OpenLLM Talk 002 already exists and is {state}: only a draft can be replaced." in form
    assert "replacing a draft has to be asked for" not in form
    assert Issue.objects.get(series=series, number=2) == issue


def test_it_is_for_admins_only(client, member, series):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(member)
    assert client.get(URL).status_code == 403
    assert upload(client).status_code == 403
    assert not Issue.objects.filter(series=series, number=2).exists()


def test_admins_find_it_in_the_menu(client, admin_user, member, series):
    client.force_login(member)
    assert URL not in client.get(reverse("home")).text

    client.force_login(admin_user)
    assert f'href="{URL}"' in by_id(client.get(reverse("home")).text, "nav-import")


def test_its_refusal_points_at_the_box_not_at_a_command_line_flag(client, admin_user, series):
    client.force_login(admin_user)
    upload(client)

    form = by_id(upload(client).text, "import-form")

    assert "--replace" not in form
    assert "Replace the issue with the same number if it is still a draft" in form


@pytest.mark.parametrize(
    "line",
    [
        "【主持人】：zhang.san@corp.example",
        # The record is exported as the text wrote it, address and all.
        "【具体内容贡献者】：有问题请写信给 zhang.san@corp.example",
        "Free Talk\n线上讨论：\nQ1：问题？\nA1：回答 --wang.wu@corp.example",
    ],
)
def test_it_refuses_a_text_that_credits_an_email_address(client, admin_user, series, line):
    client.force_login(admin_user)
    text = f"OpenLLM Talk 021\n{line}\n"

    response = client.post(URL, {"series": "openllm-talk", "text": text})

    assert response.status_code == 422
    assert "an email address: the issue and its files are public" in response.text
    assert not Issue.objects.filter(series=series, number=21).exists()


def paste(client, text):
    return client.post(URL, {"series": "openllm-talk", "text": text})


def test_a_pasted_text_is_limited_in_bytes_as_a_file_is(client, admin_user, series):
    client.force_login(admin_user)
    # A character each way over the limit, in three UTF-8 bytes each.
    text = "OpenLLM Talk 021\n" + "测" * ((settings.IMPORT_MAX_BYTES - 17) // 3 + 1)

    response = paste(client, text)

    assert response.status_code == 422
    assert response.context["form"].errors["text"] == ["The text is larger than 2 MB."]
    assert text in response.text  # back in the box
    assert not Issue.objects.filter(series=series, number=21).exists()


def test_a_pasted_text_at_the_limit_passes(client, admin_user, series):
    client.force_login(admin_user)
    title = "OpenLLM Talk 021\n"
    text = title + "测" * ((settings.IMPORT_MAX_BYTES - len(title)) // 3)
    assert len(text.encode()) > settings.IMPORT_MAX_BYTES - 3

    response = paste(client, text)

    assert response.status_code == 302
    assert Issue.objects.filter(series=series, number=21).exists()


def test_a_request_far_over_the_limit_gets_a_page_in_words(client, admin_user, series):
    client.force_login(admin_user)

    response = paste(client, "测" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 1))

    assert response.status_code == 400
    assert "A text to import may be 2 MB at most." in response.text
    assert "your browser's back button" in response.text


NUL_REFUSED = (
    "The text contains a NUL character (\\x00): it does not look like a text file. "
    "Save it as UTF-8 text and import it again."
)


@pytest.mark.postgres
def test_it_refuses_a_pasted_text_with_a_nul_in_words(client, admin_user, series):
    client.force_login(admin_user)

    response = paste(client, "OpenLLM Talk 021\n本周新闻\x00\n")

    assert response.status_code == 422
    assert response.context["form"].errors["text"] == [NUL_REFUSED]
    assert not Issue.objects.filter(series=series, number=21).exists()


@pytest.mark.postgres
def test_it_refuses_a_file_with_a_nul_in_the_same_words(client, admin_user, series):
    client.force_login(admin_user)
    file = SimpleUploadedFile("021.txt", "OpenLLM Talk 021\n本周新闻\x00\n".encode())

    response = client.post(URL, {"series": "openllm-talk", "file": file})

    assert response.status_code == 422
    assert response.context["form"].errors["file"] == [NUL_REFUSED]
    assert not Issue.objects.filter(series=series, number=21).exists()


def test_it_refuses_a_text_with_more_rows_than_an_issue_takes(client, admin_user, series, settings):
    settings.IMPORT_MAX_ROWS = 20
    client.force_login(admin_user)
    lines = "\n".join(f"{n}. Entry {n}\nhttps://example.com/{n}" for n in range(1, 31))

    response = paste(client, f"OpenLLM Talk 021\n本周新闻\n{lines}\n")

    assert response.status_code == 422
    form = by_id(response.text, "import-form")
    assert "holds 30 entries, questions, answers and chat lines" in form
    assert "at most 20" in form
    assert "Entry 30" in form  # the pasted text, back in the box
    assert not Issue.objects.filter(series=series, number=21).exists()


def test_it_shows_hidden_characters_of_an_imported_text(client, admin_user, series):
    client.force_login(admin_user)

    paste(client, "\ufeffOpenLLM Talk 021\n本周新闻\n1. Safe\u202etxt.exe\nhttps://example.com/a\n")

    issue = Issue.objects.get(series=series, number=21)
    assert Item.objects.get(section__issue=issue).title == "Safe⟨U+202E⟩txt.exe"
