import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from accounts.services import member_suspend
from sections.models import Answer, ChatLine, Claim, Item, Question, Vote
from tests.factories import AnswerFactory, ItemFactory, QuestionFactory, UserFactory
from tests.html import HOSTILE, HOSTILE_NAME, unsafe_markup
from tests.responses import by_attr, by_id


@pytest.fixture
def filled(issue, member, host):
    sections = {s.key: s for s in issue.sections.all()}
    Claim.objects.create(section=sections["news"], member=member, slot=1)
    Item.objects.create(
        section=sections["news"],
        subgroup="工业界",
        title="Falcon 上线 Hugging Face",
        url="https://zhuanlan.zhihu.com/p/637676443",
        body="使用了**多查询注意力**，见 https://huggingface.co/blog/falcon 。",
        author=member,
    )
    Item.objects.create(
        section=sections["recommend"], kind=Item.Kind.NOMINATION, title="State of GPT"
    )
    Item.objects.create(
        section=sections["practice"],
        kind=Item.Kind.SNIPPET,
        title="NTK-Aware RoPE",
        code="def forward(x):\n    return x",
        language="python",
        author_name="群友",
    )
    question = Question.objects.create(
        section=sections["free-talk"],
        subgroup="线上讨论",
        body="RLHF 是 RL 起的作用吗？",
        author=member,
    )
    answer = Answer.objects.create(question=question, body="RM 的数据类似排序数据", author=host)
    Answer.objects.create(question=question, parent=answer, body="同意", author_name="群友")
    Question.objects.create(section=sections["free-talk"], body="chatgpt 用 logit_bias 吗？")
    ChatLine.objects.create(
        section=sections["chat"], speaker_name="yuhan", said_at="21:05", text="来了"
    )
    return issue


def test_it_renders_every_section_in_the_corpus_layout(client, filled):
    response = client.get(filled.get_absolute_url())

    assertTemplateUsed(response, "talk/issue.html")
    for title in [
        "本周新闻",
        "本周推荐",
        "本周经典",
        "本周实践",
        "Free Talk",
        "聊天区",
        "参考资料",
    ]:
        assertContains(response, title)
    assertContains(response, "OpenLLM Talk 008")
    assertContains(response, "-optional", count=2)
    assertContains(response, "<strong>多查询注意力</strong>", html=True)
    assertContains(response, "State of GPT")
    assertContains(response, '<span class="k">def</span>', html=True)
    assertContains(response, "Q1：")
    assertContains(response, "Q2：")
    assertContains(response, "来了")


def test_it_shows_unanswered_questions_as_such(client, filled):
    response = client.get(filled.get_absolute_url())

    assertContains(response, "A2：")
    assertContains(response, 'class="question is-unanswered"')


def test_it_nests_replies_under_their_answer(client, filled):
    response = client.get(filled.get_absolute_url())
    page = response.content.decode()

    answer_at = page.index("RM 的数据类似排序数据")
    reply_at = page.index("同意")
    assert answer_at < page.index('class="replies"', answer_at) < reply_at


def test_it_lists_contributors_and_owners(client, filled):
    response = client.get(filled.get_absolute_url())

    assertContains(response, "初七")
    assertContains(response, "群友")
    contributors = response.context["content"].contributors
    assert set(contributors) == {"羡鱼", "初七", "群友", "yuhan"}


def test_it_collects_every_link_once_in_order(client, filled):
    content = client.get(filled.get_absolute_url()).context["content"]

    assert [ref.url for ref in content.references] == [
        "https://zhuanlan.zhihu.com/p/637676443",
        "https://huggingface.co/blog/falcon",
    ]
    assert content.references[0].title == "Falcon 上线 Hugging Face"


def test_it_writes_the_contributors_line_with_the_page_s_punctuation(client, filled, english):
    line = by_id(client.get(filled.get_absolute_url()).text, "contributors")

    assert "in no particular order: " in line
    assert "：" not in line
    assert "、" not in line


def test_it_numbers_points_once_however_they_were_typed(client, issue):
    ItemFactory(
        section=issue.sections.get(key="news"), points="1. 扩张注意力\n- 可以并行\n3.5 亿参数"
    )

    page = client.get(issue.get_absolute_url()).text

    assert '<ol class="points"><li>扩张注意力</li><li>可以并行</li><li>3.5 亿参数</li></ol>' in page


def test_it_names_each_post_s_controls_for_a_screen_reader(client_as, issue, english):
    free_talk = issue.sections.get(key="free-talk")
    question = QuestionFactory(section=free_talk)
    Vote.objects.create(question=question, member=UserFactory())
    AnswerFactory(question=question, author_name="群友")

    page = client_as("outsider").get(issue.get_absolute_url()).text

    vote = by_attr(page, "class", "vote")
    assert '<span class="visually-hidden">Vote for Q1 </span>' in vote
    assert '<span class="vote-count">1</span><span class="visually-hidden"> votes</span>' in vote
    assert 'Answer<span class="visually-hidden"> Q1</span>' in page
    assert 'Reply<span class="visually-hidden"> 群友</span>' in page
    assert 'Report<span class="visually-hidden"> 群友</span>' in page


