"""聊天区: a member's line, a pasted block from the group chat, and hiding a
line (with the reason) or showing it again."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from sections import services
from sections.errors import DeskError, Invalid, NotAllowed
from sections.models import ChatLine
from sections.moderation import can_moderate

from ..forms.sections import ChatHideForm, ChatLineForm, ChatPasteForm
from .getters import get_section
from .page import render_issue_page, section_fragment
from .respond import changed, edit_page, refused


def _saved(request, section):
    def fragment():
        return section_fragment(request, section)

    return changed(request, section.issue, f"section-{section.pk}", fragment)


def _again(request, section, status, **forms):
    """The section with the form as typed and what it says, in place."""
    if request.htmx:
        return section_fragment(request, section, status=status, **forms)
    return render_issue_page(
        request, section.issue, status=status, section_forms={section.pk: forms}
    )


def _post(request, section, form, write, slot: str):
    """Save what the form holds with `write(text)`: a refusal of the text
    comes back in its form (`slot`, its name on the panel); any other, such
    as not being theirs to do or the issue frozen meanwhile, is said at the
    top with the text to copy."""
    if not form.is_valid():
        return _again(request, section, 422, **{slot: form})
    try:
        write(form.cleaned_data["text"])
    except Invalid as error:
        form.add_error("text", error.message)
        return _again(request, section, error.status, **{slot: form})
    except DeskError as error:
        return refused(request, section.issue, error, kept=form.cleaned_data["text"])
    return _saved(request, section)


@require_POST
def chat_say(request, pk):
    section = get_section(pk)
    form = ChatLineForm(request.POST, section=section)

    def say(text):
        services.chat_say(section_id=section.pk, user=request.user, text=text)

    return _post(request, section, form, say, "chat_form")


@require_POST
def chat_paste(request, pk):
    section = get_section(pk)
    form = ChatPasteForm(request.POST, section=section)

    def paste(text):
        services.chat_paste(section_id=section.pk, user=request.user, text=text)

    return _post(request, section, form, paste, "paste_form")


def _line(pk: int) -> ChatLine:
    return get_object_or_404(ChatLine.objects.select_related("section__issue__series"), pk=pk)


@require_http_methods(["GET", "POST"])
def chat_line_hide(request, pk):
    """GET: the reason's form, in place of the line. POST: hide it."""
    line = _line(pk)
    section = get_section(line.section_id)
    if not can_moderate(request.user, section.issue):
        # The service refuses the hide; nobody is handed a form it refuses.
        return refused(
            request, section.issue, NotAllowed(_("Only admins and the issue's host moderate."))
        )
    form = ChatHideForm(request.POST or None, line=line)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_line_hide(
                line_id=line.pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except DeskError as error:
            return refused(request, section.issue, error)
        saved = _saved(request, section)
        # The form asked for its own place; the answer is the whole section.
        return (
            reswap(retarget(saved, f"#section-{section.pk}"), "outerHTML")
            if request.htmx
            else saved
        )
    if request.method == "POST":
        status = 422
    context = {"issue": section.issue, "line": line, "hide_form": form}
    return edit_page(request, "sections/chat_hide.html", "hide-form", context, status)


@require_POST
def chat_line_restore(request, pk):
    line = _line(pk)
    section = get_section(line.section_id)
    try:
        services.chat_line_restore(line_id=line.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return _saved(request, section)
