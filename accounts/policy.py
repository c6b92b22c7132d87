"""Who may do what with accounts' own rows. Who may invite depends on the
series, which accounts does not know: that rule is talk.policy's."""

from .models import Invitation, User, Viewer


def in_good_standing(user: Viewer) -> User | None:
    """The member, when they may write at all (logged in, active, not
    suspended); else None."""
    if user.is_authenticated and user.is_active and not user.is_suspended:
        return user
    return None


def may_revoke_invitation(user: Viewer, invitation: Invitation) -> bool:
    """Admins revoke any invitation; whoever made one revokes their own, even
    once they may no longer invite (revoking only takes a way in away)."""
    member = in_good_standing(user)
    return member is not None and (member.is_staff or invitation.created_by_id == member.pk)
