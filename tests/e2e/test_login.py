import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

SECTION_TITLES = ["本周新闻", "本周推荐", "本周经典", "本周实践", "Free Talk", "聊天区", "参考资料"]

# The innermost elements that reach past the right edge name the culprit when
# the page scrolls sideways, which the widths alone would not. An element
# counts when its box sticks out or its text does (a long word overflows its
# box without widening it); content inside a box that scrolls on its own, like
# a code block, is clipped there and does not widen the page.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => getComputedStyle(element).overflowX !== "visible";
  const clipped = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (scrolls(parent)) return true;
    }
    return false;
  };
  const sticksOut = (element) => {
    const box = element.getBoundingClientRect();
    const reach = scrolls(element) ? box.right : box.left + element.scrollWidth;
    return Math.max(box.right, reach) > width + 1;
  };
  const wide = [...document.querySelectorAll("body *")].filter(
    (element) => sticksOut(element) && !clipped(element),
  );
  const innermost = wide.filter(
    (element) => !wide.some((other) => other !== element && element.contains(other)),
  );
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    innerWidth: window.innerWidth,
    wide: innermost.map((element) => element.outerHTML.slice(0, 120)).slice(0, 8),
  };
}"""


def test_it_logs_in_and_opens_the_current_issue(page, live_server, login, member, issue):
    login(member)

    expect(page.locator("#nav-alias")).to_have_text("初七")
    page.locator("#current-issue a").click()
    expect(page).to_have_url(live_server.url + issue.get_absolute_url())
    expect(page.locator("h1.issue-title")).to_contain_text("OpenLLM Talk 008")
    expect(page.locator(".section-title")).to_contain_text(SECTION_TITLES)


def test_it_keeps_the_alias_after_a_wrong_password(page, live_server, member):
    login_url = live_server.url + reverse("accounts:login")
    page.goto(login_url)
    page.locator("#id_username").fill("初七")
    page.locator("#id_password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(login_url)
    expect(page.locator("main .errorlist")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("初七")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("#nav-alias")).to_have_count(0)


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 740}, is_mobile=True)
def test_it_fits_a_phone_screen(page, live_server, login, member, issue):
    # Logged in, the navigation carries the most links.
    login(member)
    page.goto(live_server.url + issue.get_absolute_url())
    expect(page.locator("h1.issue-title")).to_contain_text("OpenLLM Talk 008")

    layout = page.evaluate(OVERFLOW)
    # A phone browser zooms out to fit wide content, which would hide overflow.
    assert layout["innerWidth"] == 375, layout
    assert layout["scrollWidth"] <= layout["clientWidth"], layout


@pytest.mark.browser_context_args(timezone_id="America/Chicago")
def test_it_shows_the_meeting_in_the_browsers_time_zone_on_the_first_visit(
    page, live_server, issue
):
    issue.meeting_at = datetime.datetime(2026, 1, 3, 13, 0, tzinfo=datetime.UTC)
    issue.save(update_fields=["meeting_at"])

    # No cookie yet: the server writes Shanghai's time, desk.js Chicago's.
    page.goto(live_server.url + issue.get_absolute_url())

    expect(page.locator("time[data-weekday]")).to_have_text(
        re.compile(r"^2026-01-03 \S+ 07:00 \(America/Chicago\)$")
    )
    page.reload()
    expect(page.locator("time[data-weekday]")).to_have_text(
        re.compile(r"^2026-01-03 \S+ 07:00 \(America/Chicago\)$")
    )


@pytest.mark.browser_context_args(timezone_id="America/New_York")
def test_it_shows_the_meeting_in_the_zone_a_member_saved_wherever_their_browser_is(
    page, live_server, login, issue, member
):
    issue.meeting_at = datetime.datetime(2026, 1, 3, 13, 0, tzinfo=datetime.UTC)
    issue.save(update_fields=["meeting_at"])
    member.time_zone = "Europe/Berlin"
    member.save(update_fields=["time_zone"])
    login(member)

    page.goto(live_server.url + issue.get_absolute_url())

    # Not New York's 08:00, though the browser is there and says so.
    berlin = re.compile(r"^2026-01-03 \S+ 14:00 \(Europe/Berlin\)$")
    expect(page.locator("time[data-weekday]")).to_have_text(berlin)
    page.reload()
    expect(page.locator("time[data-weekday]")).to_have_text(berlin)
