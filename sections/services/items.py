"""Items: submit, edit, delete, move, mark discussed; the section's theme."""

from typing import Any

from django.db import transaction
from django.db.models import BooleanField, F, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer

from ..errors import Invalid, NotAllowed, StaleWrite
from ..links import normalize_url
from ..models import (
    Item,
    Section,
    SectionKind,
)
from ..policy import (
    can_curate_section,
    require_member,
    require_open,
)
from ..record import AREAS, list_of
from .rules import (
    _create_last,
    _credit,
    _require_editor,
    _require_poster,
    _save_edit,
    _section,
    _section_changed,
    _tell_credited,
    _tell_curated,
)


def item_kinds(section: Section) -> list[str]:
    """The kinds of item a section takes, in the order a form offers them."""
    areas = [Item.Kind(area.kind) for area in AREAS if getattr(section, area.flag)]
    return [Item.Kind.ENTRY, *areas, Item.Kind.NOTE, Item.Kind.SNIPPET]


def _check_item_shape(
    section: Section, kind: str, subgroup: str, current_subgroup: str | None = None
) -> None:
    if section.kind != SectionKind.ITEMS:
        raise Invalid(_("This section does not take items."))
    if kind not in item_kinds(section):
        raise Invalid(_("This section does not take that kind of item."))
    # An imported item may sit in a sub-group the template no longer has.
    if subgroup and subgroup not in section.subgroups and subgroup != current_subgroup:
        raise Invalid(_("This section has no sub-group “%(name)s”.") % {"name": subgroup})


@transaction.atomic
def item_submit(
    *,
    section: Section,
    user: Viewer,
    kind: str = Item.Kind.ENTRY,
    subgroup: str = "",
    title: str = "",
    url: str = "",
    body: str = "",
    points: str = "",
    code: str = "",
    language: str = "",
    credit_to: str = "",
) -> Item:
    """Add an item to `section` (loaded with its issue; claims prefetched
    saves a query). A link already in the issue makes it a follow-up."""
    user = _require_poster(user, section)
    _check_item_shape(section, kind, subgroup)
    _section_changed(section)
    url_key = normalize_url(url)
    item = _create_last(
        Item,
        section,
        kind=kind,
        subgroup=subgroup,
        title=title,
        url=url,
        url_key=url_key,
        follow_up=_link_in_issue(section.issue_id, url_key),
        body=body,
        points=points,
        code=code,
        language=language,
        submitted_by=user,
        **_credit(user, section, credit_to),
    )
    _tell_credited(item, user)
    return item


@transaction.atomic
def item_update(
    *,
    item_id: int,
    user: Viewer,
    version: int,
    kind: str,
    subgroup: str,
    title: str,
    url: str,
    body: str,
    points: str,
    code: str,
    language: str,
    credit_to: str | None = None,
) -> Item:
    """Save an edit. `credit_to` None keeps the attribution as it is."""
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    user = _require_editor(user, item, section)
    _check_item_shape(section, kind, subgroup, current_subgroup=item.subgroup)
    fields: dict[str, Any] = {
        "kind": kind,
        "subgroup": subgroup,
        "title": title,
        "url": url,
        "url_key": normalize_url(url),
        "body": body,
        "points": points,
        "code": code,
        "language": language,
    }
    if fields["url_key"] != item.url_key:
        # Only a new link is judged again: the first of two equal links
        # stays the original when it is edited.
        fields["follow_up"] = _link_in_issue(section.issue_id, fields["url_key"], exclude=item.pk)
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_edit(item, version, fields, user=user, section=section)
    _section_changed(section)
    _tell_curated(section, user, item)
    _tell_credited(saved, user, before=item.author_id)
    return saved


