import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from sections.models import Claim
from talk.seed import ensure_openllm_talk
from talk.services import issue_create

from .factories import UserFactory

IN_CI = bool(os.environ.get("CI"))

# Property tests draw the same examples on every run, so CI cannot go red by
# chance; `HYPOTHESIS_PROFILE=wide` searches afresh and far wider.
hypothesis_settings.register_profile("repeatable", max_examples=50, derandomize=True, database=None)
hypothesis_settings.register_profile("wide", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Hashing a password the production way takes a good part of a second; tests
# create hundreds of users. Servers the tests start (tests/e2e/asgi_server.py)
# get their members logged in by session cookie, so no password is checked there.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _service_missing(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "PostgreSQL is not configured"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "Redis is not configured"
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        return "Chromium is not installed"
    if item.get_closest_marker("caddy") and not shutil.which("caddy"):
        return "Caddy is not installed"
    return None


E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    # Browser tests last: Playwright's sync API keeps an event loop running in
    # the main thread for the rest of the session, and the tests that run
    # async code (the live stream, async views through the test client)
    # cannot start one of their own after it.
    items.sort(key=lambda item: item.path.is_relative_to(E2E))


def pytest_runtest_setup(item):
    missing_service = _service_missing(item)
    if missing_service and IN_CI:
        pytest.fail(f"{missing_service}, and CI needs it.")
    if missing_service:
        pytest.skip(missing_service)


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # Rate-limit counters live in the cache (Redis when it is there). A fresh
    # key prefix gives each test empty counters without flushing a Redis that
    # another test run may be using at the same moment.
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def series(db):
    return ensure_openllm_talk()


@pytest.fixture
def issue(series):
    return issue_create(series=series, by=None, number=8)


@pytest.fixture
def member(db):
    return UserFactory(alias="初七")


@pytest.fixture
def outsider(db):
    return UserFactory(alias="路人")


@pytest.fixture
def host(issue):
    user = UserFactory(alias="羡鱼")
    issue.host = user
    issue.save(update_fields=["host"])
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(alias="admin", is_staff=True, is_superuser=True)


def section_of(issue, key):
    return issue.sections.get(key=key)


@pytest.fixture
def owner(issue):
    """A member who owns the news, recommendation and Free Talk sections."""
    user = UserFactory(alias="负责人")
    for key in ("news", "recommend", "free-talk"):
        Claim.objects.create(section=section_of(issue, key), member=user, slot=1)
    return user


@pytest.fixture
def people(member, outsider, owner, host, admin_user):
    """The roles of the desk; `member` (初七) writes the posts others act on."""
    return {
        "author": member,
        "outsider": outsider,
        "owner": owner,
        "host": host,
        "admin": admin_user,
    }


@pytest.fixture
def client_as(client, people):
    """The test client, logged in as one of `people` (or not, for "anonymous")."""

    def log_in(role: str):
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return log_in


@pytest.fixture
def english(settings):
    # The site speaks Chinese unless asked otherwise; view tests read the
    # English source strings, so they stay true once the catalogs are filled.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
