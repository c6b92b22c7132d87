import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Item
from tests.factories import ItemFactory
from tests.responses import (
    BOTH_WAYS,
    assert_changed,
    assert_refused,
    by_id,
    headers,
    rendered,
    says,
    template_names,
    triggered,
)

pytestmark = pytest.mark.usefixtures("english")

MEMBERS = ["outsider", "owner", "host", "admin"]
EDITORS = ["author", "owner", "host", "admin"]
CURATORS = ["owner", "host", "admin"]
LOG_IN = "Log in to contribute."
NOT_YOURS = "Only its author, the section's owners and the host can change this."
TYPED = {
    "kind": "entry",
    "subgroup": "工业界",
    "title": "Falcon 上线 Hugging Face",
    "url": "https://huggingface.co/blog/falcon",
    "body": "使用了多查询注意力",
}


@pytest.fixture
def item(news, member):
    return ItemFactory(
        section=news, subgroup="学术", title="RoPE 外推", author=member, submitted_by=member
    )


def add(client, section, htmx, **fields):
    url = reverse("sections:item-create", args=[section.pk])
    return client.post(url, {**TYPED, **fields}, headers=headers(htmx))


def edit(client, item, htmx, **fields):
    data = {
        "kind": item.kind,
        "subgroup": item.subgroup,
        "title": item.title,
        "url": item.url,
        "body": item.body,
        "version": item.version,
        **fields,
    }
    return client.post(reverse("sections:item-edit", args=[item.pk]), data, headers=headers(htmx))


def page_of(section, anchor=None):
    return f"{section.issue.get_absolute_url()}#{anchor or f'section-{section.pk}'}"


def add_form(response, section) -> str:
    return by_id(response.text, f"add-item-{section.pk}")


