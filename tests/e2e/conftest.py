"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test collected below this folder gets the `browser` marker, so the root
conftest skips it where Chromium is missing (and fails it when CI is set).
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import CHROMIUM
from tests.factories import PASSWORD

# Playwright's sync API keeps an event loop running in the test thread, and
# Django refuses ORM calls from such a thread unless told this is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).parent

# Short enough that a missing element fails the test in seconds, not the 30 s
# Playwright waits by default; the live server answers in milliseconds.
TIMEOUT_MS = 5_000

CHROMIUM_ARGS = [
    # Runs as root in CI, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    # /dev/shm is small in containers and Chromium crashes when it fills.
    "--disable-dev-shm-usage",
    # The machine has no internet: keep Chromium from calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download is unreachable; use Debian's Chromium.
    # `--headed` and `--slowmo` from pytest-playwright still apply for debugging.
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The community's own language and clock, whatever the machine's are.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def browser_errors():
    """Console errors and uncaught exceptions seen by any page of the test.

    CSP violations, failed script or style loads and JavaScript exceptions
    only show up here, so a page can look right and still be broken.
    """
    return []


@pytest.fixture
def context(context, browser_errors):
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.on(
        "console",
        lambda message: (
            browser_errors.append(f"console: {message.text} {message.location.get('url', '')}")
            if message.type == "error"
            else None
        ),
    )
    context.on("weberror", lambda error: browser_errors.append(f"pageerror: {error.error}"))
    yield context
    # Events reach Python only while it talks to the browser; a round trip to
    # each page delivers whatever the page logged after the test's last step.
    for page in context.pages:
        page.evaluate("0")
    if browser_errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(browser_errors), pytrace=False)


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real login form, as a member would."""

    def log_in(user):
        page.goto(live_server.url + reverse("accounts:login"))
        page.locator("#id_username").fill(user.alias)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(live_server.url + reverse("home"))

    return log_in
