"""Absolute links for messages: every email points at the exact page."""

from django.conf import settings
from django.urls import reverse


def page_url(name: str, *args: object) -> str:
    """The absolute address of a named page, from settings.SITE_URL."""
    return settings.SITE_URL + reverse(name, args=args)
