"""Which posts a viewer sees, and which sections the page shows."""

from django.db.models import Exists, OuterRef, Q

from accounts.models import Viewer

from ..models import Item, PostStatus, SectionKind


def visible_posts(viewer: Viewer | None) -> Q:
    """Posts everyone sees, plus the viewer's own pending or rejected ones."""
    visible = Q(status=PostStatus.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        if viewer.is_staff:
            return Q()
        return visible | Q(submitted_by=viewer)
    return visible


# The entries a meeting walks one by one (present mode lists them, the
# host's "d" marks them discussed): what the page lists, notes aside.
WALKED = Q(listed=True) & ~Q(kind=Item.Kind.NOTE)


# SectionView.shown as a filter, for what reads sections without their
# items: the meeting walks only the sections the page shows.
SHOWN = (
    Q(template__isnull=False)
    | ~Q(kind=SectionKind.ITEMS)
    | Exists(Item.objects.filter(section=OuterRef("pk")))
)
