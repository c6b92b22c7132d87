"""Live assembly in a real browser: what one person does shows up on the
others' pages without a reload, the host's pointer moves the followers, and
the page says when it is cut off, keeps what was typed, and catches up.

The pages talk to a real uvicorn process (see asgi_server), with events
through Redis or, without REDIS_URL, through the process's own broker.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from sections.errors import IssueClosed
from sections.models import Item, Section
from sections.services import item_submit
from talk.services import issue_freeze, issue_pointer_move, issue_spotlight, issue_start
from tests.conftest import section_of
from tests.factories import QuestionFactory, UserFactory

from .asgi_server import AsgiServer
from .live_pages import SAME_PAGE, redis_url, wait_two_frames
from .test_member_desk import landing

pytestmark = pytest.mark.postgres  # the server process reads the test database

# What the issue asks of propagation: on the other pages within 2 s.
PROPAGATION_MS = 2_000
# A restarted server is found again after the page's retry pause, which
# grows while the server is down (to 15 s at most).
RECONNECT_MS = 20_000

CURRENT = re.compile(r"\bis-current\b")
SPOTLIGHT = re.compile(r"\bis-spotlight\b")
SETTLING = re.compile(r"\bhtmx-settling\b")
BOTH_MODES = [pytest.param("redis", marks=pytest.mark.redis), "fallback"]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture
def own_server(django_db_setup, tmp_path, issue, outages):
    """A server of the test's own, which the test may stop and start again
    (while it is down, the page's stream fails to connect, as it should)."""
    running = []

    def start(mode: str) -> AsgiServer:
        server = AsgiServer(redis_url=redis_url(mode), log=tmp_path / "asgi.log").start()
        running.append(server)
        # The stream, and the check whether the server answers at all.
        outages.append(server.url + reverse("issue-events", args=[issue.series.slug, issue.code]))
        outages.append(server.url + reverse("healthz"))
        return server

    yield start
    for server in running:
        server.stop()


def add_item(page, section: Section, title: str, url: str) -> None:
    form = page.locator(f"#add-item-{section.pk}")
    form.locator("> summary").click()
    page.locator(f"#section-{section.pk}-new-title").fill(title)
    page.locator(f"#section-{section.pk}-new-url").fill(url)
    form.locator("button[type=submit]").click()


# 1. Propagation


@pytest.mark.parametrize("mode", BOTH_MODES)
def test_it_shows_what_another_member_adds_within_two_seconds(
    mode, servers, transactional_db, issue, member, visit
):
    server = servers(mode)
    news, free = section_of(issue, "news"), section_of(issue, "free-talk")
    writer = visit(server, member)
    reader = visit(server, UserFactory(alias="阿九"))
    # Named, not counted: the suite's Redis is shared with other test runs,
    # whose pages of an issue with the same id count there too.
    for page in (writer, reader):
        expect(page.locator("#presence")).to_contain_text("初七")
        expect(page.locator("#presence")).to_contain_text("阿九")

    add_item(writer, news, "Falcon 上线 Hugging Face", "https://example.com/falcon")
    expect(reader.locator(f"#section-{news.pk} .entry-title")).to_have_text(
        "Falcon 上线 Hugging Face", timeout=PROPAGATION_MS
    )

    ask = writer.locator(f"#ask-{free.pk}")
    ask.locator("> summary").click()
    writer.locator(f"#section-{free.pk}-ask-body").fill("长上下文怎么评测？")
    ask.locator("button[type=submit]").click()
    expect(reader.locator(f"#section-{free.pk} .question-body")).to_have_text(
        "长上下文怎么评测？", timeout=PROPAGATION_MS
    )

    # What derives from the sections follows them: links and contributors.
    expect(reader.locator("#references a")).to_have_text(["https://example.com/falcon"])
    expect(reader.locator("#contributors")).to_contain_text("初七")
    assert reader.evaluate(SAME_PAGE), "no reload"
    # The writer's own page shows each once (its own answer and the event).
    expect(writer.locator(f"#section-{news.pk} .entry")).to_have_count(1)
    expect(writer.locator(f"#section-{free.pk} .question")).to_have_count(1)


def test_a_page_that_goes_offline_leaves_the_others_presence_and_its_own_list_empties(
    redis_server, transactional_db, issue, member, visit, outages
):
    # Offline, the page tries its stream and the server again, and fails.
    outages.append(redis_server.url + reverse("issue-events", args=[issue.series.slug, issue.code]))
    outages.append(redis_server.url + reverse("healthz"))
    stayer = visit(redis_server, member)
    leaver = visit(redis_server, UserFactory(alias="阿九"))
    expect(stayer.locator("#presence")).to_contain_text("阿九")
    expect(leaver.locator("#presence")).to_contain_text("初七")

    leaver.context.set_offline(True)

    expect(leaver.locator("#live-state")).to_have_attribute("data-state", "offline")
    # Who is here is not known while cut off: no stale names.
    expect(leaver.locator("#presence")).to_have_text("")
    expect(stayer.locator("#presence")).not_to_contain_text("阿九")
    expect(stayer.locator("#presence")).to_contain_text("初七")


# 2. The meeting: the host's pointer and spotlight


def test_it_takes_the_followers_to_the_section_the_host_moves_to(
    redis_server, transactional_db, issue, host, member, visit
):
    practice, free = section_of(issue, "practice"), section_of(issue, "free-talk")
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=practice.pk)
    console = visit(redis_server, host)
    follower = visit(redis_server, member)
    stayer = visit(redis_server, UserFactory(alias="阿九"), follow=False)
    for page in (follower, stayer):
        expect(page.locator(f"#section-{practice.pk}")).to_have_class(CURRENT)
        expect(page.locator(f"#section-{free.pk}")).not_to_be_in_viewport()
    stayer.evaluate("addEventListener('scroll', () => { window.__scrolled = true; })")
    stayed_at = stayer.evaluate("window.scrollY")

    console.locator("#issue-steward #pointer-next").click()

    target = follower.locator(f"#section-{free.pk}")
    expect(target).to_have_class(CURRENT)
    expect(target).to_be_in_viewport()
    expect(follower.locator(f"#section-{practice.pk}")).not_to_have_class(CURRENT)
    expect(follower.locator("#live-current")).to_have_text(free.title)
    expect(console.locator("#pointer-title")).to_have_text(free.title)

    # "Follow the host" unticked: the section is marked, the view stays.
    expect(stayer.locator(f"#section-{free.pk}")).to_have_class(CURRENT)
    expect(stayer.locator("#live-current")).to_have_text(free.title)
    wait_two_frames(stayer)
    assert stayer.evaluate("window.scrollY") == stayed_at
    assert not stayer.evaluate("window.__scrolled === true")
    expect(stayer.locator(f"#section-{free.pk}")).not_to_be_in_viewport()

    # The current section, refreshed by a live update (the host asks in it),
    # is still marked once htmx has settled the fresh copy.
    ask = console.locator(f"#ask-{free.pk}")
    ask.locator("> summary").click()
    console.locator(f"#section-{free.pk}-ask-body").fill("先说说长上下文")
    ask.locator("button[type=submit]").click()
    expect(target.locator(".question-body")).to_have_text("先说说长上下文")
    expect(target).not_to_have_class(SETTLING)
    expect(target).to_have_class(CURRENT)
    assert follower.evaluate(SAME_PAGE)
    assert stayer.evaluate(SAME_PAGE)


