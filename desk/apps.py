from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The web layer: every page, fragment, form and URL of the desk."""

    name = "desk"
    verbose_name = _("Issue desk")
