"""The client's address, trusting X-Forwarded-For only behind a proxy that says so."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the right-most X-Forwarded-For address when DUBAN_BEHIND_PROXY is set
    (the one the proxy itself appended: a client cannot forge it)."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    if settings.DUBAN_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]
