"""The member desk in a real browser: claims, items, Q&A, the keyboard, a phone
and what a visitor or a frozen issue is refused.

Expected words come from the translations the page itself uses, so the tests
read the same whether a string is translated yet or not.
"""

import re

import pytest
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from sections.errors import IssueClosed, SectionFull
from sections.models import Answer, Claim, Item, Question
from sections.selectors import group_key
from talk.models import IssueStatus
from talk.services import issue_pointer_move, issue_spotlight, issue_start
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory, UserFactory

from .test_login import OVERFLOW

# A global set before an action survives it only if the page was not reloaded.
MARK_PAGE = "window.__sameDocument = true"
SAME_PAGE = "window.__sameDocument === true"

ACTIVE_ID = "document.activeElement && document.activeElement.id"

# An attribute set on an element survives an action only if the element was
# not swapped (rendered again) by it.
MARK_ELEMENT = "(element) => element.setAttribute('data-before', 'kept')"


def zh(message) -> str:
    """A message (a msgid, or a lazy translation) as the community's browser
    (zh-CN) gets it."""
    with translation.override("zh-hans"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def open_issue(page, live_server, issue):
    page.goto(live_server.url + issue.get_absolute_url())
    expect(page.locator("h1.issue-title")).to_contain_text(issue.title)


LANDING = """(selector) => ({
  top: document.querySelector(selector).getBoundingClientRect().top,
  bar: document.getElementById("live").getBoundingClientRect().bottom,
})"""


SETTLED = "[window.scrollY, document.getElementById('live').offsetHeight]"


def landing(page, selector: str) -> dict:
    """Where `selector` came to rest on the screen after the page scrolled to
    it, and where the live panel, which stays over the top, ends."""
    expect(page.locator(selector)).to_be_in_viewport()
    # A smooth scroll (following the host) takes a few frames to stop, and the
    # panel may still grow as its state fills in (the page then scrolls again).
    settled = None
    while settled != (settled := page.evaluate(SETTLED)):
        page.wait_for_timeout(150)
    return page.evaluate(LANDING, selector)


def tab_to(page, selector: str, key: str = "Tab", limit: int = 150):
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{key} never reached {selector}")


# 1. Claims


def test_it_refuses_the_last_slot_in_place_to_the_slower_member(
    live_server, issue, member, page_of
):
    news = section_of(issue, "news")
    holder = UserFactory(alias="阿九")
    Claim.objects.create(section=news, member=holder, slot=1)
    late = UserFactory(alias="十一")
    first, second = page_of(member), page_of(late)
    box = f"#claim-box-{news.pk}"
    for page in (first, second):
        open_issue(page, live_server, issue)
        expect(page.locator(f"{box} .owners")).to_have_text("阿九")

    first.locator(f"{box} button[type=submit]").click()
    expect(first.locator(f"{box} .owners")).to_have_text("阿九、初七")
    # Claimed: the button now gives the section up.
    expect(first.locator(f"{box} form")).to_have_attribute("action", re.compile(r"/release/$"))

    # The slower member's page is as it was loaded: the button is still there.
    expect(second.locator(f"{box} .owners")).to_have_text("阿九")
    expect(second.locator(f"{box} button[type=submit]")).to_be_visible()
    second.evaluate(MARK_PAGE)
    second.locator(f"{box} button[type=submit]").click()

    refused = second.locator(box)
    with translation.override("zh-hans"):
        full = SectionFull(["阿九", "初七"]).message
    expect(refused.locator(".form-error")).to_have_text(full)
    expect(refused.locator(".owners")).to_have_text("阿九、初七")
    expect(refused.locator("button")).to_have_count(0)
    expect(second.locator("#flash")).to_be_empty()
    assert second.evaluate(SAME_PAGE)
    assert Claim.objects.filter(section=news).count() == 2
    assert set(Claim.objects.filter(section=news).values_list("member__alias", flat=True)) == {
        "阿九",
        "初七",
    }


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_it_comes_back_from_a_claim_without_script_to_the_section_below_the_live_panel(
    page, live_server, login, issue, member
):
    practice = section_of(issue, "practice")
    login(member)
    open_issue(page, live_server, issue)

    page.locator(f"#claim-box-{practice.pk} button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"#section-{practice.pk}$"))
    expect(page.locator(f"#claim-box-{practice.pk} .owners")).to_have_text("初七")
    landed = landing(page, f"#section-{practice.pk}-title")
    assert landed["top"] >= landed["bar"], landed


# 2. Items


@pytest.mark.parametrize("bad_link", ["javascript:alert(1)", "not a link"])
def test_it_keeps_the_typed_item_after_a_bad_link_and_adds_it_once_fixed(
    page, live_server, login, issue, member, bad_link
):
    news = section_of(issue, "news")
    field = f"#section-{news.pk}-new"
    form = page.locator(f"#add-item-{news.pk}")
    login(member)
    open_issue(page, live_server, issue)
    expect(page.locator("#references")).to_contain_text(zh("No links yet."))
    page.evaluate(MARK_PAGE)
    section = page.locator(f"#section-{news.pk}")
    section.evaluate(MARK_ELEMENT)

    form.locator("> summary").click()
    page.locator(f"{field}-subgroup").select_option("项目")
    page.locator(f"{field}-title").fill("Falcon 上线 Hugging Face")
    page.locator(f"{field}-url").fill(bad_link)
    page.locator(f"{field}-body").fill("使用了**多查询注意力**。")
    form.locator("button[type=submit]").click()

    expect(page.locator(f"{field}-url")).to_have_attribute("aria-invalid", "true")
    expect(form).to_have_attribute("open", "")
    expect(form.locator(".errorlist")).to_have_text(zh(URLValidator.message))
    expect(page.locator(f"{field}-title")).to_have_value("Falcon 上线 Hugging Face")
    expect(page.locator(f"{field}-body")).to_have_value("使用了**多查询注意力**。")
    expect(page.locator(f"{field}-subgroup")).to_have_value("项目")
    assert not Item.objects.exists()

    page.locator(f"{field}-url").fill("https://zhuanlan.zhihu.com/p/637676443")
    form.locator("button[type=submit]").click()

    entry = page.locator(f"#section-{news.pk} .subgroup", has_text="项目").locator(".entry")
    expect(entry.locator(".entry-title")).to_have_text("Falcon 上线 Hugging Face")
    # Appended to its sub-group's list; the section around it was not sent
    # again (what was set on it before the add is still there).
    expect(page.locator(f"#entries-{news.pk}-{group_key('项目')} > li.entry")).to_have_count(1)
    expect(section).to_have_attribute("data-before", "kept")
    expect(entry.locator(".entry-body strong")).to_have_text("多查询注意力")
    expect(entry.locator(".attribution")).to_have_text("初七")
    expect(page.locator("#references a")).to_have_text(["https://zhuanlan.zhihu.com/p/637676443"])
    expect(page.locator("#references")).to_contain_text("Falcon 上线 Hugging Face")
    expect(page.locator("#contributors")).to_contain_text("初七")
    expect(page.locator(f"#section-contributors-{news.pk}")).to_contain_text("初七")
    # The form stays open for the next item, emptied but for the sub-group,
    # with the keyboard on its first field and the old error gone.
    expect(form).to_have_attribute("open", "")
    expect(page.locator(f"{field}-title")).to_have_value("")
    expect(page.locator(f"{field}-title")).to_be_focused()
    expect(page.locator(f"{field}-url")).to_have_value("")
    expect(page.locator(f"{field}-url")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"{field}-body")).to_have_value("")
    expect(page.locator(f"{field}-subgroup")).to_have_value("项目")
    expect(form.locator(".errorlist")).to_have_count(0)
    assert page.evaluate(SAME_PAGE)
    item = Item.objects.get()
    assert (item.section, item.subgroup, item.author) == (news, "项目", member)


def test_it_says_saving_only_while_an_item_is_on_its_way(page, live_server, login, issue, member):
    news = section_of(issue, "news")
    # htmx would show and hide "Saving…" with an inline style of its own, which
    # the Content-Security-Policy refuses: the page hears of each refusal.
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', (event) =>"
        " window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));"
    )
    held = []  # the save, held back until the test lets it through
    page.route(
        live_server.url + reverse("item-create", args=[news.pk]),
        lambda route: held.append(route),
    )
    login(member)
    open_issue(page, live_server, issue)
    form = page.locator(f"#add-item-{news.pk}")
    saving = form.locator(".htmx-indicator")
    form.locator("> summary").click()
    expect(saving).to_be_hidden()

    page.locator(f"#section-{news.pk}-new-title").fill("State of GPT")
    page.locator(f"#section-{news.pk}-new-url").fill("https://example.com/state-of-gpt")
    form.locator("button[type=submit]").click()
    expect(saving).to_be_visible()
    expect(saving).to_have_text(zh("Saving…"))
    # The route's handler runs when Playwright hears of the request, which on
    # a busy machine can be after the page already shows it is saving.
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()

    expect(page.locator(f"#section-{news.pk} .entry-title")).to_have_text("State of GPT")
    expect(saving).to_be_hidden()
    assert page.evaluate("window.__violations") == []


