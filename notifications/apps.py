from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知与督办周期")

    def ready(self) -> None:
        from departments.outbox import outbox_plug

        from . import people

        outbox_plug(people)  # the people services write invitations through it
