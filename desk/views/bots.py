"""A series' chat bots, for admins: the list, adding and changing one, a
test message, removing one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notify import selectors, services
from notify.models import Bot
from sections.errors import DeskError
from sections.policy import is_admin
from talk.models import Series

from ..forms.notify import BotForm


def _series_for_admin(request, series_slug) -> Series:
    if not is_admin(request.user):
        raise PermissionDenied
    return get_object_or_404(Series, slug=series_slug)


def _bot_for_admin(request, pk) -> Bot:
    if not is_admin(request.user):
        raise PermissionDenied
    return get_object_or_404(Bot.objects.select_related("series"), pk=pk)


def _page(request, series, form, bot=None, status=200):
    context = {"series": series, "bots": selectors.series_bots(series), "form": form, "bot": bot}
    return render(request, "notify/bots.html", context, status=status)


def _save(request, series, form, bot=None):
    if not form.is_valid():
        return _page(request, series, form, bot, status=422)
    try:
        services.bot_save(user=request.user, series=series, bot=bot, **form.cleaned_data)
    except DeskError as error:
        field = "url" if isinstance(error, services.BadUrl) else None
        form.add_error(field, str(error.message))
        return _page(request, series, form, bot, status=422)
    messages.success(request, _("Saved. Send a test message to see it arrive."))
    return redirect("series-bots", series.slug)


@require_http_methods(["GET", "POST"])
def series_bots(request, series_slug):
    series = _series_for_admin(request, series_slug)
    form = BotForm(request.POST or None)
    if request.method == "POST":
        return _save(request, series, form)
    return _page(request, series, form)


@require_http_methods(["GET", "POST"])
def bot_edit(request, pk):
    bot = _bot_for_admin(request, pk)
    initial = {
        "platform": bot.platform,
        "name": bot.name,
        "chat_id": bot.chat_id,
        "kinds": bot.kinds,
        "active": bot.active,
    }
    form = BotForm(request.POST or None, initial=initial, saved_platform=bot.platform)
    if request.method == "POST":
        return _save(request, bot.series, form, bot)
    return _page(request, bot.series, form, bot)


@require_POST
def bot_test(request, pk):
    bot = _bot_for_admin(request, pk)
    sent, result = services.bot_test(user=request.user, bot=bot)
    if sent:
        messages.success(
            request,
            _("%(name)s: test message sent (%(result)s).") % {"name": bot.name, "result": result},
        )
    else:
        messages.error(
            request,
            _("%(name)s: the test message failed: %(result)s")
            % {"name": bot.name, "result": result},
        )
    return redirect("series-bots", bot.series.slug)


@require_POST
def bot_delete(request, pk):
    bot = _bot_for_admin(request, pk)
    services.bot_delete(user=request.user, bot=bot)
    messages.success(request, _("%(name)s removed.") % {"name": bot.name})
    return redirect("series-bots", bot.series.slug)