# 3. Questions and answers


def test_it_asks_answers_replies_votes_and_accepts(live_server, issue, member, page_of):
    free = section_of(issue, "free-talk")
    answerer, replier = UserFactory(alias="羡鱼"), UserFactory(alias="suc16")

    asker = page_of(member)
    open_issue(asker, live_server, issue)
    ask = asker.locator(f"#ask-{free.pk}")
    ask.locator("> summary").click()
    asker.locator(f"#section-{free.pk}-ask-body").fill("RLHF 是 RL 起的作用吗？")
    asker.locator(f"#section-{free.pk}-ask-subgroup").select_option("线上讨论")
    ask.locator("button[type=submit]").click()

    online = asker.locator(f"#section-{free.pk} .subgroup", has_text="线上讨论")
    expect(online.locator(".question .question-body")).to_have_text("RLHF 是 RL 起的作用吗？")
    question = Question.objects.get(section=free)
    assert question.subgroup == "线上讨论"
    # The asker cannot vote for their own question: a count, no button.
    expect(asker.locator(f"#question-{question.pk} button.vote")).to_have_count(0)
    expect(asker.locator(f"#question-{question.pk} .vote-static .vote-count")).to_have_text("0")

    # Another member answers: the form is fetched into the question, with the
    # keyboard in it.
    page = page_of(answerer)
    open_issue(page, live_server, issue)
    page.evaluate(MARK_PAGE)
    block = page.locator(f"#question-{question.pk}")
    expect(block.locator("textarea")).to_have_count(0)
    block.locator("> .actions").get_by_role("link", name=re.compile("^" + zh("Answer"))).click()
    slot = page.locator(f"#answer-slot-{question.pk}")
    body = slot.locator(f"details.answer-form[open] textarea#answer-new-q{question.pk}-body")
    expect(body).to_be_focused()
    body.fill("RM 的数据类似排序数据。")
    slot.locator("button[type=submit]").click()
    expect(block.locator(".answers > li.answer .answer-body")).to_have_text(
        "RM 的数据类似排序数据。"
    )
    # Posted, the question comes back with the form gone.
    expect(slot).to_be_empty()
    assert page.evaluate(SAME_PAGE)
    answer = Answer.objects.get(question=question)

    # A third replies to that answer: the reply sits under it. Sent empty
    # first, the form says so in its place and keeps the keyboard.
    page = page_of(replier)
    open_issue(page, live_server, issue)
    page.evaluate(MARK_PAGE)
    block = page.locator(f"#question-{question.pk}")
    thread = page.locator(f"#answer-{answer.pk}")
    thread.locator("> .actions").get_by_role("link", name=re.compile("^" + zh("Reply"))).click()
    slot = page.locator(f"#reply-slot-{answer.pk}")
    body = slot.locator(f"textarea#answer-new-{answer.pk}-body")
    expect(body).to_be_focused()
    slot.locator("button[type=submit]").click()
    expect(slot.locator(".errorlist")).to_have_text(zh("This field is required."))
    expect(body).to_be_focused()
    body.fill("同意，见 InstructGPT。")
    slot.locator("button[type=submit]").click()
    nested = page.locator(f"#answer-{answer.pk} > ul.replies > li.answer")
    expect(nested.locator("> .answer-body")).to_have_text("同意，见 InstructGPT。")
    reply = Answer.objects.get(parent=answer)
    expect(nested).to_have_attribute("id", f"answer-{reply.pk}")
    expect(block.locator(".answers > li.answer")).to_have_count(1)
    expect(block.locator("details.answer-form")).to_have_count(0)
    assert page.evaluate(SAME_PAGE)

    # The same member votes, then takes the vote back.
    vote = block.locator("button.vote")
    vote.click()
    expect(vote.locator(".vote-count")).to_have_text("1")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_have_class(re.compile(r"\bvoted\b"))
    assert question.votes.count() == 1
    vote.click()
    expect(vote.locator(".vote-count")).to_have_text("0")
    expect(vote).to_have_attribute("aria-pressed", "false")
    assert question.votes.count() == 0

    # The asker accepts the answer.
    open_issue(asker, live_server, issue)
    asker.evaluate(MARK_PAGE)
    accepted = asker.locator(f"#answer-{answer.pk}")
    accepted.locator("> .actions button[name=accepted][value='1']").click()
    expect(accepted).to_have_class(re.compile(r"\bis-accepted\b"))
    expect(accepted.locator("> .badge")).to_have_text(zh("accepted"))
    expect(accepted.locator("> .actions button[name=accepted]")).to_have_attribute("value", "0")
    settled = asker.locator(f"#question-{question.pk}")
    expect(settled).to_have_class(re.compile(r"\bis-answered\b"))
    expect(settled.locator(".question-head .badge")).to_have_text(zh("answered"))
    assert asker.evaluate(SAME_PAGE)
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.answered
    assert answer.accepted