def test_it_bullets_points_an_import_found_bulleted(client, issue):
    ItemFactory(section=issue.sections.get(key="news"), points="动机\n方法", bulleted_points=True)

    page = client.get(issue.get_absolute_url()).text

    assert '<ul class="points"><li>动机</li><li>方法</li></ul>' in page


def test_entries_without_a_sub_group_are_not_read_as_the_area_above(client, issue, english):
    news = issue.sections.get(key="news")
    ItemFactory(section=news, kind=Item.Kind.SUGGESTION, title="论文可以写个摘要")
    ItemFactory(section=news, title="北大 chatlaw")

    page = client.get(issue.get_absolute_url()).text

    ungrouped = page.index(f'id="entries-{news.pk}-main"')
    heading = page.rindex('<h3 class="subgroup-title">', 0, ungrouped)
    assert page[heading:ungrouped].startswith('<h3 class="subgroup-title">Entries</h3>')
    assert page.index("论文可以写个摘要") < heading < page.index("北大 chatlaw")


def test_it_lists_references_in_the_order_of_the_page_and_one_per_page(client, issue):
    news = issue.sections.get(key="news")
    recommend = issue.sections.get(key="recommend")
    # Added in this order, shown in another: 学术 before 工业界, and the
    # recommendations' 建议区 before their entries.
    ItemFactory(section=news, subgroup="工业界", url="https://example.com/industry", position=1)
    ItemFactory(section=news, subgroup="学术", url="https://arxiv.org/abs/2308.01320", position=2)
    ItemFactory(section=recommend, url="https://example.com/entry", position=1)
    ItemFactory(
        section=recommend, kind=Item.Kind.SUGGESTION, url="https://example.com/idea", position=2
    )
    # The same paper as its PDF: the desk's link check calls it a follow-up.
    ItemFactory(section=recommend, url="https://arxiv.org/pdf/2308.01320.pdf", position=3)

    content = client.get(issue.get_absolute_url()).context["content"]

    assert [ref.url for ref in content.references] == [
        "https://arxiv.org/abs/2308.01320",
        "https://example.com/industry",
        "https://example.com/idea",
        "https://example.com/entry",
    ]


def test_its_references_are_the_links_the_page_makes(client, issue):
    news = issue.sections.get(key="news")
    ItemFactory(
        section=news,
        title="",
        url="",
        body="见 www.example.org/paper，代码 github.com/org/repo；改 model.py 和 README.md",
    )

    response = client.get(issue.get_absolute_url())

    links = [ref.url for ref in response.context["content"].references]
    assert links == ["http://www.example.org/paper", "http://github.com/org/repo"]
    for url in links:
        assertContains(response, f'href="{url}"')
    assertNotContains(response, 'href="http://model.py"')
    assertNotContains(response, 'href="http://README.md"')


def test_it_answers_404_for_an_unknown_issue(client, issue, english):
    assert client.get("/s/no-such-series/8/").status_code == 404
    response = client.get("/s/openllm-talk/999/")

    assert response.status_code == 404
    # The site's own page, with the way back, not the server's bare one.
    assertContains(response, "There is no page at this address", status_code=404)
    assertContains(response, 'href="/"', status_code=404)


def test_the_number_as_the_issue_shows_it_leads_to_the_issue(client, issue):
    response = client.get("/s/openllm-talk/008/")

    assert response.status_code == 302
    assert response["Location"] == "/s/openllm-talk/8/"


def test_a_fragment_that_is_gone_says_so_in_the_alert_region(client, issue, english):
    response = client.get("/s/openllm-talk/8/sections/999999/", headers={"HX-Request": "true"})

    assert response.status_code == 404
    assert response["HX-Retarget"] == "#flash"
    assert "no longer here" in response.text
    assert "<html" not in response.text


def test_a_live_refresh_of_a_fragment_that_is_gone_changes_nothing(client, issue):
    response = client.get(
        "/s/openllm-talk/8/questions/999999/", headers={"HX-Request": "true", "X-Desk-Live": "1"}
    )

    assert response.status_code == 404
    assert response["HX-Reswap"] == "none"
    assert not response.content


def test_it_renders_hostile_text_inert(client, issue):
    news = issue.sections.get(key="news")
    free_talk = issue.sections.get(key="free-talk")
    Item.objects.create(
        section=news,
        title=HOSTILE,
        url="javascript:alert(1)",
        body=HOSTILE,
        author_name=HOSTILE_NAME,
    )
    Item.objects.create(section=news, kind=Item.Kind.SNIPPET, code=HOSTILE, language="html")
    question = Question.objects.create(section=free_talk, body=HOSTILE, author_name=HOSTILE_NAME)
    Answer.objects.create(question=question, body=HOSTILE, author_name=HOSTILE_NAME)
    ChatLine.objects.create(
        section=issue.sections.get(key="chat"), speaker_name=HOSTILE_NAME, text=HOSTILE
    )

    response = client.get(issue.get_absolute_url())

    assert response.status_code == 200
    assert unsafe_markup(response.content.decode()) == []
    assertContains(response, "javascript:alert(1)")  # shown as text, not as a link


