import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from talk.seed import ensure_openllm_talk
from talk.services import issue_create

from .factories import UserFactory

IN_CI = bool(os.environ.get("CI"))

# Hashing a password the production way takes a good part of a second; tests
# create hundreds of users. Servers the tests start use tests.server_settings.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _service_missing(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "PostgreSQL is not configured"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "Redis is not configured"
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        return "Chromium is not installed"
    return None


def pytest_runtest_setup(item):
    reason = _service_missing(item)
    if reason and IN_CI:
        pytest.fail(f"{reason}, and CI needs it.")
    if reason:
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts afresh.
    cache.clear()
    yield
    cache.clear()


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
