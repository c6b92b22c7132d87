import pytest
from django.contrib.auth.models import AnonymousUser

from sections import services
from sections.errors import Invalid, IssueClosed, NotAllowed, RateLimited, StaleWrite
from sections.models import Claim, Item
from talk.models import IssueStatus
from tests.factories import ItemFactory, UserFactory


@pytest.fixture
def news(issue):
    return issue.sections.get(key="news")


@pytest.fixture
def owner(news):
    user = UserFactory(alias="owner")
    Claim.objects.create(section=news, member=user, slot=1)
    return user


def submit(section, user, **fields):
    return services.item_submit(section=section, user=user, **{"title": "T", **fields})


def edit(item, user, **fields):
    values = {
        "kind": item.kind,
        "subgroup": item.subgroup,
        "title": item.title,
        "url": item.url,
        "body": item.body,
        "points": item.points,
        "code": item.code,
        "language": item.language,
        **fields,
    }
    return services.item_update(
        item_id=item.pk, user=user, version=values.pop("version", item.version), **values
    )


def test_it_submits_an_item_attributed_to_its_author(news, member):
    item = submit(
        news, member, subgroup="学术", url="https://arxiv.org/abs/2308.01320", body="**x**"
    )

    assert item.author == member
    assert item.submitted_by == member
    assert item.subgroup == "学术"


def test_it_appends_items_in_order(news, member):
    first = submit(news, member)
    second = submit(news, member)

    assert second.position > first.position


def test_it_refuses_anonymous_visitors(news):
    with pytest.raises(NotAllowed):
        submit(news, AnonymousUser())


def test_it_refuses_a_frozen_issue(issue, news, member):
    issue.status = IssueStatus.FROZEN
    issue.save()

    with pytest.raises(IssueClosed):
        submit(news, member)


def test_it_refuses_a_subgroup_the_section_lacks(news, member):
    with pytest.raises(Invalid):
        submit(news, member, subgroup="火星")


def test_it_refuses_a_kind_the_section_lacks(news, member):
    # 本周新闻 has a suggestions area but no nominations.
    with pytest.raises(Invalid):
        submit(news, member, kind=Item.Kind.NOMINATION)
    assert submit(news, member, kind=Item.Kind.SUGGESTION).kind == Item.Kind.SUGGESTION


def test_it_refuses_items_in_a_question_section(issue, member):
    with pytest.raises(Invalid):
        submit(issue.sections.get(key="free-talk"), member)


def test_it_lets_an_owner_credit_a_plain_name(news, owner):
    item = submit(news, owner, credit_to="群友")

    assert item.author is None
    assert item.author_name == "群友"
    assert item.submitted_by == owner


def test_it_lets_the_host_credit_a_member_by_alias(news, host, member):
    item = submit(news, host, credit_to="初七")

    assert item.author == member


@pytest.mark.parametrize("typed", ["--初七", "—初七", " -- 初七"])
def test_it_takes_a_name_pasted_with_the_record_s_dashes(news, host, member, typed):
    assert submit(news, host, credit_to=typed).author == member
    assert submit(news, host, credit_to=typed.replace("初七", "群友")).author_name == "群友"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("typed", ["lee@corp.example", "lee＠corp.example"])
def test_it_refuses_to_credit_an_email_address(news, host, typed):
    with pytest.raises(Invalid, match="not an email address"):
        submit(news, host, credit_to=typed)

    assert not news.items.exists()


def test_it_refuses_credit_from_a_plain_member(news, member):
    with pytest.raises(NotAllowed):
        submit(news, member, credit_to="群友")


def test_it_lets_a_member_credit_themselves(news, member):
    assert submit(news, member, credit_to="初七").author == member


def test_it_limits_posts_per_minute(news, member, settings):
    settings.POSTS_PER_MINUTE = 2
    submit(news, member)
    submit(news, member)

    with pytest.raises(RateLimited):
        submit(news, member)
    assert news.items.count() == 2


def test_it_does_not_limit_the_host(news, host, settings):
    settings.POSTS_PER_MINUTE = 1

    for _ in range(3):
        submit(news, host)

    assert news.items.count() == 3


