"""Absolute links for messages: every email points at the exact page.

Portal URL names are reversed when they exist; until the portal is merged, the path is built
from its agreed pattern (the one place to drop once every name reverses).
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

PATTERNS = {
    "portal:home": "/",
    "portal:task": "/tasks/{0}/",
    "portal:batch_report": "/periods/{0}/report/",
    "portal:overview": "/overview/",
    "notifications:history": "/notifications/",
    # Pages of the records branch (bulletins, assessments): check the names after merging.
    "bulletins:detail": "/bulletins/{0}/",
    "assessments:detail": "/assessments/{0}/",
}


def page_path(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return PATTERNS[name].format(*args)


def page_url(name: str, *args: object) -> str:
    """The absolute address of a named page, from settings.SITE_URL."""
    return settings.SITE_URL + page_path(name, *args)


def absolute(path: str) -> str:
    return settings.SITE_URL + path