def test_it_answers_from_the_answer_page_opened_on_its_own(page, live_server, login, issue, member):
    # The "Answer" link opened in a tab of its own: a whole page, a plain form.
    question = QuestionFactory(section=section_of(issue, "free-talk"), body="长上下文怎么评测？")
    login(member)
    page.goto(live_server.url + reverse("answer-create", args=[question.pk]))
    expect(page.locator("main")).to_contain_text("长上下文怎么评测？")

    page.locator(f"#answer-new-q{question.pk}-body").fill("看 LongBench。")
    page.locator("details.answer-form button[type=submit]").click()

    page.wait_for_url(re.compile(rf"{re.escape(issue.get_absolute_url())}#question-{question.pk}$"))
    expect(page.locator(f"#question-{question.pk} .answer-body")).to_have_text("看 LongBench。")
    assert Answer.objects.get().question == question


# 4. The keyboard alone


def test_it_adds_an_item_with_the_keyboard_alone(page, live_server, login, issue, member):
    news = section_of(issue, "news")
    field = f"section-{news.pk}-new"
    submit = f"#add-item-{news.pk} button[type=submit]"
    login(member)
    open_issue(page, live_server, issue)

    tab_to(page, f"#add-item-{news.pk} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(f"#add-item-{news.pk}")).to_have_attribute("open", "")
    tab_to(page, f"#{field}-title")
    page.keyboard.type("State of GPT")
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ID) == f"{field}-url"
    page.keyboard.type("not a link")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    # The field in error takes the focus, so the keyboard is where the fix is.
    expect(page.locator(f"#{field}-url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field}-url")).to_be_focused()
    expect(page.locator(f"#{field}-title")).to_have_value("State of GPT")

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("https://www.youtube.com/watch?v=bZQun8Y4L2A")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    # The first item without a sub-group: its list was there, empty.
    entry = page.locator(f"#entries-{news.pk}-main > .entry")
    expect(entry.locator(".entry-title")).to_have_text("State of GPT")
    expect(entry.locator(".entry-link")).to_have_text("https://www.youtube.com/watch?v=bZQun8Y4L2A")
    assert Item.objects.get().url == "https://www.youtube.com/watch?v=bZQun8Y4L2A"
    # The keyboard is back at the top of the emptied form, for the next item.
    expect(page.locator(f"#{field}-title")).to_be_focused()
    expect(page.locator(f"#{field}-title")).to_have_value("")


