"""What the browser tests of live pages share: pages marked so a test can
tell they were never reloaded, and a wait for a started scroll to show."""

from django.conf import settings

MARK_PAGE = "window.__sameDocument = true"
SAME_PAGE = "window.__sameDocument === true"


def redis_url(mode: str) -> str:
    return settings.REDIS_URL if mode == "redis" else ""


def wait_two_frames(page) -> None:
    """A scroll that was started shows in scrollY within a frame or two."""
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