def test_it_saves_an_edit_and_bumps_the_version(news, member):
    item = submit(news, member)

    saved = edit(item, member, title="New title")

    assert saved.title == "New title"
    assert saved.version == item.version + 1


def test_it_refuses_a_stale_edit_and_returns_the_newer_row(news, member, owner):
    item = submit(news, member)
    edit(item, owner, title="The owner's title")

    with pytest.raises(StaleWrite) as stale:
        edit(item, member, title="Mine")

    assert stale.value.current.title == "The owner's title"
    assert Item.objects.get(pk=item.pk).title == "The owner's title"


def test_it_keeps_the_attribution_unless_asked(news, host, member):
    item = submit(news, host, credit_to="群友")

    saved = edit(item, host, title="x")

    assert saved.author_name == "群友"


def test_it_lets_an_owner_edit_anyone_s_item_in_their_section(news, member, owner):
    item = submit(news, member)

    assert edit(item, owner, subgroup="项目").subgroup == "项目"


def test_it_refuses_an_outsider_s_edit(news, member, outsider):
    item = submit(news, member)

    with pytest.raises(NotAllowed):
        edit(item, outsider, title="Vandal")


def test_it_keeps_an_imported_subgroup_on_edit(news, member):
    item = ItemFactory(section=news, subgroup="工业", author=member, submitted_by=member)

    assert edit(item, member, title="x").subgroup == "工业"


def test_it_deletes_only_for_the_author_or_curators(news, member, outsider, owner):
    mine = submit(news, member)
    with pytest.raises(NotAllowed):
        services.item_delete(item_id=mine.pk, user=outsider)

    services.item_delete(item_id=mine.pk, user=owner)

    assert not Item.objects.filter(pk=mine.pk).exists()


def test_it_moves_an_item_within_its_subgroup(news, owner):
    a = submit(news, owner, subgroup="学术", title="a")
    submit(news, owner, subgroup="项目", title="between")
    b = submit(news, owner, subgroup="学术", title="b")

    services.item_move(item_id=b.pk, user=owner, direction="up")

    academic = list(
        news.items.filter(subgroup="学术").order_by("position").values_list("title", flat=True)
    )
    assert academic == ["b", "a"]
    services.item_move(item_id=a.pk, user=owner, direction="down")  # already last: nothing moves
    assert list(
        news.items.filter(subgroup="学术").order_by("position").values_list("title", flat=True)
    ) == ["b", "a"]


def test_it_lets_only_curators_reorder(news, member):
    item = submit(news, member)

    with pytest.raises(NotAllowed):
        services.item_move(item_id=item.pk, user=member, direction="up")


def test_it_picks_the_theme_from_the_nominations(issue, host):
    recommend = issue.sections.get(key="recommend")
    nomination = submit(recommend, host, kind=Item.Kind.NOMINATION, title="RetNet")

    section = services.section_set_theme(
        section_id=recommend.pk, user=host, version=recommend.version, item_id=nomination.pk
    )

    assert section.theme == "RetNet"
    assert section.theme_item == nomination


def test_it_refuses_a_theme_that_is_not_a_nomination(issue, host):
    recommend = issue.sections.get(key="recommend")
    entry = submit(recommend, host, title="Not nominated")

    with pytest.raises(Invalid):
        services.section_set_theme(
            section_id=recommend.pk, user=host, version=recommend.version, item_id=entry.pk
        )


def test_it_refuses_a_stale_theme(issue, host):
    recommend = issue.sections.get(key="recommend")
    services.section_set_theme(
        section_id=recommend.pk, user=host, version=recommend.version, text="A"
    )

    with pytest.raises(StaleWrite):
        services.section_set_theme(
            section_id=recommend.pk, user=host, version=recommend.version, text="B"
        )


def test_it_refuses_a_theme_from_a_member(issue, member):
    recommend = issue.sections.get(key="recommend")

    with pytest.raises(NotAllowed):
        services.section_set_theme(
            section_id=recommend.pk, user=member, version=recommend.version, text="A"
        )
