"""Invitations: whoever may (admins, and the hosts of a series that lets
them) hands out sign-up links, copies them, sees what became of them and
revokes them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.models import Invitation
from sections.errors import DeskError, Invalid
from talk import services
from talk.policy import may_invite

from ..forms.accounts import InvitationForm
from .respond import HtmxHttpRequest, member_required, refusal_fragment


def _invitation_form(request: HtmxHttpRequest, data=None) -> InvitationForm | None:
    """The form to make one, for whoever may invite; None for someone who
    only looks after the invitations they made while they could; 403 for
    everyone else."""
    if may_invite(request.user):
        return InvitationForm(data)
    if Invitation.objects.filter(created_by=request.user).exists():
        return None
    raise PermissionDenied


def _page(request, *, form, status=200, partial=None, created=None, revoked=False, flash=""):
    """The page, or for htmx one of its regions: `invitation-form` (with the
    list out of band once one was made) or `invitation-list`."""
    context = {
        "form": form,
        "created": created,
        "revoked": revoked,
        "invitations": account_selectors.invitation_page(
            viewer=request.user, number=request.GET.get("page")
        ),
        "flash": flash,
    }
    if partial and request.htmx and not request.htmx.history_restore_request:
        return render(request, f"accounts/invitations.html#{partial}", context, status=status)
    return render(request, "accounts/invitations.html", context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def invitations(request: HtmxHttpRequest):
    form = _invitation_form(request, request.POST or None)
    if request.method != "POST":
        return _page(request, form=form)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        return _page(request, form=form, status=422, partial="invitation-form")
    try:
        invitation = services.invitation_create(by=request.user, **form.cleaned_data)
    except DeskError as error:
        field = "expires_at" if isinstance(error, services.BadExpiry) else None
        form.add_error(field, str(error.message))
        status = 422 if isinstance(error, Invalid) else error.status
        return _page(request, form=form, status=status, partial="invitation-form")
    if request.htmx:
        created = account_selectors.invitation_row(invitation, request.user)
        return _page(request, form=InvitationForm(), partial="invitation-form", created=created)
    messages.success(request, _("Invitation made: copy its link from the list."))
    return redirect(f"{request.path}#invitation-{invitation.pk}")


@member_required
@require_POST
def invitation_revoke(request: HtmxHttpRequest, pk: int):
    try:
        services.invitation_revoke(invitation_id=pk, by=request.user)
    except DeskError as error:
        if request.htmx:
            return refusal_fragment(request, error)
        form = _invitation_form(request)
        return _page(request, form=form, status=error.status, flash=error.message)
    if request.htmx:
        form = _invitation_form(request)
        return _page(request, form=form, partial="invitation-list", revoked=True)
    messages.success(request, _("Revoked: that link signs nobody up any more."))
    return redirect("invitations")