def test_it_keeps_the_hosts_desk_in_view_while_the_host_moves_the_meeting_on(
    redis_server, transactional_db, issue, host, member, visit
):
    issue_start(issue_id=issue.pk, user=host)
    console = visit(redis_server, host)
    follower = visit(redis_server, member)
    next_button = console.locator("#issue-steward #pointer-next")
    next_button.scroll_into_view_if_needed()
    wait_two_frames(console)
    console.evaluate("addEventListener('scroll', () => { window.__scrolled = true; })")
    stayed_at = console.evaluate("window.scrollY")

    for section in issue.sections.order_by("position", "id")[:3]:
        next_button.click()
        # The followers are taken to the section ...
        expect(follower.locator(f"#section-{section.pk}")).to_have_class(CURRENT)
        expect(follower.locator(f"#section-{section.pk}")).to_be_in_viewport()
        # ... the host's page marks it and stays at the desk, for the next step.
        expect(console.locator("#live-current")).to_have_text(section.title)
        expect(console.locator(f"#section-{section.pk}")).to_have_class(CURRENT)
        wait_two_frames(console)
        expect(next_button).to_be_in_viewport()
    assert console.evaluate("window.scrollY") == stayed_at
    assert not console.evaluate("window.__scrolled === true")
    assert console.evaluate(SAME_PAGE)


