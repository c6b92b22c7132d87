import pytest
from django.apps import apps
from django.contrib import admin

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
