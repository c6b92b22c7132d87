from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalkConfig(AppConfig):
    name = "talk"
    verbose_name = _("Talk series and issues")

    def ready(self):
        from sections.events import changed

        from . import checks  # noqa: F401 (registers them)
        from .live.publish import publish_change

        changed.connect(publish_change, dispatch_uid="talk.live.publish")
