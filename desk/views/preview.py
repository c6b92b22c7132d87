"""The preview of a post being written: its Markdown rendered exactly as the
page will render it (the same renderer and sanitiser), nothing saved."""

from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sections.markup import render_markdown

from ..forms.sections import POST_MAX


@require_POST
def markdown_preview(request):
    text = request.POST.get("body", "")
    if len(text) > POST_MAX:
        message = _("Too long to preview: at most %(max)s characters.") % {"max": POST_MAX}
        return HttpResponse(format_html('<p class="form-error">{}</p>', message), status=422)
    if not text.strip():
        return HttpResponse(format_html('<p class="muted">{}</p>', _("Nothing to preview yet.")))
    heading = format_html('<p class="field-label">{}</p>', _("Preview"))
    return HttpResponse(heading + mark_safe(render_markdown(text)))
