from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedsConfig(AppConfig):
    """Source documents and the commands that build demo and synthetic data."""

    name = "seeds"
    verbose_name = _("演示数据")
