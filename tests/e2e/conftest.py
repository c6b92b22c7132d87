"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test collected below this folder gets the `browser` marker, so the root
conftest skips it where Chromium is missing (and fails it when CI is set).
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import CHROMIUM
from tests.factories import PASSWORD

from .asgi_server import AsgiServer, log_in_cookie
from .live_pages import MARK_PAGE, redis_url

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


# Refusals the desk answers in words, which htmx swaps into the page or a
# plain form post shows as the page. Chromium still logs "Failed to load
# resource: ... status of 409" for each of them, and that line alone would
# fail a test that provokes one on purpose. Only these statuses, and only for
# requests htmx sent or forms posted, are forgiven: a 404, a 500, a GET of a
# page answered with a 4xx, a JavaScript error or a CSP violation still counts.
REFUSALS = {403, 409, 422, 429}
LOAD_FAILED = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d{3})\b"
)
CONNECTION_REFUSED = "Failed to load resource: net::ERR_CONNECTION_REFUSED"
# What a context set offline on purpose logs for each request it refuses.
DISCONNECTED = "Failed to load resource: net::ERR_INTERNET_DISCONNECTED"


@pytest.fixture
def browser_errors():
    """Console errors and uncaught exceptions seen by any page of the test.

    CSP violations, failed script or style loads and JavaScript exceptions
    only show up here, so a page can look right and still be broken.
    """
    return []


@pytest.fixture
def outages():
    """URLs a test makes unreachable on purpose (a server it stops): Chromium
    logs each failed connection to them, and only that line is forgiven."""
    return []


@pytest.fixture
def open_context(new_context, browser_errors, outages):
    """Open a browser context that shares the harness's timeouts and fails the
    test on browser errors, like `context`; for a second person in one test."""
    watched = []
    console = []  # (text, url) of every console error
    # (url, status) of htmx requests and plain form posts answered with a
    # refusal: the page says it in words, Chromium logs it as a failed load.
    refusals = set()

    def on_response(response):
        request = response.request
        if response.status in REFUSALS and (
            request.headers.get("hx-request") == "true"
            or (request.is_navigation_request() and request.method == "POST")
        ):
            refusals.add((response.url, response.status))

    def open_one(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on(
            "console",
            lambda message: (
                console.append((message.text, message.location.get("url", "")))
                if message.type == "error"
                else None
            ),
        )
        context.on("response", on_response)
        context.on("weberror", lambda error: browser_errors.append(f"pageerror: {error.error}"))
        watched.append(context)
        return context

    yield open_one
    # Events reach Python only while it talks to the browser; a round trip to
    # each page delivers whatever the page logged after the test's last step.
    for context in watched:
        for page in context.pages:
            page.evaluate("0")
    for text, url in console:
        failed = LOAD_FAILED.match(text)
        if failed and (url, int(failed.group(1))) in refusals:
            continue
        if text in (CONNECTION_REFUSED, DISCONNECTED) and url in outages:
            continue
        browser_errors.append(f"console: {text} {url}")
    if browser_errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(browser_errors), pytrace=False)


@pytest.fixture
def context(open_context):
    return open_context()


def log_in(page, live_server, user):
    """Log a user in through the real login form, as a member would."""
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("#id_username").fill(user.alias)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + reverse("home"))


@pytest.fixture
def login(page, live_server):
    """Log a user in on the test's page."""
    return lambda user: log_in(page, live_server, user)


@pytest.fixture
def page_of(open_context, live_server):
    """A page of its own (own context, own cookies) with `user` logged in,
    for tests where several people act on the same issue."""

    def open_page(user):
        page = open_context().new_page()
        log_in(page, live_server, user)
        return page

    return open_page


# Live pages: a real uvicorn process (asgi_server) and a page per person.


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """One server per mode for the whole module, started on first use."""
    started = {}

    def get(mode: str) -> AsgiServer:
        if mode not in started:
            log = tmp_path_factory.mktemp("asgi") / f"{mode}.log"
            started[mode] = AsgiServer(redis_url=redis_url(mode), log=log).start()
        return started[mode]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture
def redis_server(servers):
    return servers("redis")


@pytest.fixture
def visit(open_context, issue):
    """Open the issue as `user` in a browser context of their own, once its
    live stream is connected."""

    def open_page(server: AsgiServer, user, *, follow=True, **context_args):
        context = open_context(**context_args)
        log_in_cookie(context, server, user)
        page = context.new_page()
        page.goto(server.url + issue.get_absolute_url())
        expect(page.locator("h1.issue-title")).to_contain_text(issue.title)
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        if not follow:
            page.locator("#follow-host").uncheck()
        page.evaluate(MARK_PAGE)
        return page

    return open_page