def test_it_takes_a_follower_on_a_phone_to_the_section_below_the_live_panel(
    redis_server, transactional_db, issue, host, member, visit
):
    practice, free = section_of(issue, "practice"), section_of(issue, "free-talk")
    question = QuestionFactory(section=practice, author=member, body="长上下文怎么评测？" * 8)
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=practice.pk)
    issue_spotlight(issue_id=issue.pk, user=host, question_id=question.pk)
    console = visit(redis_server, host)
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    follower = visit(redis_server, member, **phone)
    # The meeting and the question under discussion: a quarter of the screen.
    assert follower.locator("#live").bounding_box()["height"] > 150

    console.locator("#issue-steward #pointer-next").click()

    expect(follower.locator(f"#section-{free.pk}")).to_have_class(CURRENT)
    landed = landing(follower, f"#section-{free.pk}-title")
    assert landed["bar"] <= landed["top"] < landed["bar"] + 48, landed


def test_it_spotlights_the_question_the_host_discusses(
    redis_server, transactional_db, issue, host, member, visit
):
    free = section_of(issue, "free-talk")
    question = QuestionFactory(section=free, author=member, body="RLHF 是 RL 起的作用吗？")
    issue_start(issue_id=issue.pk, user=host)
    console = visit(redis_server, host)
    viewer = visit(redis_server, member)
    expect(viewer.locator("#live-spotlight")).to_have_count(0)

    discuss = console.locator(f"#question-{question.pk}").get_by_role(
        "button", name=zh("Discuss now")
    )
    discuss.click()

    block = viewer.locator(f"#question-{question.pk}")
    expect(block).to_have_class(SPOTLIGHT)
    expect(block).to_be_in_viewport()
    expect(viewer.locator("#live-spotlight")).to_have_text("RLHF 是 RL 起的作用吗？")
    expect(viewer.locator("#live-spotlight")).to_have_attribute("href", f"#question-{question.pk}")
    expect(console.locator(f"#question-{question.pk}")).to_have_class(SPOTLIGHT)
    assert viewer.evaluate(SAME_PAGE)


def test_it_leaves_a_typing_follower_where_they_are_and_follows_again_at_the_next_move(
    redis_server, transactional_db, issue, host, member, visit
):
    practice, free, chat = (section_of(issue, key) for key in ("practice", "free-talk", "chat"))
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=practice.pk)
    console = visit(redis_server, host)
    follower = visit(redis_server, member)
    follower.locator(f"#ask-{free.pk} > summary").click()
    body = follower.locator(f"#section-{free.pk}-ask-body")
    body.click()
    follower.keyboard.type("长上下文怎么评测？")
    wait_two_frames(follower)
    follower.evaluate("addEventListener('scroll', () => { window.__scrolled = true; })")
    typed_at = follower.evaluate("window.scrollY")
    next_button = console.locator("#issue-steward #pointer-next")

    next_button.click()

    # Marked, but the view stays on the field being typed in.
    expect(follower.locator(f"#section-{free.pk}")).to_have_class(CURRENT)
    wait_two_frames(follower)
    assert follower.evaluate("window.scrollY") == typed_at
    assert not follower.evaluate("window.__scrolled === true")
    expect(body).to_be_focused()
    expect(body).to_be_in_viewport()

    # No longer typing: the next move is followed.
    body.fill("")
    body.blur()
    next_button.click()

    expect(follower.locator(f"#section-{chat.pk}")).to_have_class(CURRENT)
    follower.wait_for_function("window.__scrolled === true")
    expect(follower.locator(f"#section-{chat.pk}")).to_be_in_viewport()
    assert follower.evaluate(SAME_PAGE)