def test_it_keeps_the_keyboard_on_a_claim_or_a_vote_once_sent(
    page, live_server, login, issue, member
):
    news, free = section_of(issue, "news"), section_of(issue, "free-talk")
    question = QuestionFactory(section=free, subgroup="线上讨论", author=UserFactory(alias="阿九"))
    login(member)
    open_issue(page, live_server, issue)
    box = page.locator(f"#claim-box-{news.pk}")

    tab_to(page, f"#claim-box-{news.pk} button")
    page.keyboard.press("Enter")
    expect(box.locator(".owners")).to_have_text("初七")
    # In the same place the button now gives the section up, and has the keyboard.
    expect(box.get_by_role("button", name=zh("Give up this section"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(box.locator(".owners")).to_have_text(zh("unclaimed"))
    expect(box.get_by_role("button", name=zh("Claim this section"))).to_be_focused()

    vote = page.locator(f"#question-{question.pk} button.vote")
    tab_to(page, f"#question-{question.pk} button.vote")
    page.keyboard.press("Enter")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_be_focused()
    # Enter again takes the vote back, without looking for the button.
    page.keyboard.press("Enter")
    expect(vote).to_have_attribute("aria-pressed", "false")
    expect(vote).to_be_focused()


def editable_post(issue, member, kind: str) -> str:
    """An item, question or answer of `member`'s, by the id of its element."""
    news, free = section_of(issue, "news"), section_of(issue, "free-talk")
    if kind == "item":
        post = ItemFactory(
            section=news, title="Falcon 上线", url="https://example.com/falcon", author=member
        )
    else:
        post = QuestionFactory(section=free, body="长上下文怎么评测？", author=member)
        if kind == "answer":
            post = Answer.objects.create(question=post, body="看 LongBench。", author=member)
    return f"{kind}-{post.pk}"


FIRST_TEXT_FIELD = "form :is(input[type=text], input[type=url], textarea) >> nth=0"


@pytest.mark.parametrize("kind", ["item", "question", "answer"])
def test_it_opens_an_inline_edit_on_its_first_field_and_cancels_back_to_edit(
    page, live_server, login, issue, member, kind
):
    post = editable_post(issue, member, kind)
    login(member)
    open_issue(page, live_server, issue)
    page.evaluate(MARK_PAGE)
    editor = page.locator(f"#{post}.editing")

    page.locator(f"#edit-{post}").click()
    # The first field takes the keyboard, not Save (a typed space would press it).
    expect(editor.locator(FIRST_TEXT_FIELD)).to_be_focused()

    editor.get_by_role("link", name=zh("Cancel")).click()

    expect(editor).to_have_count(0)
    expect(page.locator(f"#{post}")).to_be_visible()
    expect(page.locator(f"#edit-{post}")).to_be_focused()
    assert "#" not in page.url
    assert page.evaluate(SAME_PAGE)


@pytest.mark.parametrize("kind", ["item", "question", "answer"])
def test_escape_cancels_an_inline_edit_only_while_nothing_in_it_was_changed(
    page, live_server, login, issue, member, kind
):
    post = editable_post(issue, member, kind)
    login(member)
    open_issue(page, live_server, issue)
    editor = page.locator(f"#{post}.editing")
    field = editor.locator(FIRST_TEXT_FIELD)

    page.locator(f"#edit-{post}").click()
    expect(field).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(page.locator(f"#edit-{post}")).to_be_focused()

    page.keyboard.press("Enter")  # the Edit link again
    expect(field).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type("，补充")
    page.keyboard.press("Escape")
    expect(editor).to_be_visible()
    expect(field).to_have_value(re.compile("，补充$"))


def test_it_puts_the_keyboard_on_a_saved_item_and_a_posted_answer(
    page, live_server, login, issue, member
):
    post = editable_post(issue, member, "item")
    question = QuestionFactory(section=section_of(issue, "free-talk"), author=UserFactory())
    login(member)
    open_issue(page, live_server, issue)

    page.locator(f"#edit-{post}").click()
    expect(page.locator(f"#{post}.editing").locator(FIRST_TEXT_FIELD)).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("新标题")
    page.locator(f"#{post} button[type=submit]").click()
    expect(page.locator(f"#{post} .entry-title")).to_have_text("新标题")
    expect(page.locator(f"#edit-{post}")).to_be_focused()

    block = page.locator(f"#question-{question.pk}")
    block.locator("> .actions").get_by_role("link", name=re.compile("^" + zh("Answer"))).click()
    block.locator("details.answer-form textarea").fill("看 LongBench。")
    block.locator("details.answer-form button[type=submit]").click()
    answer = block.locator(".answers > li.answer")
    expect(answer.locator(".answer-body")).to_have_text("看 LongBench。")
    expect(answer).to_be_focused()
    expect(answer).to_have_attribute("id", f"answer-{Answer.objects.get().pk}")


def test_a_saved_edit_opens_its_history_in_place(page, live_server, login, issue, member):
    post = editable_post(issue, member, "item")
    login(member)
    open_issue(page, live_server, issue)
    page.evaluate(MARK_PAGE)

    page.locator(f"#edit-{post}").click()
    page.locator(f"#{post}.editing").locator(FIRST_TEXT_FIELD).fill("Falcon 180B 上线")
    page.locator(f"#{post} button[type=submit]").click()
    page.locator(f"#{post}").get_by_role("link", name=zh("History")).click()

    history = page.locator(f"#history-{post}")
    expect(history.locator(".diff del")).to_contain_text("Falcon 上线")
    expect(history.locator(".diff ins")).to_contain_text("Falcon 180B 上线")
    expect(history.locator(".version-head")).to_contain_text(member.alias)
    history.locator("summary").click()
    expect(history.locator(".diff")).to_be_hidden()
    assert page.evaluate(SAME_PAGE)


# 5. A phone


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 740}, is_mobile=True)
def test_it_fits_long_content_on_a_phone(page, live_server, login, issue, member):
    news, practice = section_of(issue, "news"), section_of(issue, "practice")
    free = section_of(issue, "free-talk")
    long_url = "https://example.com/" + "a" * 280
    assert len(long_url) == 300
    # Words with no break opportunity, as members paste them.
    class_name = "LlamaForCausalLMWithRotaryScalingAndFlashAttention2"
    dotted = "transformers.models.llama.modeling_llama.LlamaRotaryEmbedding"
    checksum = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    ItemFactory(
        section=news,
        subgroup="学术",
        title="大模型的长上下文外推：" * 6 + "NTK-Aware-Scaled-RoPE",
        url=long_url,
        body=f"原文见 {long_url} ，实现在 {dotted} 。",
        author=member,
    )
    ItemFactory(section=news, kind=Item.Kind.NOTE, title=f"笔记：{class_name}", url="")
    ItemFactory(
        section=practice,
        kind=Item.Kind.SNIPPET,
        title="NTK-Aware RoPE",
        code="base = base * scale ** (dim / (dim - 2))  # " + "x" * 200 + "\nreturn base",
        language="python",
        author=member,
    )
    question = QuestionFactory(
        section=free,
        subgroup="线上讨论",
        body="为什么 Pneumonoultramicroscopicsilicovolcanoconiosis 这么长？",
        author=UserFactory(alias="群友甲"),
    )
    Answer.objects.create(question=question, body=f"校验和是 {checksum}。", author=member)
    login(member)
    open_issue(page, live_server, issue)
    expect(page.locator(f"#section-{practice.pk} pre")).to_be_visible()

    layout = page.evaluate(OVERFLOW)
    assert layout["innerWidth"] == 375, layout
    assert layout["scrollWidth"] <= layout["clientWidth"], layout


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844}, is_mobile=True)
def test_it_shows_what_a_link_points_to_below_the_live_panel_on_a_phone(
    page, live_server, login, issue, host, member
):
    practice, free = section_of(issue, "practice"), section_of(issue, "free-talk")
    question = QuestionFactory(section=free, author=member, body="长上下文怎么评测？" * 8)
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=free.pk)
    issue_spotlight(issue_id=issue.pk, user=host, question_id=question.pk)
    login(member)
    open_issue(page, live_server, issue)
    # The meeting and the question under discussion: a quarter of the screen.
    assert page.locator("#live").bounding_box()["height"] > 150

    page.locator(".section-index").get_by_role("link", name=practice.title).click()
    landed = landing(page, f"#section-{practice.pk}-title")
    assert landed["bar"] <= landed["top"] < landed["bar"] + 48, landed

    # A link from another page (the review queue, a later issue) to a question.
    page.goto(live_server.url + reverse("home"))
    page.goto(f"{live_server.url}{issue.get_absolute_url()}#question-{question.pk}")
    landed = landing(page, f"#question-{question.pk}")
    assert landed["bar"] <= landed["top"] < landed["bar"] + 48, landed


