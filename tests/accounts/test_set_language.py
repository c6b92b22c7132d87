import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

URL = reverse("accounts:set-language")
COOKIE = settings.LANGUAGE_COOKIE_NAME


def switch(client, language, next_url="/s/openllm-talk/"):
    return client.post(URL, {"language": language, "next": next_url})


def test_it_refuses_get(client, db):
    response = client.get(URL, {"language": "en", "next": "/"})

    assert response.status_code == 405
    assert COOKIE not in response.cookies


def test_it_sets_the_cookie_and_goes_back(client, db):
    response = switch(client, "zh-hans")

    assert response.status_code == 302
    assert response.url == "/s/openllm-talk/"
    assert response.cookies[COOKIE].value == "zh-hans"
    assert response.cookies[COOKIE]["samesite"] == "Lax"


def test_it_switches_the_pages_that_follow(client, db):
    switch(client, "zh-hans")

    assert '<html lang="zh-hans">' in client.get("/").text


def test_it_saves_the_choice_for_a_member(client, member):
    client.force_login(member)

    switch(client, "zh-hans")

    member.refresh_from_db()
    assert member.language == "zh-hans"


def test_it_overrides_an_earlier_preference(client, member):
    member.language = "zh-hans"
    member.save()
    client.force_login(member)

    switch(client, "en")

    member.refresh_from_db()
    assert member.language == "en"
    assert '<html lang="en">' in client.get("/").text


@pytest.mark.parametrize("language", ["fr", "", "../en", "zh-hans;drop"])
def test_it_ignores_a_language_we_do_not_offer(client, member, language):
    client.force_login(member)

    response = switch(client, language)

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    member.refresh_from_db()
    assert member.language == ""


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "",
    ],
)
def test_it_refuses_an_off_site_next(client, db, next_url):
    response = switch(client, "en", next_url)

    assert response.status_code == 302
    assert response.url == "/"


def test_it_keeps_a_next_with_a_query(client, db):
    response = switch(client, "en", "/s/openllm-talk/8/?tab=qa")

    assert response.url == "/s/openllm-talk/8/?tab=qa"


def test_it_requires_the_csrf_token(db):
    response = Client(enforce_csrf_checks=True).post(URL, {"language": "en", "next": "/"})

    assert response.status_code == 403