def test_it_follows_the_host_again_once_a_member_has_posted(
    redis_server, transactional_db, issue, host, member, visit
):
    news, free = section_of(issue, "news"), section_of(issue, "free-talk")
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=news.pk)
    console = visit(redis_server, host)
    follower = visit(redis_server, member)
    add_item(follower, news, "Falcon 180B", "https://example.com/falcon")
    expect(follower.locator(f"#section-{news.pk} .entry-title")).to_have_text("Falcon 180B")
    # The post leaves the keyboard in the empty title field, ready for the next.
    expect(follower.locator(f"#section-{news.pk}-new-title")).to_be_focused()

    console.locator("#issue-steward #pointer-section").select_option(str(free.pk))
    console.locator("#issue-steward").get_by_role("button", name=zh("Go"), exact=True).click()

    expect(follower.locator(f"#section-{free.pk}")).to_have_class(CURRENT)
    expect(follower.locator(f"#section-{free.pk}")).to_be_in_viewport()
    expect(follower.locator("#follow-resume")).not_to_be_visible()
    assert follower.evaluate(SAME_PAGE)


def test_a_member_who_scrolled_away_is_offered_the_way_back_to_the_host(
    redis_server, transactional_db, issue, host, member, visit
):
    practice, free = section_of(issue, "practice"), section_of(issue, "free-talk")
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=practice.pk)
    console = visit(redis_server, host)
    reader = visit(redis_server, member)
    resume = reader.locator("#follow-resume")
    expect(resume).not_to_be_visible()

    reader.mouse.move(300, 400)
    reader.mouse.wheel(0, -600)
    expect(resume).to_be_visible()
    expect(reader.locator("#follow-state")).to_have_text(
        zh("Not following while you read elsewhere.")
    )
    wait_two_frames(reader)
    read_at = reader.evaluate("window.scrollY")
    console.locator("#issue-steward #pointer-next").click()

    # Marked, not followed: the reader stays where they were reading.
    expect(reader.locator(f"#section-{free.pk}")).to_have_class(CURRENT)
    wait_two_frames(reader)
    assert reader.evaluate("window.scrollY") == read_at
    expect(reader.locator(f"#section-{free.pk}")).not_to_be_in_viewport()

    resume.click()

    expect(reader.locator(f"#section-{free.pk}")).to_be_in_viewport()
    expect(resume).not_to_be_visible()
    expect(reader.locator("#follow-state")).to_have_text("")
    assert reader.evaluate(SAME_PAGE)


def test_the_host_lands_on_the_export_progress_after_freezing(
    redis_server, transactional_db, issue, host, visit
):
    issue_start(issue_id=issue.pk, user=host)
    console = visit(redis_server, host)
    console.once("dialog", lambda dialog: dialog.accept())

    console.locator("#freeze-form button[type=submit]").click()

    expect(console.locator("#issue-exports")).to_be_in_viewport()
    expect(console.locator("#issue-status")).to_have_text(zh("Frozen"))


# 3. Typing, and being cut off


def test_it_keeps_what_a_member_is_typing_through_a_live_refresh(
    redis_server, transactional_db, issue, member, visit
):
    news = section_of(issue, "news")
    typist = visit(redis_server, UserFactory(alias="阿九"))
    writer = visit(redis_server, member)
    typist.locator(f"#add-item-{news.pk} > summary").click()
    title = typist.locator(f"#section-{news.pk}-new-title")
    title.click()
    typist.keyboard.type("我的草稿")

    add_item(writer, news, "别人的条目", "https://example.com/other")

    expect(typist.locator(f"#section-{news.pk} .entry-title")).to_have_text(
        "别人的条目", timeout=PROPAGATION_MS
    )
    expect(typist.locator(f"#add-item-{news.pk}")).to_have_attribute("open", "")
    expect(title).to_have_value("我的草稿")
    expect(title).to_be_focused()
    # The caret is where it was: typing on goes on at the end.
    typist.keyboard.type("，续")
    expect(title).to_have_value("我的草稿，续")
    assert typist.evaluate(SAME_PAGE)