# 6. Visitors and refusals


def test_it_shows_a_visitor_the_issue_without_write_controls(page, live_server, issue, member):
    news, free = section_of(issue, "news"), section_of(issue, "free-talk")
    Claim.objects.create(section=news, member=member, slot=1)
    ItemFactory(section=news, title="Falcon 上线 Hugging Face", author=member)
    question = QuestionFactory(section=free, subgroup="线上讨论", author=member)
    Answer.objects.create(question=question, body="RM 的数据类似排序数据。", author=member)

    open_issue(page, live_server, issue)

    invite = page.locator(".login-invite a")
    expect(invite).to_have_text(zh("Log in"))
    expect(invite).to_have_attribute("href", re.compile(r"\?next=.*s/openllm-talk/8/"))
    expect(page.locator(f"#claim-box-{news.pk} .owners")).to_have_text("初七")
    expect(page.locator(f"#question-{question.pk} .answer-body")).to_be_visible()
    expect(page.locator(f"#question-{question.pk} .vote-static")).to_be_visible()
    for control in [
        "main form",
        "main button",
        "main textarea",
        "details.add-form",
        "details.answer-form",
        ".actions a",
    ]:
        expect(page.locator(control), control).to_have_count(0)
    expect(page.locator("#flash")).to_be_empty()


