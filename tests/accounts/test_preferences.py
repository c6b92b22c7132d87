import pytest
from django.conf import settings
from django.urls import reverse

from tests.responses import by_id

URL = reverse("accounts:preferences")


def save(client, **fields):
    data = {"language": "en", "time_zone": "Europe/Berlin", "email": "", "public_profile": "on"}
    data |= fields
    return client.post(URL, data)


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_visitors_to_log_in(client, db, method):
    response = getattr(client, method)(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_it_shows_the_member_their_own_settings(client, member):
    member.email = "qiqi@example.com"
    member.time_zone = "Asia/Tokyo"
    member.save()
    client.force_login(member)

    response = client.get(URL)

    assert response.status_code == 200
    assert "初七" in response.text
    assert 'value="qiqi@example.com"' in response.text
    assert '<option value="Asia/Tokyo" selected>' in response.text


def test_an_empty_language_says_it_follows_the_browser(client, member):
    client.force_login(member)

    response = client.get(URL, headers={"Accept-Language": "zh-hans"})

    language = response.text[response.text.index('name="language"') :]
    language = language[: language.index("</select>")]
    assert '<option value="" selected>自动（跟随浏览器）</option>' in language
    assert "Select" not in language


@pytest.mark.parametrize("page_language", ["zh-hans", "en"])
def test_it_names_each_language_in_itself(client, member, page_language):
    client.force_login(member)

    response = client.get(URL, headers={"Accept-Language": page_language})

    language = response.text[response.text.index('name="language"') :]
    language = language[: language.index("</select>")]
    assert '<option value="en">English</option>' in language
    assert '<option value="zh-hans">简体中文</option>' in language


def test_it_saves_language_time_zone_and_email(client, member):
    client.force_login(member)

    response = save(client, language="en", time_zone="America/New_York", email="q@example.com")

    assert response.status_code == 302
    assert response.url == URL
    member.refresh_from_db()
    assert (member.language, member.time_zone, member.email) == (
        "en",
        "America/New_York",
        "q@example.com",
    )


def test_it_confirms_the_save(client, member):
    client.force_login(member)

    response = save(client)

    assert "Your preferences are saved." in client.get(response.url).text


def test_it_sets_the_language_cookie(client, member):
    client.force_login(member)

    response = save(client, language="zh-hans")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_it_forgets_the_language_cookie_when_set_back_to_automatic(client, member):
    client.force_login(member)
    save(client, language="en")

    response = save(client, language="")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 0
    member.refresh_from_db()
    assert member.language == ""


def test_it_allows_automatic_time_zone_and_no_email(client, member):
    member.time_zone = "Asia/Tokyo"
    member.email = "old@example.com"
    member.save()
    client.force_login(member)

    save(client, time_zone="", email="")

    member.refresh_from_db()
    assert (member.time_zone, member.email) == ("", "")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "x" * 65])
def test_it_refuses_an_unknown_time_zone(client, member, zone):
    client.force_login(member)

    response = save(client, time_zone=zone)

    assert response.status_code == 422  # the errors are on the page; nothing was done
    assert response.context["form"].errors["time_zone"]
    member.refresh_from_db()
    assert member.time_zone == ""


def test_it_refuses_an_unknown_language(client, member):
    client.force_login(member)

    response = save(client, language="fr")

    assert response.context["form"].errors["language"]
    member.refresh_from_db()
    assert member.language == ""


def test_it_refuses_a_malformed_email_and_keeps_what_was_typed(client, member):
    client.force_login(member)

    response = save(client, email="not-an-email")

    assert response.context["form"].errors["email"]
    assert 'value="not-an-email"' in response.text


def test_it_cannot_change_the_alias_or_the_role(client, member):
    client.force_login(member)

    save(client, alias="hijack", is_staff="on", is_superuser="on")

    member.refresh_from_db()
    assert member.alias == "初七"
    assert not member.is_staff
    assert not member.is_superuser


def test_it_switches_the_contributor_page_off_and_on(client, member):
    client.force_login(member)

    save(client, public_profile="")
    member.refresh_from_db()
    assert not member.public_profile

    save(client, public_profile="on")
    member.refresh_from_db()
    assert member.public_profile


def test_it_offers_the_switch_on_by_default_with_the_pages_it_switches(client, member, series):
    client.force_login(member)

    html = client.get(URL).text

    assert 'name="public_profile"' in html
    assert 'id="id_public_profile" checked' in html
    page = reverse("contributor-page", args=[series.slug, member.alias])
    assert f'href="{page}"' in by_id(html, "contributor-pages")
