"""Items: add, edit, move, delete, mark discussed; the section's theme."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sections import services
from sections.errors import DeskError, StaleWrite
from sections.links import key_digest, normalize_url
from sections.models import Item, Section
from sections.policy import can_curate_section
from sections.selectors import item_content
from talk.selectors import link_sightings

from ..forms.sections import ItemForm, ThemeForm
from .getters import get_item, get_section
from .page import ThemePicker, added, removed, render_issue_page, section_fragment
from .respond import (
    changed,
    edit_page,
    form_invalid,
    member_required,
    refuse_editor,
    refused,
    save_edit,
)


@require_POST
def item_create(request, pk):
    section = get_section(pk)
    form = ItemForm(
        request.POST, section=section, may_credit=can_curate_section(request.user, section)
    )

    if not form.is_valid():
        return form_invalid(request, section, form)
    try:
        item = services.item_submit(
            section=section,
            user=request.user,
            credit_to=form.credit or "",
            **form.fields_for_service,
        )
    except DeskError as error:
        form.add_error(None, error.message)
        return form_invalid(request, section, form, status=error.status, flash=error.message)
    return changed(
        request, section.issue, f"item-{item.pk}", lambda: added(request, section, item=item)
    )


@member_required
@require_safe
def link_check(request, pk):
    """Where the link being typed into a section's add form was shared
    before: in this issue or a recent one. It only informs; the form still
    posts a known link, which then shows as a follow-up."""
    section = get_section(pk)
    url = request.GET.get("url", "")[:2000]
    sightings = link_sightings(url=url, issue=section.issue)
    series = section.issue.series
    context = {
        "issue": section.issue,
        "section": section,
        "url": url,
        "sightings": sightings,
        "follow_up": any(seen.in_this_issue for seen in sightings),
        # Every time it was shared, beyond the recent issues the check reads.
        "link_page": reverse("link-page", args=[series.slug, key_digest(normalize_url(url))])
        if sightings
        else "",
    }
    return edit_page(request, "sections/link_check.html", "link-check", context, 200)


@member_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = get_item(pk)
    section = item.section
    if request.method == "GET" and (refusal := refuse_editor(request, item, section)):
        return refusal
    form = ItemForm(
        request.POST or None,
        section=section,
        item=item,
        may_credit=can_curate_section(request.user, section),
        initial=ItemForm.initial_for(item),
    )
    edit = save_edit(
        request,
        form,
        lambda form: services.item_update(
            item_id=item.pk,
            user=request.user,
            version=form.cleaned_data["version"] or 0,
            credit_to=form.credit,
            **form.fields_for_service,
        ),
    )
    if edit.saved:
        return changed(request, section.issue, f"item-{pk}", lambda: _item_fragment(request, item))
    context = {
        "issue": section.issue,
        "section": section,
        "item": item,
        # newer.html says what happened, above theirs.
        "form": edit.form,
        "newer": edit.newer,
    }
    return edit_page(request, "sections/item_edit.html", "item-edit", context, edit.status)


def _item_fragment(request, item: Item):
    entry = item_content(item.pk, issue=item.section.issue, viewer=request.user)
    section = entry.row.section
    return render(
        request, "sections/item.html", {"issue": section.issue, "section": section, "entry": entry}
    )


@require_POST
def item_delete(request, pk):
    item = get_item(pk)
    section = item.section
    try:
        services.item_delete(item_id=item.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return changed(
        request,
        section.issue,
        f"section-{section.pk}",
        lambda: removed(request, section, item),
    )


@require_POST
def item_move(request, pk):
    item = get_item(pk)
    section = item.section
    direction = "up" if request.POST.get("direction") == "up" else "down"
    # Dragged: "before" names the item it was dropped before (0: the end).
    before = request.POST.get("before", "")
    try:
        services.item_move(
            item_id=item.pk,
            user=request.user,
            direction=direction,
            before_id=int(before) if before.isdigit() else None,
        )
    except DeskError as error:
        return refused(request, section.issue, error)
    return changed(request, section.issue, f"item-{pk}", lambda: section_fragment(request, section))


@require_POST
def item_discussed(request, pk):
    """The host ticks an item off during the meeting."""
    item = get_item(pk)
    try:
        services.item_set_discussed(
            item_id=item.pk, user=request.user, discussed=request.POST.get("discussed") == "1"
        )
    except DeskError as error:
        return refused(request, item.section.issue, error)
    return changed(request, item.section.issue, f"item-{pk}", lambda: _item_fragment(request, item))


@require_POST
def section_theme(request, pk):
    section = get_section(pk)
    form = ThemeForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors or not can_curate_section(request.user, section):
            return refused(
                request, section.issue, DeskError(_("Choose a nomination or write a theme."))
            )
        # A theme too long, say: the picker opens again with the words and
        # the text as typed.
        picker = ThemePicker(
            text=form.data.get("text", ""),
            version=form.cleaned_data["version"],
            error=" ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return _theme_again(request, section, picker, status=422, flash=picker.error)
    try:
        services.section_set_theme(
            section_id=section.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            item_id=form.cleaned_data["nomination"],
            text=form.cleaned_data["text"],
        )
    except StaleWrite as error:
        # The picker opens again on the newer theme's version, with the
        # choice and the text as this curator left them.
        picker = ThemePicker(
            text=form.cleaned_data["text"],
            nomination=form.cleaned_data["nomination"],
            version=error.current.version,
            newer=error.current,
        )
        return _theme_again(request, section, picker, status=error.status, flash=error.message)
    except DeskError as error:
        # Frozen meanwhile, or no longer a curator: no picker to open again.
        return refused(request, section.issue, error, kept=form.cleaned_data["text"])
    return changed(
        request, section.issue, f"section-{pk}", lambda: section_fragment(request, section)
    )


def _theme_again(request, section: Section, picker: ThemePicker, *, status: int, flash: str):
    """The section with its theme picker open on `picker`: what the curator
    chose and typed, and why it was not saved."""
    if request.htmx:
        return section_fragment(request, section, status=status, theme_picker=picker)
    return render_issue_page(
        request,
        section.issue,
        status=status,
        flash=flash,
        section_forms={section.pk: {"theme_picker": picker}},
    )
