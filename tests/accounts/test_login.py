from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
WRONG = "not-the-password"


def log_in(client, alias, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": alias, "password": password}, **extra)


def fail_until_locked(client, alias, **extra):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, alias, WRONG, **extra)


def logged_in_user(client):
    return client.get(reverse("home")).context["user"]


def test_it_shows_the_form(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert "Accounts are created through an invitation link" in response.text


def test_it_logs_in_with_the_alias(client, member):
    response = log_in(client, "初七")

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in_user(client) == member


@pytest.mark.parametrize("typed", ["YUHAN", "YuHan", "yuhan"])
def test_it_ignores_the_case_of_the_alias(client, db, typed):
    user = UserFactory(alias="yuhan")

    log_in(client, typed)

    assert logged_in_user(client) == user


def test_it_follows_a_local_next(client, member):
    response = client.post(
        LOGIN, {"username": "初七", "password": PASSWORD, "next": "/accounts/preferences/"}
    )

    assert response.url == "/accounts/preferences/"


def test_it_ignores_an_off_site_next(client, member):
    response = client.post(
        LOGIN, {"username": "初七", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.url == reverse("home")


def test_it_shows_an_error_for_a_wrong_password(client, member):
    response = log_in(client, "初七", WRONG)

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert "Please enter a correct alias and password." in response.text
    assert "case-sensitive; the alias is not." in response.text  # login ignores its case
    assert 'value="初七"' in response.text
    assert WRONG not in response.text
    assert not logged_in_user(client).is_authenticated


def test_it_gives_an_unknown_alias_the_same_error(client, db):
    response = log_in(client, "nobody")

    assert "Please enter a correct alias and password." in response.text


def test_it_refuses_a_deactivated_member(client, db):
    UserFactory(alias="gone", is_active=False)

    response = log_in(client, "gone")

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert not logged_in_user(client).is_authenticated


def test_it_sets_the_language_cookie_from_the_preference(client, db):
    UserFactory(alias="reader", language="zh-hans")

    response = log_in(client, "reader")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_it_sends_a_member_who_is_logged_in_on(client, member):
    client.force_login(member)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_locks_out_an_alias_after_five_failures_from_one_address(client, member):
    fail_until_locked(client, "初七")

    response = log_in(client, "初七")

    assert response.status_code == 429
    assert "accounts/locked_out.html" in {template.name for template in response.templates}
    assert 'id="locked-out"' in response.text
    assert not logged_in_user(client).is_authenticated


def test_it_allows_four_failures(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "初七", WRONG)

    log_in(client, "初七")

    assert logged_in_user(client) == member


def test_it_counts_failures_for_an_alias_whatever_its_case(client, db):
    user = UserFactory(alias="yuhan")
    for typed in ["yuhan", "YUHAN", "Yuhan", "yUHAN", "YuHaN"]:
        log_in(client, typed, WRONG)

    response = log_in(client, "yUhAn")

    assert response.status_code == 429
    assert logged_in_user(client) != user


def test_it_does_not_lock_another_alias_from_the_same_address(client, member, outsider):
    fail_until_locked(client, "初七")

    log_in(client, "路人")

    assert logged_in_user(client) == outsider


def test_it_does_not_lock_the_alias_from_another_address(client, member):
    fail_until_locked(client, "初七", REMOTE_ADDR="203.0.113.9")

    log_in(client, "初七", REMOTE_ADDR="198.51.100.7")

    assert logged_in_user(client) == member


def test_it_counts_failures_by_the_address_the_server_saw_not_by_x_forwarded_for(client, member):
    # The test client's REMOTE_ADDR is 127.0.0.1, as a forged header is not.
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "初七", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    response = log_in(client, "初七", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def fail_from_many_addresses(client, alias, count):
    for number in range(count):
        log_in(client, alias, WRONG, REMOTE_ADDR=f"203.0.113.{number}")


def test_it_locks_an_alias_guessed_from_many_addresses(client, member):
    fail_from_many_addresses(client, "初七", settings.AXES_ALIAS_FAILURE_LIMIT)

    response = log_in(client, "初七", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert 'id="locked-out"' in response.text
    assert not logged_in_user(client).is_authenticated


def test_it_keeps_the_alias_open_below_its_limit(client, member):
    fail_from_many_addresses(client, "初七", settings.AXES_ALIAS_FAILURE_LIMIT - 1)

    log_in(client, "初七", REMOTE_ADDR="198.51.100.7")

    assert logged_in_user(client) == member


def test_it_does_not_lock_other_aliases_with_the_alias_limit(client, member, outsider):
    fail_from_many_addresses(client, "初七", settings.AXES_ALIAS_FAILURE_LIMIT)

    log_in(client, "路人", REMOTE_ADDR="203.0.113.1")

    assert logged_in_user(client) == outsider


def test_it_opens_the_alias_again_after_the_cool_off(client, member):
    fail_from_many_addresses(client, "初七", settings.AXES_ALIAS_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    log_in(client, "初七", REMOTE_ADDR="198.51.100.7")

    assert logged_in_user(client) == member


def test_it_forgets_failures_after_a_successful_login(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "初七", WRONG)
    log_in(client, "初七")
    client.post(reverse("accounts:logout"))

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "初七", WRONG)
    log_in(client, "初七")

    assert logged_in_user(client) == member


def test_it_forgets_failures_typed_in_another_case(client, db):
    user = UserFactory(alias="yuhan")
    for _ in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(client, "YUHAN", WRONG)
        log_in(client, "Yuhan")
        client.post(reverse("accounts:logout"))

    log_in(client, "YUHAN")

    assert logged_in_user(client) == user


def test_it_logs_out_on_post(client, member):
    client.force_login(member)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not logged_in_user(client).is_authenticated


def test_it_refuses_to_log_out_on_get(client, member):
    client.force_login(member)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert logged_in_user(client) == member
