from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _display_name(user) -> str:
    """People are shown by 姓名 (kept in ``first_name`` by the roster), not by username."""
    return user.get_full_name() or user.get_username()


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("部门与人员")

    def ready(self) -> None:
        from django.contrib.auth.models import User

        User.__str__ = _display_name
