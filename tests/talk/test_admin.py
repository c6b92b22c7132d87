import pytest
from django.apps import apps
from django.contrib import admin

from talk.models import Issue
from talk.services import issue_create
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


@pytest.mark.usefixtures("english")
def test_it_keeps_a_member_whose_name_is_on_the_record(client, admin_user, issue, member):
    # Deleting them would blank their name on frozen pages and contributors.
    ItemFactory(section=issue.sections.get(key="news"), author=member, submitted_by=member)
    put_in(issue, "published")
    client.force_login(admin_user)
    delete = f"/admin/accounts/user/{member.pk}/delete/"

    asked = client.get(delete)
    client.post(delete, {"post": "yes"})

    assert "<title>Cannot delete user" in asked.text
    assert type(member).objects.filter(pk=member.pk).exists()
    assert issue.sections.get(key="news").items.get().author == member


def test_it_edits_an_open_issue_s_content(client, admin_user, issue):
    item = ItemFactory(section=issue.sections.get(key="news"), title="原来的标题")
    client.force_login(admin_user)

    assert 'name="_save"' in client.get(f"/admin/sections/item/{item.pk}/change/").text


def test_it_opens_an_issue_with_its_sections(client, admin_user, series):
    client.force_login(admin_user)

    response = client.post(
        "/admin/talk/issue/add/", {"series": series.pk, "special_label": "番外 02", "code": "x2"}
    )

    assert response.status_code == 302
    opened = Issue.objects.get(series=series, code="x2")
    assert opened.special_label == "番外 02"
    assert opened.status == Issue.Status.DRAFT
    keys = list(opened.sections.values_list("key", flat=True))
    assert keys == list(series.templates.order_by("position").values_list("key", flat=True))


@pytest.mark.usefixtures("english")
def test_it_refuses_an_issue_the_series_has_and_keeps_what_was_typed(client, admin_user, issue):
    client.force_login(admin_user)

    response = client.post(
        "/admin/talk/issue/add/",
        {"series": issue.series_id, "number": "8", "special_label": "再来"},
    )

    assert response.status_code == 200
    assert "already has an issue 8." in response.text
    assert 'value="再来"' in response.text
    assert Issue.objects.filter(series=issue.series).count() == 1


@pytest.mark.usefixtures("english")
def test_it_asks_for_a_number_or_an_identifier(client, admin_user, series):
    client.force_login(admin_user)

    response = client.post("/admin/talk/issue/add/", {"series": series.pk})

    assert "Give the issue a number, or an identifier" in response.text
    assert not Issue.objects.exists()


def test_it_leaves_the_status_to_the_issue_page(client, admin_user, issue):
    """A status set in the admin would skip the freeze's snapshot and files."""
    client.force_login(admin_user)
    change = f"/admin/talk/issue/{issue.pk}/change/"
    form = client.get(change).context["adminform"].form

    data = {name: form[name].value() or "" for name in form.fields}
    client.post(change, {**data, "status": "frozen", "highlights": "新的提要"})

    issue.refresh_from_db()
    assert "status" not in form.fields
    assert issue.status == Issue.Status.DRAFT
    assert issue.highlights == "新的提要"  # the rest of the form was saved


def test_it_keeps_a_closed_issue_as_it_was(client, admin_user, issue):
    put_in(issue, "published")
    client.force_login(admin_user)
    change = f"/admin/talk/issue/{issue.pk}/change/"

    shown = client.get(change)
    edited = client.post(change, {"highlights": "改过的"})
    deleted = client.post(f"/admin/talk/issue/{issue.pk}/delete/", {"post": "yes"})

    assert shown.status_code == 200
    assert 'name="_save"' not in shown.text
    assert edited.status_code == 403
    assert deleted.status_code == 403
    issue.refresh_from_db()
    assert issue.highlights == ""


def test_it_finds_an_issue_by_its_number_as_the_pages_write_it(client, admin_user, issue):
    client.force_login(admin_user)
    other = issue_create(series=issue.series, by=None, number=issue.number + 10)

    found = client.get("/admin/talk/issue/", {"q": f"{issue.number:03d}"}).context["cl"]

    assert list(found.result_list) == [issue]
    assert other not in found.result_list
