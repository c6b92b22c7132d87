"""The admins' upload page: what `manage.py import_issue` does, in the browser."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import talk
from talk.models import Issue
from tests.responses import by_id

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
