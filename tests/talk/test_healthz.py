from unittest import mock

import pytest
from django.db import OperationalError

from talk.live.broker import LocalBroker, RedisBroker
from tests.redis_server import free_port


@pytest.fixture
def redis_down(monkeypatch):
    """Redis as the server sees it when it is stopped: nothing on its port."""
    down = RedisBroker(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr("desk.views.public.broker", lambda: down)


def test_it_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_it_answers_503_when_the_database_does_not_answer(client, db):
    with mock.patch("desk.views.public.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503


def test_it_answers_a_health_check_on_any_host_and_over_plain_http(client, db, settings):
    # A container's health check asks on 127.0.0.1 over HTTP; production
    # names its domain only and redirects HTTP to HTTPS.
    settings.ALLOWED_HOSTS = ["desk.example"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_it_still_checks_the_host_of_every_other_page(client, db, settings):
    settings.ALLOWED_HOSTS = ["desk.example"]

    response = client.get("/", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 400


def test_it_still_refuses_a_post(client, db):
    response = client.post("/healthz")

    assert response.status_code == 405


def test_it_says_redis_is_unavailable_and_still_answers_200(client, db, redis_down):
    # Pages are served and saves go on without Redis: a 503 would take a
    # working server out of its proxy's rotation.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\nredis: unavailable\n"


def test_it_answers_503_for_the_database_whatever_redis_says(client, db, redis_down):
    with mock.patch("desk.views.public.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_it_says_ok_without_redis_configured(client, db, monkeypatch):
    # The embedded mode has no Redis to miss.
    monkeypatch.setattr("desk.views.public.broker", LocalBroker)

    assert client.get("/healthz").content == b"ok\n"
