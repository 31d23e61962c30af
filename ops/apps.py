from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health and metrics endpoints, backups, static files, beat lock."""

    name = "ops"
    verbose_name = _("运维")

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from .metrics import CycleCollector

        if not getattr(REGISTRY, "_duban_cycle", False):
            REGISTRY.register(CycleCollector())
            REGISTRY._duban_cycle = True
