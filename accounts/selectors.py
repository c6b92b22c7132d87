"""Reads of accounts: the stored spelling of an alias, and the invitations
page's rows."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Invitation, User, Viewer
from .policy import may_revoke_invitation


def canonical_alias(typed: str) -> str:
    """The stored spelling of an alias typed in any case.

    django-axes counts failures per username exactly as it reaches
    authenticate(). Login ignores case, so without this "Foo", "FOO", "fOo"…
    would each get their own five guesses.
    """
    stored = User.objects.filter(alias__iexact=typed).values_list("alias", flat=True).first()
    return stored or typed.lower()


STATUS_LABELS = {
    Invitation.OPEN: _("open"),
    Invitation.USED_UP: _("used up"),
    Invitation.EXPIRED: _("expired"),
    Invitation.REVOKED: _("revoked"),
}
INVITATIONS_PER_PAGE = 50


@dataclass(frozen=True)
class InvitationRow:
    """An invitation as the invitations page shows it to one viewer."""

    pk: int
    note: str
    status: str
    status_label: str
    uses: int
    max_uses: int
    expires_at: datetime.datetime
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    created_by: str
    # Only while it signs someone up: a dead link is not worth copying.
    link_path: str
    can_revoke: bool


@dataclass(frozen=True)
class InvitationPage:
    rows: list[InvitationRow]
    page: Page
    # Admins see everyone's; the others only their own.
    everyone: bool


def invitation_row(invitation: Invitation, viewer: Viewer) -> InvitationRow:
    status = invitation.status()
    creator = invitation.created_by
    return InvitationRow(
        pk=invitation.pk,
        note=invitation.note,
        status=status,
        status_label=str(STATUS_LABELS[status]),
        uses=invitation.uses,
        max_uses=invitation.max_uses,
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
        revoked_at=invitation.revoked_at,
        created_by=creator.alias if creator is not None else "",
        link_path=(
            reverse("accounts:sign-up", args=[invitation.token])
            if status == Invitation.OPEN
            else ""
        ),
        can_revoke=invitation.revoked_at is None and may_revoke_invitation(viewer, invitation),
    )


def invitations_made(viewer: User) -> QuerySet[Invitation]:
    """Every invitation for an admin; for anyone else, those they made."""
    invitations = Invitation.objects.select_related("created_by").order_by("-created_at", "-pk")
    return invitations if viewer.is_staff else invitations.filter(created_by=viewer)


def invitation_page(*, viewer: User, number: str | int | None) -> InvitationPage:
    """One page of `invitations_made`, newest first (two queries: the count
    and the rows, creators included)."""
    page = Paginator(invitations_made(viewer), INVITATIONS_PER_PAGE).get_page(number)
    rows = [invitation_row(invitation, viewer) for invitation in page]
    return InvitationPage(rows=rows, page=page, everyone=viewer.is_staff)
