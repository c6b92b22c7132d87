from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalkConfig(AppConfig):
    name = "talk"
    verbose_name = _("Talk series and issues")

    def ready(self):
        from sections.events import changed
        from sections.views.page import page_context_providers

        from . import checks  # noqa: F401 (registers them)
        from .live.publish import publish_change
        from .views import issue_page_context

        page_context_providers.append(issue_page_context)
        changed.connect(publish_change, dispatch_uid="talk.live.publish")
