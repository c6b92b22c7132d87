"""Search as members meet it: what they post is found at once, moderation
decides who finds what, the filters, the excerpt, the page and the command."""

import io
import re

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains, assertNotContains

from search.models import Entry
from search.selectors import Filters, search
from sections import moderation, services
from sections.models import PostStatus
from talk.services import issue_create
from tests.conftest import section_of
from tests.responses import by_id


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes whose after-commit indexing runs in place."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def found(series, viewer, text, **filters) -> list[str]:
    """The hits' excerpts without their marks, in the order shown."""
    results = search(series=series, viewer=viewer, text=text, filters=Filters(**filters))
    return [
        re.sub(r"</?mark>", "", str(hit.excerpt)) for group in results.groups for hit in group.hits
    ]


def post_item(section, user, committed, **fields):
    with committed():
        return services.item_submit(section=section, user=user, **fields)


def ask(section, user, committed, body):
    with committed():
        return services.question_ask(section=section, user=user, body=body)


def answer(question, user, committed, body):
    with committed():
        return services.answer_post(question_id=question.pk, user=user, body=body)


def test_it_finds_an_item_a_question_and_an_answer_as_soon_as_they_are_posted(
    series, issue, member, outsider, committed
):
    post_item(section_of(issue, "news"), member, committed, title="RetNet 取代 Transformer？")
    question = ask(section_of(issue, "free-talk"), member, committed, "RetNet 能训多大？")
    answer(question, outsider, committed, "RetNet 论文里训到了 6.7B")

    assert found(series, outsider, "retnet") == [
        "RetNet 取代 Transformer？",
        "RetNet 能训多大？",
        "RetNet 论文里训到了 6.7B",
    ]


def test_it_finds_an_edited_item_by_its_new_words_not_its_old(series, issue, member, committed):
    item = post_item(section_of(issue, "news"), member, committed, title="盘古大模型")

    with committed():
        services.item_update(
            item_id=item.pk,
            user=member,
            version=item.version,
            kind=item.kind,
            subgroup=item.subgroup,
            title="文心大模型",
            url="",
            body="",
            points="",
            code="",
            language="",
        )

    assert found(series, member, "文心") == ["文心大模型"]
    assert found(series, member, "盘古") == []


def test_it_forgets_what_is_deleted(series, issue, member, committed):
    item = post_item(section_of(issue, "news"), member, committed, title="删掉的条目")
    question = ask(section_of(issue, "free-talk"), member, committed, "删掉的问题？")
    reply = answer(question, member, committed, "删掉的回答")

    with committed():
        services.answer_delete(answer_id=reply.pk, user=member)
    assert found(series, member, "删掉") == ["删掉的条目", "删掉的问题？"]
    with committed():
        services.question_delete(question_id=question.pk, user=member)
        services.item_delete(item_id=item.pk, user=member)

    assert found(series, member, "删掉") == []
    assert not Entry.objects.exists()


def test_it_shows_a_hidden_answer_to_an_admin_and_its_author_only(
    series, issue, member, outsider, host, admin_user, committed
):
    question = ask(section_of(issue, "free-talk"), member, committed, "量化掉点多吗？")
    reply = answer(question, outsider, committed, "广告：量化服务八折")
    with committed():
        moderation.post_hide(kind="answer", post_id=reply.pk, user=host, reason="广告")

    assert found(series, member, "八折") == []
    assert found(series, admin_user, "八折") == ["广告：量化服务八折"]
    assert found(series, outsider, "八折") == ["广告：量化服务八折"]
    # A member finds the question it answered, never the answer.
    assert found(series, member, "量化") == ["量化掉点多吗？"]


def test_it_finds_a_hidden_chat_line_only_for_an_admin_and_whoever_typed_it(
    series, issue, member, outsider, host, admin_user, committed
):
    chat = section_of(issue, "chat")
    with committed():
        line = services.chat_say(section_id=chat.pk, user=outsider, text="内部消息：某模型下周发布")
    with committed():
        services.chat_line_hide(line_id=line.pk, user=host, reason="未公开的消息")

    assert found(series, member, "下周发布") == []
    assert found(series, admin_user, "下周发布") == ["内部消息：某模型下周发布"]
    assert found(series, outsider, "下周发布") == ["内部消息：某模型下周发布"]


def test_it_shows_a_waiting_question_to_its_author_only(series, issue, member, outsider, committed):
    issue.moderation = "pre"
    issue.save(update_fields=["moderation"])

    question = ask(section_of(issue, "free-talk"), member, committed, "等待审核的问题？")

    assert question.status == PostStatus.PENDING
    assert found(series, outsider, "审核") == []
    assert found(series, member, "审核") == ["等待审核的问题？"]
    hit = search(series=series, viewer=member, text="审核").groups[0].hits[0]
    assert not hit.shown  # the page tells its author it is not shown yet


