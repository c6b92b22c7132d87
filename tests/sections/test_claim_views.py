import pytest
from django.urls import reverse

from sections.models import Claim
from tests.factories import UserFactory
from tests.responses import (
    BOTH_WAYS,
    assert_changed,
    assert_refused,
    by_id,
    headers,
    rendered,
    triggered,
)

pytestmark = pytest.mark.usefixtures("english")

MEMBERS = ["outsider", "owner", "host", "admin"]
LOG_IN = "Log in to contribute."


def claim(client, section, htmx):
    return client.post(reverse("section-claim", args=[section.pk]), headers=headers(htmx))


def release(client, section, htmx):
    return client.post(reverse("section-release", args=[section.pk]), headers=headers(htmx))


def owners_of(section) -> set[str]:
    return {c.member.alias for c in Claim.objects.filter(section=section).select_related("member")}


def assert_claim_box(response, section, htmx):
    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/section.html#claim-box",
        page=f"{section.issue.get_absolute_url()}#section-{section.pk}",
    )


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_makes_a_member_an_owner(client_as, people, news, role, htmx):
    response = claim(client_as(role), news, htmx)

    assert_claim_box(response, news, htmx)
    assert people[role].alias in owners_of(news)
    assert news.claims.filter(member=people[role]).count() == 1
    if htmx:
        assert people[role].alias in by_id(response.text, f"claim-box-{news.pk}")
        assert "Give up this section" in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in(client, owner, news, htmx):
    response = claim(client, news, htmx)

    assert_refused(response, htmx=htmx, status=403, message=LOG_IN)
    assert owners_of(news) == {owner.alias}


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_names_the_holders_of_a_full_section(client_as, owner, news, htmx):
    Claim.objects.create(section=news, member=UserFactory(alias="yuhan"), slot=2)

    response = claim(client_as("outsider"), news, htmx)

    assert response.status_code == 409
    assert not triggered(response)
    message = "This section is already claimed by 负责人、yuhan."
    if htmx:
        # Said where the button was, rather than in the page's alert region.
        assert rendered(response) == "sections/section.html#claim-box"
        assert message in by_id(response.text, f"claim-box-{news.pk}")
    else:
        assert rendered(response) == "talk/issue.html"
        assert message in by_id(response.text, "flash")
    assert owners_of(news) == {"负责人", "yuhan"}


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_sections_nobody_owns(client_as, issue, htmx):
    references = issue.sections.get(key="references")

    response = claim(client_as("admin"), references, htmx)

    assert response.status_code == 403
    assert "Nobody claims this section" in response.text
    assert not references.claims.exists()


def test_it_answers_404_for_an_unknown_section(client_as, db):
    assert client_as("outsider").post(reverse("section-claim", args=[999_999])).status_code == 404


def test_it_takes_only_posts(client_as, news):
    assert client_as("outsider").get(reverse("section-claim", args=[news.pk])).status_code == 405


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_lets_an_owner_give_up_the_section(client_as, owner, news, htmx):
    response = release(client_as("owner"), news, htmx)

    assert_claim_box(response, news, htmx)
    assert owners_of(news) == set()
    if htmx:
        assert "Claim this section" in response.text


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["outsider", "host", "admin"])
def test_it_releases_only_the_members_own_claim(client_as, owner, news, role, htmx):
    # Giving up a section one does not hold changes nothing, for admins too:
    # they take owners off in the admin, not with this button.
    response = release(client_as(role), news, htmx)

    assert_claim_box(response, news, htmx)
    assert owners_of(news) == {owner.alias}


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_releasing(client, owner, news, htmx):
    response = release(client, news, htmx)

    assert_refused(response, htmx=htmx, status=403, message=LOG_IN)
    assert owners_of(news) == {owner.alias}


def test_it_frees_the_slot_for_the_next_member(client_as, owner, news):
    Claim.objects.create(section=news, member=UserFactory(alias="yuhan"), slot=2)
    client = client_as("owner")
    release(client, news, htmx=True)
    client.logout()

    response = claim(client_as("outsider"), news, htmx=True)

    assert response.status_code == 200
    assert owners_of(news) == {"yuhan", "路人"}


def test_it_keeps_the_page_s_links_on_a_refusal_shown_at_the_write_s_url(client, issue, news):
    # A plain refused post shows the whole page at /sections/…/claim/: links
    # relative to it would GET the write's URL.
    free_talk = issue.sections.get(key="free-talk")

    response = claim(client, news, htmx=False)

    assert response.status_code == 403
    page = issue.get_absolute_url()
    assert f'href="{page}?sort=votes#section-{free_talk.pk}"' in response.text
    login_invite = response.text[response.text.index('class="card login-invite"') :]
    assert login_invite.startswith(
        f'class="card login-invite"><a href="/accounts/login/?next={page}"'
    )
