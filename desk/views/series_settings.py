"""A series' settings page, for admins: moderation, posting limits,
reminders, the meeting's schedule and holidays, the hosts' and guests'
switches, and the section templates' order, budgets and owner caps. Each
form saves through one service and answers with its own region (htmx) or
the page again (a plain post)."""

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sections.errors import DeskError
from sections.policy import is_admin
from talk import selectors, services
from talk.models import Holiday, SectionTemplate, Series

from ..forms.series import HolidayForm, SectionTemplateForm, SeriesSettingsForm
from .respond import HtmxHttpRequest, member_required, refusal_fragment

PAGE = "talk/series_settings.html"


@dataclass
class TemplateRow:
    """A section template as the page shows it: its form, and where it may
    move."""

    template: SectionTemplate
    form: SectionTemplateForm
    first: bool
    last: bool
    saved: bool = False


def _require_admin(request: HtmxHttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


def _series_for_admin(request: HtmxHttpRequest, series_slug: str) -> Series:
    _require_admin(request)
    return get_object_or_404(Series, slug=series_slug)


def _template_rows(
    series: Series, bound: SectionTemplateForm | None = None, saved: int | None = None
) -> list[TemplateRow]:
    """Every template's row; `bound` is the form posted for one of them
    (shown with its errors), `saved` the one just saved."""
    templates = selectors.series_templates(series)
    return [
        TemplateRow(
            template=template,
            form=(
                bound
                if bound is not None and bound.instance.pk == template.pk
                else SectionTemplateForm(instance=template, prefix=f"template-{template.pk}")
            ),
            first=index == 0,
            last=index == len(templates) - 1,
            saved=template.pk == saved,
        )
        for index, template in enumerate(templates)
    ]


def _page(
    request: HtmxHttpRequest,
    series: Series,
    *,
    status: int = 200,
    partial: str = "",
    context: dict | None = None,
    flash: str = "",
):
    """The page, or for htmx one region of it (`partial`). `context` holds
    the region's bound form or its news; the rest is as saved."""
    shown = {
        "series": series,
        "settings_form": SeriesSettingsForm(instance=series),
        "holiday_form": HolidayForm(),
        "holidays": selectors.series_holidays(series),
        "template_rows": _template_rows(series),
        "flash": flash,
        **(context or {}),
    }
    if partial and request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{PAGE}#{partial}", shown, status=status)
    return render(request, PAGE, shown, status=status)


def _done(request: HtmxHttpRequest, series: Series, region: str, news: str, context=None):
    """A change made: for htmx its region again, saying so; for a plain post
    back to the page, at that region, with the news on top."""
    if request.htmx:
        return _page(request, series, partial=region, context={"news": news, **(context or {})})
    messages.success(request, news)
    return redirect(f"{reverse('series-settings', args=[series.slug])}#{region}")


def _refused(request: HtmxHttpRequest, series: Series, error: DeskError):
    if request.htmx:
        return refusal_fragment(request, error)
    return _page(request, series, status=error.status, flash=str(error.message))


def _invalid(form, error: services.SettingInvalid) -> None:
    """The service's refusal on the field it names (the form's top when
    the form has no such field)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@member_required
@require_http_methods(["GET", "POST"])
def series_settings(request: HtmxHttpRequest, series_slug: str):
    series = _series_for_admin(request, series_slug)
    if request.method != "POST":
        return _page(request, series)
    # A copy: the form writes what was typed into its instance, and the
    # rest of the page shows the series as saved.
    form = SeriesSettingsForm(request.POST, instance=copy.copy(series))
    if form.is_valid():
        try:
            series = services.series_settings_save(
                series_id=series.pk, by=request.user, changes=form.changes()
            )
        except services.SettingInvalid as error:
            _invalid(form, error)
        except DeskError as error:
            return _refused(request, series, error)
        else:
            news = _("Saved.") if form.changed_data else _("Nothing was changed.")
            return _done(request, series, "series-settings", news)
    return _page(
        request, series, status=422, partial="series-settings", context={"settings_form": form}
    )


@member_required
@require_POST
def holiday_add(request: HtmxHttpRequest, series_slug: str):
    series = _series_for_admin(request, series_slug)
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = services.holiday_add(
                series_id=series.pk, by=request.user, **form.cleaned_data
            )
        except services.SettingInvalid as error:
            _invalid(form, error)
        except DeskError as error:
            return _refused(request, series, error)
        else:
            news = _("%(date)s is a holiday: no meeting that day.") % {"date": holiday.date}
            return _done(request, series, "holiday-form", news, {"holidays_changed": True})
    return _page(
        request, series, status=422, partial="holiday-form", context={"holiday_form": form}
    )


@member_required
@require_POST
def holiday_remove(request: HtmxHttpRequest, pk: int):
    _require_admin(request)
    holiday = get_object_or_404(Holiday.objects.select_related("series"), pk=pk)
    try:
        services.holiday_remove(holiday_id=holiday.pk, by=request.user)
    except DeskError as error:
        return _refused(request, holiday.series, error)
    news = _("%(date)s is no longer a holiday.") % {"date": holiday.date}
    return _done(request, holiday.series, "holiday-list", news)


@member_required
@require_POST
def section_template_save(request: HtmxHttpRequest, pk: int):
    """One template's budget and owner cap; htmx gets that row back alone,
    so what is typed in the other rows stays."""
    _require_admin(request)
    template = get_object_or_404(SectionTemplate.objects.select_related("series"), pk=pk)
    series = template.series
    form = SectionTemplateForm(request.POST, instance=template, prefix=f"template-{pk}")
    status, saved = 422, None
    if form.is_valid():
        try:
            services.section_template_save(template_id=pk, by=request.user, **form.cleaned_data)
        except services.SettingInvalid as error:
            _invalid(form, error)
        except DeskError as error:
            return _refused(request, series, error)
        else:
            if not request.htmx:
                messages.success(request, _("Saved."))
                return redirect(
                    f"{reverse('series-settings', args=[series.slug])}#section-template-{pk}"
                )
            status, saved = 200, pk
    rows = _template_rows(series, bound=None if saved else form, saved=saved)
    if request.htmx:
        row = next(row for row in rows if row.template.pk == pk)
        return render(request, f"{PAGE}#section-template", {"row": row}, status=status)
    return _page(request, series, status=status, context={"template_rows": rows})


@member_required
@require_POST
def section_template_move(request: HtmxHttpRequest, pk: int):
    _require_admin(request)
    template = get_object_or_404(SectionTemplate.objects.select_related("series"), pk=pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    try:
        services.section_template_move(template_id=pk, by=request.user, step=step)
    except DeskError as error:
        return _refused(request, template.series, error)
    return _done(request, template.series, "section-templates", _("Moved."))
