"""Business rules for sections: claims, items, questions, answers, votes.

Every function checks permission itself (views may not), runs in one
transaction, and raises a `DeskError` the view can show.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .errors import NotAllowed, SectionFull
from .models import Claim, Section
from .policy import require_member, require_open


@transaction.atomic
def section_claim(*, section_id: int, user) -> Claim:
    """Make `user` an owner of the section, if a slot is free.

    The section row is locked before counting, so two members racing for the
    last slot are served one after the other; the (section, slot) constraint
    backs that up in the database.
    """
    require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue)
    if section.owner_cap == 0:
        raise NotAllowed(_("Nobody claims this section; it is assembled from the others."))
    claims = list(section.claims.select_related("member"))
    for claim in claims:
        if claim.member_id == user.pk:
            return claim
    if len(claims) >= section.owner_cap:
        raise SectionFull([claim.member.alias for claim in claims])
    free_slots = sorted(set(range(1, section.owner_cap + 1)) - {claim.slot for claim in claims})
    return Claim.objects.create(section=section, member=user, slot=free_slots[0])


@transaction.atomic
def section_release(*, section_id: int, user) -> None:
    require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue)
    Claim.objects.filter(section=section, member=user).delete()
