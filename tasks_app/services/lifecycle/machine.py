"""The lifecycle's state machines live in the rules layer (``tasks_app.rules.transitions``);
this module keeps the services' own helper (the optimistic version check) and re-exports the
role names the services use."""

from ...exceptions import StaleVersion
from ...rules.transitions import (  # noqa: F401  (re-exported for the services)
    HEAD,
    LEAD_DEPARTMENT,
    LEAD_OFFICE,
    LIAISON,
    MANAGER,
    SYSTEM,
    Transition,
    actor_roles,
)


def check_version(obj, expected_version: int | None) -> None:
    """Refuse a write that expects an older version of ``obj`` (someone acted first)."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion()
