import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from sections.errors import StaleWrite
from sections.models import Item
from tests.factories import ItemFactory
from tests.responses import BOTH_WAYS, assert_changed, assert_refused, by_id, headers

pytestmark = pytest.mark.usefixtures("english")

CURATORS = ["owner", "host", "admin"]
LOG_IN = "Log in to contribute."
NOT_YOURS = "Only the section's owners and the host can pick the theme."


@pytest.fixture
def nomination(recommend, member):
    return ItemFactory(
        section=recommend, kind=Item.Kind.NOMINATION, title="State of GPT", author=member
    )


def pick(client, section, htmx, **data):
    url = reverse("section-theme", args=[section.pk])
    return client.post(url, {"version": section.version, **data}, headers=headers(htmx))


def theme_of(section) -> tuple[str, int | None]:
    section.refresh_from_db()
    return section.theme, section.theme_item_id


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", CURATORS)
def test_it_picks_a_nomination_for_curators(client_as, recommend, nomination, role, htmx):
    response = pick(client_as(role), recommend, htmx, nomination=nomination.pk)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html",
        page=f"{recommend.issue.get_absolute_url()}#section-{recommend.pk}",
    )
    assert theme_of(recommend) == ("State of GPT", nomination.pk)
    if htmx:
        assert "State of GPT" in by_id(response.text, f"theme-{recommend.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", CURATORS)
def test_it_takes_a_written_theme_from_curators(client_as, recommend, nomination, role, htmx):
    response = pick(client_as(role), recommend, htmx, text="  RLHF 专题 ")

    assert response.status_code == (200 if htmx else 302)
    assert theme_of(recommend) == ("RLHF 专题", None)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize(
    ("role", "status", "message"),
    [("anonymous", 403, LOG_IN), ("outsider", 403, NOT_YOURS), ("author", 403, NOT_YOURS)],
)
def test_it_refuses_a_theme_from_others(
    client_as, recommend, nomination, role, status, message, htmx
):
    response = pick(client_as(role), recommend, htmx, nomination=nomination.pk)

    assert_refused(response, htmx=htmx, status=status, message=message)
    assert theme_of(recommend) == ("", None)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_shows_the_newer_theme_beside_a_stale_one(client_as, recommend, nomination, htmx):
    version = recommend.version
    pick(client_as("host"), recommend, htmx=True, text="先到的主题")

    response = pick(client_as("owner"), recommend, htmx, text="后到的主题", version=version)

    assert response.status_code == 409
    assert theme_of(recommend) == ("先到的主题", None)
    picker = by_id(response.text, f"theme-{recommend.pk}")
    newer = picker[picker.index('class="newer"') : picker.index("</dl>")]
    assert "先到的主题" in newer
    assert 'value="后到的主题"' in picker
    if not htmx:
        assert escape(str(StaleWrite(None).message)) in by_id(response.text, "flash")
    # The form now carries the newer version: saving again replaces it.
    again = re.search(r'name="version" value="(\d+)"', picker).group(1)

    pick(client_as("owner"), recommend, htmx, text="后到的主题", version=again)

    assert theme_of(recommend) == ("后到的主题", None)


def test_it_names_the_theme_after_the_link_of_a_bare_nomination(client_as, recommend):
    bare = ItemFactory(
        section=recommend,
        kind=Item.Kind.NOMINATION,
        title="",
        url="https://arxiv.org/abs/2104.09864",
    )

    pick(client_as("host"), recommend, htmx=True, nomination=bare.pk)

    assert theme_of(recommend) == ("https://arxiv.org/abs/2104.09864", bare.pk)


def test_it_takes_a_written_theme_after_a_nomination_was_picked(client_as, recommend, nomination):
    host = client_as("host")
    pick(host, recommend, htmx=True, nomination=nomination.pk)
    recommend.refresh_from_db()
    page = host.get(recommend.issue.get_absolute_url()).text
    picker = by_id(page, f"theme-{recommend.pk}")
    # The picker offers a way back from the nomination it has checked.
    assert re.search(r'name="nomination" value=""(?! checked)', picker)

    pick(host, recommend, htmx=True, nomination="", text="位置编码")

    assert theme_of(recommend) == ("位置编码", None)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_a_nomination_of_another_section(client_as, issue, recommend, htmx):
    elsewhere = ItemFactory(
        section=issue.sections.get(key="classic"), kind=Item.Kind.NOMINATION, title="量化"
    )

    response = pick(client_as("host"), recommend, htmx, nomination=elsewhere.pk)

    assert_refused(
        response, htmx=htmx, status=400, message="Pick one of this section's nominations."
    )
    assert theme_of(recommend) == ("", None)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_a_theme_for_a_section_without_one(client_as, news, htmx):
    response = pick(client_as("host"), news, htmx, text="主题")

    assert_refused(response, htmx=htmx, status=400, message="This section has no theme.")
    assert theme_of(news) == ("", None)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_for_the_version(client_as, recommend, htmx):
    url = reverse("section-theme", args=[recommend.pk])

    response = client_as("host").post(url, {"text": "主题"}, headers=headers(htmx))

    assert_refused(response, htmx=htmx, status=400, message="Choose a nomination or write a theme.")
    assert theme_of(recommend) == ("", None)


def test_it_offers_the_theme_form_to_curators_only(client_as, recommend, nomination):
    for role, offered in [("outsider", False), ("owner", True)]:
        client = client_as(role)
        page = client.get(recommend.issue.get_absolute_url()).text
        theme = by_id(page, f"theme-{recommend.pk}")
        assert ("Pick the theme" in theme) == offered
        client.logout()


def test_it_picks_a_nomination_with_a_long_title(client_as, recommend):
    long = ItemFactory(section=recommend, kind=Item.Kind.NOMINATION, title="长" * 300)

    response = pick(client_as("host"), recommend, htmx=True, nomination=long.pk)

    assert response.status_code == 200


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_keeps_a_theme_too_long_in_the_open_picker(client_as, recommend, nomination, htmx):
    typed = "长" * 301

    response = pick(client_as("host"), recommend, htmx, text=typed)

    assert response.status_code == 422
    picker = by_id(response.text, f"theme-{recommend.pk}")
    assert f'<details class="inline-details" id="theme-{recommend.pk}-picker" open>' in picker
    assert "Ensure this value has at most 300 characters" in picker
    assert f'value="{typed}"' in picker
    assert theme_of(recommend) == ("", None)
