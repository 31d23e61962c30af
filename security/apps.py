from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("安全")

    def ready(self) -> None:
        from .middleware import session_started
        from .roles import admin_roles_ensure

        # The 三员 groups and their permissions exist after every migrate.
        post_migrate.connect(lambda **kwargs: admin_roles_ensure(), sender=self,
                             dispatch_uid="security.admin_roles_ensure", weak=False)
        # At login: the idle clock starts and the second factor is noted as due.
        user_logged_in.connect(lambda sender, request, user, **kwargs:
                               session_started(request, user),
                               dispatch_uid="security.session_started", weak=False)
