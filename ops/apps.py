from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health and metrics endpoints, backups, static files, beat lock."""

    name = "ops"
    verbose_name = _("运维")
