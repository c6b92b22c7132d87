"""Claiming and releasing a section (up to its owner cap)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer

from ..errors import NotAllowed, SectionFull
from ..models import (
    Claim,
    Section,
)
from ..policy import (
    require_member,
    require_open,
)
from .rules import (
    _section_changed,
)


@transaction.atomic
def section_claim(*, section_id: int, user: Viewer) -> Claim:
    """Make `user` an owner of the section, if a slot is free.

    The section row is locked before counting, so two members racing for the
    last slot are served one after the other; the (section, slot) constraint
    backs that up in the database.
    """
    user = require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue, user)
    if section.owner_cap == 0:
        raise NotAllowed(_("Nobody claims this section; it is assembled from the others."))
    claims = list(section.claims.select_related("member"))
    for claim in claims:
        if claim.member_id == user.pk:
            return claim
    if len(claims) >= section.owner_cap:
        raise SectionFull([claim.member.alias for claim in claims])
    free_slots = sorted(set(range(1, section.owner_cap + 1)) - {claim.slot for claim in claims})
    claim = Claim.objects.create(section=section, member=user, slot=free_slots[0])
    _section_changed(section)
    return claim


@transaction.atomic
def section_release(*, section_id: int, user: Viewer) -> None:
    user = require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue, user)
    if Claim.objects.filter(section=section, member=user).delete()[0]:
        _section_changed(section)