def test_it_never_shows_an_email_address(client, issue):
    member = UserFactory(alias="secretive", email="real.name@example.com")
    ItemFactory(section=issue.sections.get(key="news"), author=member)

    response = client.get(issue.get_absolute_url())

    assertContains(response, "secretive")
    assertNotContains(response, "real.name@example.com")


@pytest.mark.parametrize("size", [10, 200])
def test_it_reads_the_page_in_a_fixed_number_of_queries(
    client, issue, django_assert_num_queries, size
):
    news = issue.sections.get(key="news")
    free_talk = issue.sections.get(key="free-talk")
    author = UserFactory(alias="prolific")
    ItemFactory.create_batch(size, section=news, author=author)
    for question in QuestionFactory.create_batch(size, section=free_talk, author=author):
        AnswerFactory(question=question, author=author)

    # issue, sections, claims, items, questions, answers, chat lines, and the
    # issue's revisions; the session-less anonymous request makes no other.
    with django_assert_num_queries(8):
        assert client.get(issue.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [10, 500])
def test_it_reads_the_page_for_a_member_in_a_fixed_number_of_queries(
    client, issue, member, django_assert_num_queries, size
):
    news = issue.sections.get(key="news")
    free_talk = issue.sections.get(key="free-talk")
    Claim.objects.create(section=news, member=member, slot=1)
    author = UserFactory(alias="prolific")
    Item.objects.bulk_create(
        Item(section=news, title=f"Item {n}", author=member if n % 2 else author, position=n)
        for n in range(size)
    )
    questions = Question.objects.bulk_create(
        Question(section=free_talk, body=f"Question {n}?", author=author, position=n)
        for n in range(size)
    )
    Answer.objects.bulk_create(
        Answer(question=question, body="An answer.", author=member) for question in questions
    )
    Vote.objects.bulk_create(Vote(question=question, member=member) for question in questions[::2])
    client.force_login(member)

    # session, user, issue, sections, claims, items, questions (with their
    # vote counts), answers, chat lines, the member's own votes, and the
    # header's unread count.
    with django_assert_num_queries(12):
        response = client.get(issue.get_absolute_url())

    assert response.status_code == 200
    assert response.text.count('aria-pressed="true"') == len(questions[::2])


def test_it_shows_the_notes_an_import_kept_in_free_talk_chat_and_references(client, issue):
    sections = {s.key: s for s in issue.sections.all()}
    Item.objects.create(
        section=sections["free-talk"], kind=Item.Kind.NOTE, subgroup="群里讨论", body="有空再同步；"
    )
    QuestionFactory(section=sections["free-talk"], subgroup="群里讨论", body="RoPE 外推？")
    Item.objects.create(section=sections["chat"], kind=Item.Kind.NOTE, body="群聊摘录如下")
    Item.objects.create(section=sections["references"], title="《深度学习》花书第五章")

    page = client.get(issue.get_absolute_url()).text

    group = page.index('<h3 class="subgroup-title">群里讨论</h3>')
    assert group < page.index("有空再同步；") < page.index("RoPE 外推？")
    assert "群聊摘录如下" in page
    assert "《深度学习》花书第五章" in page


def test_it_marks_an_imported_question_carried_over_without_a_link(client, issue):
    question = QuestionFactory(
        section=issue.sections.get(key="free-talk"), body="LoRA 作为风格？", carried_over=True
    )

    page = client.get(issue.get_absolute_url()).text

    head = by_attr(by_id(page, f"question-{question.pk}"), "class", "question-head")
    assert '<span class="carried-over">上期遗留</span>' in head


def test_a_suspended_member_is_offered_no_claim(client, issue, member, admin_user, english):
    question = QuestionFactory(section=issue.sections.get(key="free-talk"))
    AnswerFactory(question=question, author_name="群友")
    member_suspend(member=member, by=admin_user, until=None, reason="刷屏")
    client.force_login(member)

    page = client.get(issue.get_absolute_url()).text

    assert "Claim this section" not in page
    assert 'id="claim-host"' not in page
    assert "report-link" not in page  # a report would be refused too
    assert "刷屏" in by_id(page, "suspension")


def test_the_admin_reads_the_suspension_about_the_member(client, member, admin_user, english):
    member_suspend(member=member, by=admin_user, until=None, reason="刷屏")
    client.force_login(admin_user)

    page = client.get(reverse("accounts:suspend", args=[member.pk])).text

    assert by_id(page, "suspension").endswith(">初七 is suspended for good. Reason: 刷屏</p>")
