import re

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Item
from sections.selectors import group_key
from tests.factories import ItemFactory
from tests.responses import (
    BOTH_WAYS,
    assert_changed,
    assert_refused,
    assert_sent_to_log_in,
    by_attr,
    by_id,
    headers,
    htmx_from,
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
    url = reverse("item-create", args=[section.pk])
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
    return client.post(reverse("item-edit", args=[item.pk]), data, headers=headers(htmx))


def page_of(section, anchor=None):
    return f"{section.issue.get_absolute_url()}#{anchor or f'section-{section.pk}'}"


def add_form(response, section) -> str:
    page = response if isinstance(response, str) else response.text
    return by_id(page, f"add-item-{section.pk}")


def appended(response, list_id: str) -> str:
    """What an add answer appends (out of band) to the list with this id."""
    return by_attr(response.text, "hx-swap-oob", f"beforeend:#{list_id}")


def contributors_line(response, section) -> str:
    return by_id(response.text, f"section-contributors-{section.pk}")


# Adding


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_adds_an_item_for_members(client_as, people, news, role, htmx):
    response = add(client_as(role), news, htmx)

    item = Item.objects.get(section=news)
    assert_changed(
        response, htmx=htmx, fragment="sections/added.html", page=page_of(news, f"item-{item.pk}")
    )
    assert (item.title, item.subgroup, item.url) == (TYPED["title"], "工业界", TYPED["url"])
    assert item.author == item.submitted_by == people[role]
    if htmx:
        # The new row goes to the end of its sub-group's list and the author
        # joins the contributors, both out of band; the form is left where it
        # is (desk.js empties it) and the section is not sent again.
        assert response.headers["HX-Reswap"] == "none"
        row = appended(response, f"entries-{news.pk}-{group_key('工业界')}")
        assert row.startswith("<ol ")
        assert TYPED["title"] in by_id(row, f"item-{item.pk}")
        assert people[role].alias in by_id(row, f"item-{item.pk}")
        # A first contribution to the section adds the name to its line.
        if role == "owner":
            # Owners are listed among the contributors already.
            assert "section-contributors" not in response.text
        else:
            name = by_attr(
                response.text, "hx-swap-oob", f"beforeend:#section-contributors-{news.pk} .names"
            )
            assert f'<span class="name">{people[role].alias}</span>' in name
        assert f'id="add-item-{news.pk}"' not in response.text
        assert f'id="section-{news.pk}"' not in response.text


def test_it_names_a_contributor_only_once(client_as, news):
    client = client_as("outsider")
    add(client, news, True)

    response = add(client, news, True)

    assert response.status_code == 200
    assert "section-contributors" not in response.text


def test_it_leaves_the_add_form_for_the_browser_to_empty(client_as, news):
    page = client_as("outsider").get(news.issue.get_absolute_url()).text

    form = add_form(page, news)
    assert "data-clear-on-success" in form
    assert f'hx-target="#add-item-{news.pk}" hx-swap="outerHTML"' in form


def test_it_has_a_list_on_the_page_for_every_place_an_item_can_go(client_as, news, recommend):
    page = client_as("outsider").get(news.issue.get_absolute_url()).text

    # Empty or not, each is there to take a new row.
    for name in ["", *news.subgroups]:
        assert by_id(page, f"entries-{news.pk}-{group_key(name)}").startswith('<ol class="entries"')
    assert by_id(page, f"entries-{news.pk}-suggestion").startswith('<ul class="suggestions"')
    assert by_id(page, f"entries-{recommend.pk}-nomination").startswith('<ul class="nominations"')
    # A sub-group's list sits under its title.
    group = page[page.index(f'id="entries-{news.pk}-{group_key("工业界")}"') - 200 :]
    assert '<h3 class="subgroup-title">工业界</h3>' in group


@pytest.mark.parametrize(
    ("kind", "subgroup", "list_key"),
    [
        (Item.Kind.ENTRY, "", "main"),
        (Item.Kind.NOTE, "学术", group_key("学术")),
        (Item.Kind.SUGGESTION, "学术", "suggestion"),
    ],
)
def test_it_appends_a_new_item_to_the_list_it_belongs_in(client_as, news, kind, subgroup, list_key):
    client = client_as("owner")
    list_id = f"entries-{news.pk}-{list_key}"
    # The list is on the page before the section has anything in it.
    assert by_id(client.get(news.issue.get_absolute_url()).text, list_id)

    response = add(client, news, True, kind=kind, subgroup=subgroup)

    assert response.status_code == 200
    item = Item.objects.get(section=news)
    assert by_id(appended(response, list_id), f"item-{item.pk}")
    # Reloaded, the item is in that list, and the list is there once.
    page = client.get(news.issue.get_absolute_url()).text
    assert by_id(by_id(page, list_id), f"item-{item.pk}")
    assert page.count(f'id="{list_id}"') == 1


def test_it_appends_a_nomination_to_the_nominations(client_as, recommend):
    client = client_as("outsider")
    page = client.get(recommend.issue.get_absolute_url()).text

    response = add(client, recommend, True, kind=Item.Kind.NOMINATION, subgroup="模型")

    item = Item.objects.get(section=recommend)
    list_id = f"entries-{recommend.pk}-nomination"
    assert by_id(page, list_id)
    assert by_id(appended(response, list_id), f"item-{item.pk}")


def test_it_adds_the_new_item_with_the_controls_its_author_has(client_as, news):
    response = add(client_as("outsider"), news, True)

    item = Item.objects.get(section=news)
    row = by_id(response.text, f"item-{item.pk}")
    assert f'hx-get="{reverse("item-edit", args=[item.pk])}"' in row
    assert f'hx-post="{reverse("item-delete", args=[item.pk])}"' in row
    # Reordering is for the section's owners and the host.
    assert reverse("item-move", args=[item.pk]) not in row


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_adding(client, news, htmx):
    response = add(client, news, htmx)

    assert response.status_code == 403
    assert not triggered(response)
    if htmx:
        # The form is its own target: the words replace it where it is.
        assert rendered(response) == "sections/section.html#add-item"
        assert "HX-Retarget" not in response.headers
        assert f'hx-target="#add-item-{news.pk}" hx-swap="outerHTML"' in add_form(response, news)
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
        # The form is its own target: the answer replaces it, nothing else.
        assert rendered(response) == "sections/section.html#add-item"
        assert "HX-Retarget" not in response.headers
        assert "HX-Reswap" not in response.headers
        assert f'hx-target="#add-item-{news.pk}" hx-swap="outerHTML"' in add_form(response, news)
        assert f'id="section-{news.pk}"' not in response.text
    else:
        assert rendered(response) == "talk/issue.html"
        # The page opens at the top: it says so there and takes the
        # browser to the field, however far down the form is.
        assert "Not saved: see what the form in “本周新闻” says." in by_id(response.text, "flash")
        assert re.search(r'<input[^>]*name="url"[^>]*autofocus', add_form(response, news))
    form = add_form(response, news)
    assert by_id(form, f"section-{news.pk}-new-url_error")
    assert "Enter a valid URL." in form
    assert f'value="{TYPED["title"]}"' in form
    assert f"{TYPED['body']}</textarea>" in form
    assert re.search(r'<option value="工业界" selected>', form)
    assert form.startswith(f'<details class="add-form" id="add-item-{news.pk}" open')
    assert not Item.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_opens_the_code_fields_on_an_error_there(client_as, news, htmx):
    response = add(client_as("outsider"), news, htmx, language="x" * 31)

    assert response.status_code == 422
    assert '<details class="more-fields" open>' in add_form(response, news)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_takes_spaces_alone_for_no_code(client_as, news, htmx):
    response = add(client_as("outsider"), news, htmx, title="", url="", body="", code="   \n  ")

    assert response.status_code == 422
    assert "Give at least a title, a link, a summary or some code." in add_form(response, news)
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
    url = reverse("item-create", args=[999_999])
    assert client_as("outsider").post(url, TYPED).status_code == 404


# Editing


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_shows_the_edit_form_to_editors(client_as, item, role, htmx):
    response = client_as(role).get(reverse("item-edit", args=[item.pk]), headers=headers(htmx))

    assert response.status_code == 200
    expected = "sections/item_edit.html#item-edit" if htmx else "sections/item_edit.html"
    assert rendered(response) == expected
    form = by_id(response.text, f"item-{item.pk}")
    assert 'value="RoPE 外推"' in form
    assert f'name="version" value="{item.version}"' in form
    assert ("credit_to" in form) == (role in CURATORS)


def test_it_restores_the_whole_edit_page_from_history(client_as, item):
    url = reverse("item-edit", args=[item.pk])
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    response = client_as("author").get(url, headers=restore)

    assert rendered(response) == "sections/item_edit.html"
    assert "<html" in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_the_edit_form_to_outsiders(client_as, item, htmx):
    response = client_as("outsider").get(
        reverse("item-edit", args=[item.pk]), headers=headers(htmx)
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
    url = reverse("item-edit", args=[item.pk])
    issue_page = f"{item.section.issue.get_absolute_url()}?sort=votes"

    response = getattr(client, method)(url, headers=htmx_from(issue_page) if htmx else {})

    # From the issue page (htmx), back there after logging in; not a login
    # form swapped in place of the item.
    assert_sent_to_log_in(response, htmx=htmx, back_to=issue_page if htmx else url)
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
    assert "nonfield" not in form  # newer.html says it, once, above theirs
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


def test_it_shows_the_curators_move_and_credit_beside_the_authors_edit(client_as, people, item):
    # The owner moves the item to another sub-group and credits it to a name
    # from the chat while the author is still editing its text.
    edit(client_as("owner"), item, htmx=True, subgroup="工业界", credit_to="群友")

    response = edit(client_as("author"), item, htmx=True, body="作者改过的摘要")

    assert response.status_code == 409
    form = by_id(response.text, f"item-{item.pk}")
    newer = form[form.index('class="newer"') : form.index("</dl>")]
    assert "工业界" in newer
    assert "群友" in newer
    assert "\n作者改过的摘要</textarea>" in form


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_to_credit_an_email_address_in_the_form(client_as, news, htmx):
    response = add(client_as("host"), news, htmx, credit_to="lee@corp.example")

    assert response.status_code == 400
    form = add_form(response, news)
    assert "Credit a name, not an email address" in form
    assert 'value="lee@corp.example"' in form
    assert f'value="{TYPED["title"]}"' in form
    assert not Item.objects.exists()


def test_it_answers_404_for_an_unknown_item(client_as, db):
    client = client_as("admin")
    for name in ("item-edit", "item-delete", "item-move"):
        assert client.post(reverse(name, args=[999_999])).status_code == 404


# Deleting


def delete(client, item, htmx):
    return client.post(reverse("item-delete", args=[item.pk]), headers=headers(htmx))


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", EDITORS)
def test_it_deletes_an_item_for_editors(client_as, item, role, htmx):
    response = delete(client_as(role), item, htmx)

    assert_changed(
        response, htmx=htmx, fragment="sections/removed.html", page=page_of(item.section)
    )
    assert not Item.objects.filter(pk=item.pk).exists()
    if htmx:
        # The row removes itself; only the contributors line comes back, out
        # of band, without the author of the deleted item.
        assert f'id="item-{item.pk}"' not in response.text
        line = contributors_line(response, item.section)
        assert response.text.strip() == line
        assert 'hx-swap-oob="true"' in line
        assert "初七" not in line


def test_it_has_the_delete_button_remove_its_own_row(client_as, item):
    page = client_as("author").get(item.section.issue.get_absolute_url()).text

    row = by_id(page, f"item-{item.pk}")
    url = reverse("item-delete", args=[item.pk])
    assert f'hx-post="{url}" hx-target="#item-{item.pk}" hx-swap="delete"' in row
    # The line the answer replaces, with the author in it until then.
    assert "初七" in by_id(page, f"section-contributors-{item.section_id}")


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
    url = reverse("item-move", args=[item.pk])
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
