"""Notifications' writes, by area (re-exported here)."""

from .bots import BadUrl, bot_delete, bot_save, bot_test
from .deliveries import deliveries_requeue, delivery_retry, delivery_send
from .digests import digests_send
from .fanout import event_fan_out, inbox_changed
from .inbox import notice_read, notices_read_all
from .preferences import BadToken, preferences_save, unsubscribe
from .reminders import reminders_send

__all__ = [
    "BadToken",
    "BadUrl",
    "bot_delete",
    "bot_save",
    "bot_test",
    "deliveries_requeue",
    "delivery_retry",
    "delivery_send",
    "digests_send",
    "event_fan_out",
    "inbox_changed",
    "notice_read",
    "notices_read_all",
    "preferences_save",
    "reminders_send",
    "unsubscribe",
]
