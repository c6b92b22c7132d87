import pytest
from django.urls import reverse

from talk.models import Issue
from tests.factories import ItemFactory
from tests.responses import BOTH_WAYS, assert_changed, assert_refused, by_id, headers

pytestmark = pytest.mark.usefixtures("english")

LOG_IN = "Log in to contribute."


@pytest.fixture
def news_item(issue):
    return ItemFactory(section=issue.sections.get(key="news"))


def role_url(issue, role, action):
    return reverse("issue-role", args=[issue.series.slug, issue.code, role, action])


def change(client, issue, role, action, htmx):
    return client.post(role_url(issue, role, action), headers=headers(htmx))


def holders(issue) -> tuple:
    issue = Issue.objects.select_related("host", "editor").get(pk=issue.pk)
    return issue.host_display, issue.editor_display


def assert_record(response, issue, htmx):
    assert_changed(
        response,
        htmx=htmx,
        fragment="talk/issue.html#issue-record",
        page=f"{issue.get_absolute_url()}#issue-record",
    )


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["outsider", "owner", "host", "admin"])
def test_it_makes_a_member_the_editor(client_as, people, issue, role, htmx):
    response = change(client_as(role), issue, "editor", "claim", htmx)

    assert_record(response, issue, htmx)
    assert holders(issue)[1] == people[role].alias
    if htmx:
        assert people[role].alias in by_id(response.text, "role-editor")
        assert "Give it up" in by_id(response.text, "role-editor")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_makes_a_member_the_host_of_an_issue_without_one(client, outsider, issue, htmx):
    client.force_login(outsider)

    response = change(client, issue, "host", "claim", htmx)

    assert_record(response, issue, htmx)
    assert holders(issue)[0] == "路人"


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["outsider", "owner", "admin"])
def test_it_names_the_holder_of_a_taken_role(client_as, issue, role, htmx):
    response = change(client_as(role), issue, "host", "claim", htmx)

    assert_refused(
        response, htmx=htmx, status=409, message="羡鱼 is already the host of this issue."
    )
    assert holders(issue)[0] == "羡鱼"


def test_it_keeps_the_role_of_its_holder(client_as, issue):
    response = change(client_as("host"), issue, "host", "claim", htmx=True)

    assert response.status_code == 200
    assert holders(issue)[0] == "羡鱼"


def test_it_names_a_holder_without_an_account(client_as, issue):
    Issue.objects.filter(pk=issue.pk).update(editor_name="suc16")

    response = change(client_as("outsider"), issue, "editor", "claim", htmx=True)

    assert response.status_code == 409
    assert "suc16 is already the editor of this issue." in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("action", ["claim", "release"])
def test_it_asks_visitors_to_log_in(client, issue, action, htmx):
    response = change(client, issue, "editor", action, htmx)

    assert_refused(response, htmx=htmx, status=403, message=LOG_IN)
    assert holders(issue) == ("", "")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_lets_the_holder_or_an_admin_give_up_the_role(client_as, host, issue, role, htmx):
    response = change(client_as(role), issue, "host", "release", htmx)

    assert_record(response, issue, htmx)
    assert holders(issue)[0] == ""
    if htmx:
        assert "Be the host" in by_id(response.text, "role-host")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["outsider", "owner"])
def test_it_refuses_to_give_up_someone_else_s_role(client_as, issue, role, htmx):
    response = change(client_as(role), issue, "host", "release", htmx)

    assert_refused(
        response,
        htmx=htmx,
        status=403,
        message="Only whoever holds the role, or an admin, can give it up.",
    )
    assert holders(issue)[0] == "羡鱼"


@pytest.mark.parametrize("action", ["claim", "release"])
def test_it_refuses_a_role_that_does_not_exist(client_as, issue, action):
    response = change(client_as("admin"), issue, "boss", action, htmx=True)

    assert response.status_code == 400
    assert "There is no such role." in response.text


def test_it_answers_404_for_an_action_that_does_not_exist(client_as, issue):
    response = change(client_as("host"), issue, "host", "abdicate", htmx=True)

    assert response.status_code == 404
    assert holders(issue)[0] == "羡鱼"


def test_it_answers_404_for_an_unknown_issue(client_as, issue):
    url = reverse("issue-role", args=[issue.series.slug, "999", "host", "claim"])

    assert client_as("outsider").post(url).status_code == 404


def test_it_takes_only_posts(client_as, issue):
    assert client_as("outsider").get(role_url(issue, "host", "claim")).status_code == 405


def test_it_makes_the_new_editor_a_curator_at_once(client_as, issue, news_item):
    client = client_as("outsider")
    change(client, issue, "editor", "claim", htmx=True)

    page = client.get(issue.get_absolute_url()).text

    assert reverse("item-move", args=[news_item.pk]) in page
