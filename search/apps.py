from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from sections import events

        from . import indexing

        events.changed.connect(indexing.reindex_changed, dispatch_uid="search.index")