# Adding


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_adds_an_item_for_members(client_as, people, news, role, htmx):
    response = add(client_as(role), news, htmx)

    assert_changed(response, htmx=htmx, fragment="sections/section.html", page=page_of(news))
    item = Item.objects.get(section=news)
    assert (item.title, item.subgroup, item.url) == (TYPED["title"], "工业界", TYPED["url"])
    assert item.author == item.submitted_by == people[role]
    if htmx:
        assert TYPED["title"] in by_id(response.text, f"item-{item.pk}")
        assert people[role].alias in by_id(response.text, f"item-{item.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_adding(client, news, htmx):
    response = add(client, news, htmx)

    assert response.status_code == 403
    assert not triggered(response)
    if htmx:
        assert rendered(response) == "sections/section.html#add-item"
        assert response.headers["HX-Retarget"] == f"#add-item-{news.pk}"
    else:
        assert rendered(response) == "talk/issue.html"
        assert str(LOG_IN) in by_id(response.text, "flash")
    assert str(LOG_IN) in add_form(response, news)
    assert TYPED["title"] in add_form(response, news)
    assert not Item.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("bad", ["javascript:alert(1)", "not a url", "ftp://example.com/x"])
def test_it_shows_a_bad_link_beside_the_field(client_as, news, bad, htmx):
    response = add(client_as("outsider"), news, htmx, url=bad)

    assert response.status_code == 422
    assert not triggered(response)
    if htmx:
        assert rendered(response) == "sections/section.html#add-item"
        assert response.headers["HX-Retarget"] == f"#add-item-{news.pk}"
        assert response.headers["HX-Reswap"] == "outerHTML"
    else:
        assert rendered(response) == "talk/issue.html"
    form = add_form(response, news)
    assert by_id(form, f"section-{news.pk}-new-url_error")
    assert "Enter a valid URL." in form
    assert f'value="{TYPED["title"]}"' in form
    assert f"{TYPED['body']}</textarea>" in form
    assert re.search(r'<option value="工业界" selected>', form)
    assert form.startswith(f'<details class="add-form" id="add-item-{news.pk}" open')
    assert not Item.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_some_content(client_as, news, htmx):
    response = add(client_as("outsider"), news, htmx, title="", url="", body="", points="x")

    assert response.status_code == 422
    form = add_form(response, news)
    assert "Give at least a title, a link, a summary or some code." in form
    assert "\nx</textarea>" in form
    assert not Item.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_items_in_a_question_section(client_as, free_talk, htmx):
    response = add(client_as("outsider"), free_talk, htmx, subgroup="")

    assert response.status_code == 400
    assert says(response, "This section does not take items.")
    assert not Item.objects.exists()


def test_it_lets_an_owner_credit_someone_without_an_account(client_as, news):
    add(client_as("owner"), news, htmx=True, credit_to="群友")

    item = Item.objects.get()
    assert (item.author, item.author_name) == (None, "群友")


def test_it_ignores_a_credit_from_a_plain_member(client_as, outsider, news):
    # The field is not offered to them; a hand-made post cannot add it.
    add(client_as("outsider"), news, htmx=True, credit_to="群友")

    item = Item.objects.get()
    assert (item.author, item.author_name) == (outsider, "")


@pytest.mark.parametrize(("role", "offered"), [("outsider", False), ("owner", True)])
def test_it_offers_the_credit_field_to_curators_only(client_as, news, role, offered):
    response = client_as(role).get(news.issue.get_absolute_url())

    assert ('name="credit_to"' in add_form(response, news)) == offered


def test_it_answers_404_for_an_unknown_section(client_as, db):
    url = reverse("sections:item-create", args=[999_999])
    assert client_as("outsider").post(url, TYPED).status_code == 404


# Editing


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_shows_the_edit_form_to_editors(client_as, item, role, htmx):
    response = client_as(role).get(
        reverse("sections:item-edit", args=[item.pk]), headers=headers(htmx)
    )

    assert response.status_code == 200
    expected = "sections/item_edit.html#item-edit" if htmx else "sections/item_edit.html"
    assert rendered(response) == expected
    form = by_id(response.text, f"item-{item.pk}")
    assert 'value="RoPE 外推"' in form
    assert f'name="version" value="{item.version}"' in form
    assert ("credit_to" in form) == (role in CURATORS)


def test_it_restores_the_whole_edit_page_from_history(client_as, item):
    url = reverse("sections:item-edit", args=[item.pk])
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    response = client_as("author").get(url, headers=restore)

    assert rendered(response) == "sections/item_edit.html"
    assert "<html" in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_the_edit_form_to_outsiders(client_as, item, htmx):
    response = client_as("outsider").get(
        reverse("sections:item-edit", args=[item.pk]), headers=headers(htmx)
    )

    assert_refused(response, htmx=htmx, status=403, message=NOT_YOURS)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_saves_an_edit_for_editors(client_as, item, role, htmx):
    response = edit(client_as(role), item, htmx, title="RoPE 外推（修订）")

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/item.html",
        page=page_of(item.section, f"item-{item.pk}"),
    )
    item.refresh_from_db()
    assert (item.title, item.version) == ("RoPE 外推（修订）", 2)
    if htmx:
        assert "RoPE 外推（修订）" in by_id(response.text, f"item-{item.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_an_edit_from_an_outsider(client_as, item, htmx):
    response = edit(client_as("outsider"), item, htmx, title="改掉")

    assert response.status_code == 403
    assert not triggered(response)
    assert rendered(response) == (
        "sections/item_edit.html#item-edit" if htmx else "sections/item_edit.html"
    )
    assert says(response, NOT_YOURS)
    assert 'value="改掉"' in response.text
    item.refresh_from_db()
    assert (item.title, item.version) == ("RoPE 外推", 1)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_visitors_to_log_in_before_editing(client, item, method, htmx):
    url = reverse("sections:item-edit", args=[item.pk])

    response = getattr(client, method)(url, headers=headers(htmx))

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert Item.objects.get(pk=item.pk).version == 1


def test_it_lets_an_owner_change_the_credit(client_as, item):
    edit(client_as("owner"), item, htmx=True, credit_to="群友")

    item.refresh_from_db()
    assert (item.author, item.author_name) == (None, "群友")


def test_it_keeps_the_credit_when_the_author_edits(client_as, member, item):
    edit(client_as("author"), item, htmx=True, credit_to="群友")

    item.refresh_from_db()
    assert (item.author, item.author_name) == (member, "")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_shows_a_bad_link_in_the_edit_form(client_as, item, htmx):
    response = edit(client_as("author"), item, htmx, title="新标题", url="javascript:alert(1)")

    assert response.status_code == 422
    form = by_id(response.text, f"item-{item.pk}")
    assert by_id(form, f"item-{item.pk}-url_error")
    assert 'value="新标题"' in form
    item.refresh_from_db()
    assert item.version == 1


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_shows_the_newer_text_to_the_second_editor(client_as, people, item, htmx):
    author = client_as("author")
    owner = Client()
    owner.force_login(people["owner"])
    # Both start from version 1; the owner saves first.
    edit(owner, item, htmx=True, title="负责人的标题", body="负责人的摘要")

    response = edit(author, item, htmx, title="作者的标题", body="作者的摘要")

    assert response.status_code == 409
    assert not triggered(response)
    assert rendered(response) == (
        "sections/item_edit.html#item-edit" if htmx else "sections/item_edit.html"
    )
    assert "sections/newer.html" in template_names(response)
    form = by_id(response.text, f"item-{item.pk}")
    newer = form[form.index('class="newer"') : form.index("</dl>")]
    assert "负责人的标题" in newer
    assert "负责人的摘要" in newer
    assert 'value="作者的标题"' in form
    assert "\n作者的摘要</textarea>" in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert version == "2"

    again = edit(author, item, htmx, title="作者的标题", body="合并后的摘要", version=version)

    assert again.status_code == (200 if htmx else 302)
    item.refresh_from_db()
    assert (item.title, item.body, item.version) == ("作者的标题", "合并后的摘要", 3)


def test_it_answers_404_for_an_unknown_item(client_as, db):
    client = client_as("admin")
    for name in ("sections:item-edit", "sections:item-delete", "sections:item-move"):
        assert client.post(reverse(name, args=[999_999])).status_code == 404


# Deleting


def delete(client, item, htmx):
    return client.post(reverse("sections:item-delete", args=[item.pk]), headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_deletes_an_item_for_editors(client_as, item, role, htmx):
    response = delete(client_as(role), item, htmx)

    assert_changed(
        response, htmx=htmx, fragment="sections/section.html", page=page_of(item.section)
    )
    assert not Item.objects.filter(pk=item.pk).exists()
    if htmx:
        assert f'id="item-{item.pk}"' not in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(("role", "message"), [("anonymous", LOG_IN), ("outsider", NOT_YOURS)])
def test_it_refuses_to_delete_someone_else_s_item(client_as, item, role, message, htmx):
    response = delete(client_as(role), item, htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert Item.objects.filter(pk=item.pk).exists()


# Moving


@pytest.fixture
def pair(news, member):
    first = ItemFactory(section=news, subgroup="学术", title="第一", author=member, position=1)
    second = ItemFactory(section=news, subgroup="学术", title="第二", author=member, position=2)
    return first, second


def move(client, item, direction, htmx):
    url = reverse("sections:item-move", args=[item.pk])
    return client.post(url, {"direction": direction}, headers=headers(htmx))


def order(section) -> list[str]:
    return list(section.items.order_by("position", "id").values_list("title", flat=True))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", CURATORS)
def test_it_moves_an_item_for_curators(client_as, news, pair, role, htmx):
    response = move(client_as(role), pair[1], "up", htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html",
        page=page_of(news, f"item-{pair[1].pk}"),
    )
    assert order(news) == ["第二", "第一"]
    if htmx:
        assert response.text.index("第二") < response.text.index("第一")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("anonymous", LOG_IN),
        ("outsider", "Only the section's owners and the host can reorder items."),
        ("author", "Only the section's owners and the host can reorder items."),
    ],
)
def test_it_refuses_to_move_for_others(client_as, news, pair, role, message, htmx):
    response = move(client_as(role), pair[1], "up", htmx)

    assert_refused(response, htmx=htmx, status=403, message=message)
    assert order(news) == ["第一", "第二"]


def test_it_leaves_the_first_item_where_it_is(client_as, news, pair):
    move(client_as("owner"), pair[0], "up", htmx=True)

    assert order(news) == ["第一", "第二"]