def test_it_says_in_the_alert_region_that_a_frozen_issue_refuses_a_claim(
    page, live_server, login, issue, member
):
    news = section_of(issue, "news")
    login(member)
    open_issue(page, live_server, issue)
    page.evaluate(MARK_PAGE)
    issue.status = IssueStatus.FROZEN
    issue.save(update_fields=["status"])

    page.locator(f"#claim-box-{news.pk} button[type=submit]").click()

    expect(page.locator("#flash")).to_have_text(zh(IssueClosed.default_message))
    expect(page.locator("#flash")).to_have_attribute("role", "alert")
    # The claim box is left as it was: nothing was claimed.
    expect(page.locator(f"#claim-box-{news.pk} .owners")).to_have_text(zh("unclaimed"))
    assert page.evaluate(SAME_PAGE)
    assert not Claim.objects.exists()


def test_a_member_previews_a_question_before_asking(live_server, page_of, issue, member):
    free = section_of(issue, "free-talk")
    page = page_of(member)
    open_issue(page, live_server, issue)
    ask = page.locator(f"#ask-{free.pk}")
    ask.locator("> summary").click()
    page.locator(f"#section-{free.pk}-ask-body").fill("**RoPE** 还是 `ALiBi`？")

    ask.get_by_role("button", name=zh("Preview")).click()

    preview = ask.locator(".markdown-preview")
    expect(preview.locator("strong")).to_have_text("RoPE")
    expect(preview.locator("code")).to_have_text("ALiBi")
    assert not Question.objects.exists()

    ask.locator("button[type=submit]").click()
    expect(page.locator(f"#section-{free.pk} .question-body strong")).to_have_text("RoPE")
    expect(preview).to_be_empty()