def _link_in_issue(issue_id: int, url_key: str, *, exclude: int = 0) -> Value | RawSQL:
    """Whether the issue already has the link, as an expression: the INSERT
    or UPDATE that writes the item works it out, one round trip fewer. Written
    out for the reason `_create_last` gives."""
    if not url_key:
        return Value(False)
    return RawSQL(
        "EXISTS (SELECT 1 FROM sections_item i JOIN sections_section s ON s.id = i.section_id"
        " WHERE s.issue_id = %s AND i.url_key = %s AND i.id <> %s)",
        [issue_id, url_key, exclude],
        output_field=BooleanField(),
    )


@transaction.atomic
def item_delete(*, item_id: int, user: Viewer) -> None:
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    _require_editor(user, item, section)
    Section.objects.filter(pk=section.pk, theme_item=item).update(theme_item=None)
    item.delete()
    _section_changed(section)
    _tell_curated(section, user, item)


@transaction.atomic
def item_set_discussed(*, item_id: int, user: Viewer, discussed: bool) -> Item:
    """Mark an item discussed in the meeting (owners and the host)."""
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can mark items discussed."))
    Item.objects.filter(pk=item.pk).update(discussed=discussed)
    item.discussed = discussed
    _section_changed(section)
    _tell_curated(section, user)
    return item


@transaction.atomic
def item_move(
    *, item_id: int, user: Viewer, direction: str = "", before_id: int | None = None
) -> None:
    """Move an item one place up or down among its neighbours (same area and
    sub-group), or (dragged) to just before another of them, or to the end
    of them with `before_id` 0; owners and the host only."""
    item = Item.objects.get(pk=item_id)
    section = Section.objects.select_for_update().select_related("issue").get(pk=item.section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can reorder items."))
    items = list(section.items.order_by("position", "id"))
    group = [
        i for i in items if list_of(i.kind) == list_of(item.kind) and i.subgroup == item.subgroup
    ]
    index = next(n for n, i in enumerate(group) if i.pk == item.pk)
    if before_id is not None:
        _place(items, group, group[index], before_id)
    else:
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(group):
            return
        a, b = items.index(group[index]), items.index(group[other])
        items[a], items[b] = items[b], items[a]
    for position, row in enumerate(items, start=1):
        row.position = position
    Item.objects.bulk_update(items, ["position"])
    _section_changed(section)
    _tell_curated(section, user)


def _place(items: list[Item], group: list[Item], moving: Item, before_id: int) -> None:
    """Put `moving` before the group's item `before_id` (0: after the group's
    last), keeping every other row where it was."""
    if before_id == moving.pk:
        return
    rest = [i for i in group if i.pk != moving.pk]
    if before_id == 0:
        anchor = items.index(rest[-1]) + 1 if rest else items.index(moving)
    else:
        target = next((i for i in rest if i.pk == before_id), None)
        if target is None:
            raise Invalid(_("Items can only be moved among their neighbours of the same group."))
        anchor = items.index(target)
    if items.index(moving) < anchor:
        anchor -= 1
    items.remove(moving)
    items.insert(anchor, moving)


@transaction.atomic
def section_set_theme(
    *, section_id: int, user: Viewer, version: int, item_id: int | None = None, text: str = ""
) -> Section:
    """Pick the theme (本期主题) from the nominations, or write it."""
    section = _section(section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can pick the theme."))
    if not section.theme_label:
        raise Invalid(_("This section has no theme."))
    if item_id is not None:
        nomination = section.items.filter(pk=item_id, kind=Item.Kind.NOMINATION).first()
        if nomination is None:
            raise Invalid(_("Pick one of this section's nominations."))
        # A nomination may be a bare link: the link is then its name.
        fields = {"theme": nomination.title or nomination.url, "theme_item": nomination}
    else:
        fields = {"theme": text.strip(), "theme_item": None}
    saved = Section.objects.filter(pk=section.pk, version=version).update(
        **fields, version=F("version") + 1
    )
    current = Section.objects.get(pk=section.pk)
    if not saved:
        raise StaleWrite(current)
    _section_changed(section)
    _tell_curated(section, user)
    return current
