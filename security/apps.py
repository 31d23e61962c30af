from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("安全")

    def ready(self) -> None:
        from .roles import admin_roles_ensure

        # The 三员 groups and their permissions exist after every migrate.
        post_migrate.connect(lambda **kwargs: admin_roles_ensure(), sender=self,
                             dispatch_uid="security.admin_roles_ensure", weak=False)
