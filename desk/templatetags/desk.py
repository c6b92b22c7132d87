from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from notify.selectors import unread_count
from sections import markup, policy

register = template.Library()

# A page of a few hundred items and questions links each to several actions;
# reversing every one costs more than rendering the rest. A route is reversed
# once with this stand-in id, then filled in by string formatting.
_STAND_IN = 987654321


@lru_cache(maxsize=256)
def _route_pattern(name: str, script_prefix: str) -> str:
    return reverse(name, args=[_STAND_IN]).replace(str(_STAND_IN), "{}")


@register.filter
def route(pk: int, name: str) -> str:
    """`{{ item.pk|route:"item-edit" }}` is `{% url "item-edit" item.pk %}`."""
    return _route_pattern(name, get_script_prefix()).format(int(pk))


# Both filters return HTML that nh3 has already cleaned (see sections.markup).
@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """`{% absolute_url path %}`: the full address of `path` on this site, as
    the viewer reached it: a link to hand out (a sign-up link) must work
    outside the desk."""
    return context["request"].build_absolute_uri(path)


@register.simple_tag
def unread_notices(user) -> int:
    """The member's unread inbox entries (one COUNT on the partial index)."""
    return unread_count(user)


@register.filter
def markdown(text: str):
    return mark_safe(markup.render_markdown(text))


@register.filter
def line_markup(text: str):
    """A title or the highlights line with its emphasis and code shown."""
    return mark_safe(markup.render_line(text))


@register.filter
def plain_line(text: str) -> str:
    return markup.plain_line(text)


@register.filter
def plain_markdown(text: str) -> str:
    return markup.plain_text(text)


@register.filter
def code_block(code: str, language: str = ""):
    return mark_safe(markup.render_code(code, language))


@register.filter
def safe_url(url: str) -> str:
    return markup.safe_url(url)


@register.filter
def open_to(issue, user) -> bool:
    """`{% if issue|open_to:user %}`: the user may change the issue's content.
    A suspended member is offered no button the services would refuse."""
    return policy.may_contribute(user, issue)


@register.filter
def may_dismiss(post, user) -> bool:
    """`{% if post|may_dismiss:user %}`: the moderator may dismiss a report
    about the post (see policy.may_dismiss_report)."""
    return policy.may_dismiss_report(user, post)


@register.filter
def suspension(user) -> str:
    return policy.suspension_notice(user) if user.is_authenticated and user.is_suspended else ""


@register.filter
def suspension_status(member) -> str:
    return policy.suspension_status(member) if member.is_suspended else ""


@register.filter
def steward(issue, user) -> bool:
    """The host, the editor or an admin: who runs the meeting."""
    return policy.can_curate_issue(user, issue)


@register.filter
def budget(minutes: int | None) -> str:
    if minutes is None:
        return _("no time limit")
    return _("~%(minutes)s min") % {"minutes": minutes}


@register.simple_tag
def when(moment, weekday: bool = False):
    """`{% when issue.meeting_at weekday=True %}`: the time in the viewer's zone
    (their saved one, else the one their browser reported), the zone named in
    full, since "CST" is both Shanghai's and Chicago's. On a first visit the
    server does not know the browser's zone yet: desk.js rewrites the time in
    it, from `datetime` and `data-zone`."""
    local = timezone.localtime(moment)
    shown = dateformat.format(local, "Y-m-d l H:i" if weekday else "Y-m-d H:i")
    zone = timezone.get_current_timezone_name()
    return format_html(
        '<time datetime="{}" data-zone="{}"{}>{} ({})</time>',
        local.isoformat(),
        zone,
        mark_safe(" data-weekday") if weekday else "",
        shown,
        zone,
    )
