import pytest
from django.apps import apps
from django.contrib import admin

from tests.factories import ItemFactory
from tests.talk.conftest import put_in

OUR_APPS = ["accounts", "sections", "talk"]


def test_it_registers_every_model_in_the_admin():
    missing = [
        model._meta.label
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not admin.site.is_registered(model)
    ]

    assert missing == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/talk/series/",
        "/admin/talk/issue/",
        "/admin/sections/section/",
        "/admin/sections/claim/",
        "/admin/sections/item/",
        "/admin/sections/question/",
        "/admin/sections/answer/",
        "/admin/sections/vote/",
        "/admin/sections/chatline/",
    ],
)
def test_it_opens_each_changelist_for_an_admin(client, admin_user, issue, url):
    client.force_login(admin_user)

    assert client.get(url).status_code == 200


def test_it_opens_a_series_with_its_templates(client, admin_user, series):
    client.force_login(admin_user)

    response = client.get(f"/admin/talk/series/{series.pk}/change/")

    assert response.status_code == 200
    assert "本周新闻" in response.content.decode()


@pytest.mark.usefixtures("english")
def test_it_keeps_a_closed_issue_s_content_as_it_was(client, admin_user, issue):
    item = ItemFactory(section=issue.sections.get(key="news"), title="原来的标题")
    put_in(issue, "published")
    client.force_login(admin_user)
    change = f"/admin/sections/item/{item.pk}/change/"

    shown = client.get(change)
    edited = client.post(change, {"title": "改过的标题", "section": item.section_id})
    added = client.post(
        "/admin/sections/item/add/",
        {"section": item.section_id, "kind": "entry", "title": "新的", "version": 1, "position": 9},
    )

    assert shown.status_code == 200
    assert "原来的标题" in shown.text
    assert 'name="_save"' not in shown.text
    assert edited.status_code == 403
    assert added.status_code == 200
    assert "is closed: open a correction to change its content." in added.text
    item.refresh_from_db()
    assert item.title == "原来的标题"
    assert item.section.items.count() == 1


def test_it_edits_an_open_issue_s_content(client, admin_user, issue):
    item = ItemFactory(section=issue.sections.get(key="news"), title="原来的标题")
    client.force_login(admin_user)

    assert 'name="_save"' in client.get(f"/admin/sections/item/{item.pk}/change/").text
