from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalkConfig(AppConfig):
    name = "talk"
    verbose_name = _("Talk series and issues")

    def ready(self):
        from sections.views import page_context_providers

        from .views import lifecycle_context

        page_context_providers.append(lifecycle_context)
