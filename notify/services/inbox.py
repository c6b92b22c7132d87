"""Reading the inbox: marking entries read."""

from django.utils import timezone

from accounts.models import Viewer
from sections.policy import require_account

from ..models import Notice
from .fanout import inbox_changed


def notice_read(*, notice_id: int, user: Viewer) -> Notice:
    """Mark one of the member's own entries read (another's is not found)."""
    member = require_account(user)
    notice = Notice.objects.select_related("event").get(pk=notice_id, recipient=member)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        inbox_changed(member.pk)
    return notice


def notices_read_all(*, user: Viewer) -> int:
    member = require_account(user)
    count = Notice.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        inbox_changed(member.pk)
    return count