def test_it_keeps_an_opened_theme_picker_open_through_a_live_refresh(
    redis_server, transactional_db, issue, member, host, visit
):
    recommend = Section.objects.select_related("issue").get(issue=issue, key="recommend")
    curator = visit(redis_server, host)
    picker = curator.locator(f"#theme-{recommend.pk}-picker")
    picker.locator("> summary").click()  # opened, nothing chosen yet

    item_submit(section=recommend, user=member, title="别人的推荐")

    expect(curator.locator(f"#section-{recommend.pk} .entry-title")).to_have_text(
        "别人的推荐", timeout=PROPAGATION_MS
    )
    expect(picker).to_have_attribute("open", "")


def test_it_keeps_an_item_being_typed_when_the_issue_freezes_and_says_it_cannot_be_saved(
    redis_server, transactional_db, issue, host, member, visit, monkeypatch
):
    # The exports the freeze queues are not this test's business.
    monkeypatch.setattr("talk.services.exports._enqueue", lambda export_ids: None)
    news = section_of(issue, "news")
    typist = visit(redis_server, member)
    form = typist.locator(f"#add-item-{news.pk}")
    form.locator("> summary").click()
    title = typist.locator(f"#section-{news.pk}-new-title")
    title.click()
    typist.keyboard.type("冻结前的草稿")

    issue_freeze(issue_id=issue.pk, user=host)

    expect(typist.locator("#status-banner")).to_be_visible(timeout=PROPAGATION_MS)
    expect(form.locator(".closed-note")).to_have_text(
        zh(
            "This can no longer be saved: the issue was frozen or the thread locked meanwhile. "
            "Copy what you typed to keep it."
        )
    )
    expect(form).to_have_attribute("open", "")
    expect(title).to_have_value("冻结前的草稿")
    expect(title).to_be_focused()

    # Sent anyway: refused in words, in the form, with the text still there.
    form.locator("button[type=submit]").click()
    expect(form.locator(".errorlist")).to_have_text(zh(IssueClosed.default_message))
    expect(title).to_have_value("冻结前的草稿")
    assert not Item.objects.exists()
    assert typist.evaluate(SAME_PAGE)


@pytest.mark.parametrize("mode", BOTH_MODES)
def test_it_says_when_it_is_cut_off_and_catches_up_after_a_restart(
    mode, own_server, transactional_db, issue, member, visit
):
    server = own_server(mode)
    news = section_of(issue, "news")
    page = visit(server, member)
    state = page.locator("#live-state")

    server.stop()
    expect(state).to_have_attribute("data-state", "reconnecting")
    expect(state).to_contain_text(zh("Reconnecting…"))
    # Written elsewhere while this server is down (another process).
    section = Section.objects.select_related("issue").get(pk=news.pk)
    item_submit(section=section, user=UserFactory(alias="阿九"), title="停机时加的")

    server.start()
    expect(state).to_have_attribute("data-state", "live", timeout=RECONNECT_MS)
    expect(state).to_contain_text(zh("Live updates on"))
    expect(page.locator(f"#section-{news.pk} .entry-title")).to_have_text("停机时加的")
    assert page.evaluate(SAME_PAGE)


def test_it_holds_a_save_while_cut_off_and_sends_it_when_back(
    own_server, transactional_db, issue, member, visit
):
    server = own_server("redis" if settings.REDIS_URL else "fallback")
    news = section_of(issue, "news")
    page = visit(server, member)
    form = page.locator(f"#add-item-{news.pk}")
    title = page.locator(f"#section-{news.pk}-new-title")
    summary = page.locator(f"#section-{news.pk}-new-body")
    form.locator("> summary").click()
    title.fill("断线时写的")
    summary.fill("连上以后再保存。")

    server.stop()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    form.locator("button[type=submit]").click()

    expect(form.locator(".waiting-note")).to_have_text(
        zh("Not saved yet: saving waits for the connection. What you typed is kept.")
    )
    expect(title).to_have_value("断线时写的")
    expect(summary).to_have_value("连上以后再保存。")
    assert not Item.objects.exists()

    server.start()
    entry = page.locator(f"#section-{news.pk} .entry")
    expect(entry.locator(".entry-title")).to_have_text("断线时写的", timeout=RECONNECT_MS)
    expect(form.locator(".waiting-note")).to_have_count(0)
    expect(entry).to_have_count(1)
    assert Item.objects.filter(section=news, title="断线时写的").count() == 1
    assert page.evaluate(SAME_PAGE)
