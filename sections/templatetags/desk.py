from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sections import markup

register = template.Library()


# Both filters return HTML that nh3 has already cleaned (see sections.markup).
@register.filter
def markdown(text: str):
    return mark_safe(markup.render_markdown(text))


@register.filter
def code_block(code: str, language: str = ""):
    return mark_safe(markup.render_code(code, language))


@register.filter
def safe_url(url: str) -> str:
    return markup.safe_url(url)


@register.filter
def budget(minutes: int | None) -> str:
    if minutes is None:
        return _("no time limit")
    return _("~%(minutes)s min") % {"minutes": minutes}