def test_it_narrows_by_section_kind_issue_alias_and_unanswered(
    series, issue, member, outsider, committed
):
    later = issue_create(series=series, by=None, number=9)
    post_item(section_of(issue, "news"), member, committed, title="8 期的 RoPE")
    post_item(section_of(later, "news"), outsider, committed, title="9 期的 RoPE")
    answered = ask(section_of(later, "free-talk"), member, committed, "RoPE 有答案？")
    answer(answered, outsider, committed, "有")
    ask(section_of(later, "free-talk"), member, committed, "RoPE 没答案？")

    newest_first = ["9 期的 RoPE", "RoPE 有答案？", "RoPE 没答案？", "8 期的 RoPE"]
    assert found(series, member, "rope") == newest_first
    assert found(series, member, "rope", section_kind="items") == ["9 期的 RoPE", "8 期的 RoPE"]
    assert found(series, member, "rope", number_to=8) == ["8 期的 RoPE"]
    assert found(series, member, "rope", number_from=9, number_to=9) == [
        "9 期的 RoPE",
        "RoPE 有答案？",
        "RoPE 没答案？",
    ]
    assert found(series, member, "rope", alias="路人") == ["9 期的 RoPE"]
    assert found(series, member, "rope", unanswered=True) == ["RoPE 没答案？"]


def test_it_escapes_the_excerpt_and_marks_only_the_match(series, issue, member, committed):
    post_item(
        section_of(issue, "news"),
        member,
        committed,
        title="XSS 测试",
        body='<script>alert("lora")</script> 与 <b>LoRA</b>',
    )

    hit = search(series=series, viewer=member, text="lora").groups[0].hits[0]

    assert str(hit.excerpt) == (
        "XSS 测试 &lt;script&gt;alert(&quot;<mark>lora</mark>&quot;)&lt;/script&gt;"
        " 与 &lt;b&gt;<mark>LoRA</mark>&lt;/b&gt;"
    )


def test_it_marks_full_width_text_found_by_a_half_width_query(series, issue, member, committed):
    post_item(section_of(issue, "news"), member, committed, title="ＬｏＲＡ 融合")

    assert str(search(series=series, viewer=member, text="lora").groups[0].hits[0].excerpt) == (
        "<mark>ＬｏＲＡ</mark> 融合"
    )


def test_the_page_groups_the_hits_by_issue_and_links_each_to_its_place(
    client, english, series, issue, member, committed
):
    later = issue_create(series=series, by=None, number=9)
    item = post_item(section_of(issue, "news"), member, committed, title="位置编码综述")
    question = ask(section_of(later, "free-talk"), member, committed, "位置编码怎么外推？")
    client.force_login(member)

    response = client.get("/search/", {"q": "位置编码"})

    assert response.status_code == 200
    results = by_id(response.content.decode(), "search-results")
    assert results.index(later.title) < results.index(issue.title)
    assert f'href="{later.get_absolute_url()}#question-{question.pk}"' in results
    assert f'href="{issue.get_absolute_url()}#item-{item.pk}"' in results
    assert "<mark>位置编码</mark>综述" in results


def test_the_page_refuses_a_backward_issue_range_and_keeps_the_query(client, english, series):
    response = client.get("/search/", {"q": "lora 融合", "number_from": 9, "number_to": 3})

    assert response.status_code == 422
    assertContains(response, "The last issue comes after the first.", status_code=422)
    assertContains(response, 'value="lora 融合"', status_code=422)
    assertNotContains(response, 'id="search-results"', status_code=422)


def test_the_page_without_a_query_is_the_form_alone(client, english, series):
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "", "order": "relevance"}):
        response = client.get("/search/", params)

        assert response.status_code == 200
        assertContains(response, 'id="search-form"')
        assertNotContains(response, 'id="search-results"')


@pytest.mark.parametrize("query", ["xyzzy", "。！"])
def test_the_page_says_when_nothing_is_found(client, english, series, query):
    response = client.get("/search/", {"q": query})

    assertContains(response, 'id="search-none"')


@pytest.mark.parametrize("page", ["home", "issue"])
def test_every_page_has_the_search_box(client, english, issue, page):
    url = "/" if page == "home" else issue.get_absolute_url()

    response = client.get(url)

    assertContains(response, 'id="site-search"')
    assertContains(response, 'action="/search/"')


def test_the_command_rebuilds_the_index(series, issue, member, committed):
    post_item(section_of(issue, "news"), member, committed, title="重建索引")
    Entry.objects.all().delete()
    out = io.StringIO()

    call_command("search_rebuild", stdout=out)

    assert out.getvalue().startswith("1 rows indexed")
    assert found(series, member, "索引") == ["重建索引"]
