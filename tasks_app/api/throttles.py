"""Throttling: writes per user (scope "writes"); the token endpoint per client ("auth")."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle


class WriteRateThrottle(UserRateThrottle):
    """Counts only unsafe requests (POST, PUT, PATCH, DELETE), per user or per address."""

    scope = "writes"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
