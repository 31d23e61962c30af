"""API tokens expire (DUBAN_TOKEN_TTL_DAYS; checked by the API's token authentication) and
die with a password change (see :mod:`security.passwords`) or deactivation."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.DUBAN_TOKEN_TTL_DAYS)


def tokens_revoke(user: User) -> int:
    """Delete the user's API tokens; returns how many there were."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted
