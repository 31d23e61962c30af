"""The user's personal API token (rest_framework.authtoken), issued from the profile page."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_issue(*, user: User, regenerate: bool = False) -> Token:
    """The user's token, created on first use (or when the old one expired);
    ``regenerate`` revokes the old key."""
    from security.tokens import token_expires_at

    existing = Token.objects.filter(user=user).first()
    if existing is not None and (regenerate or timezone.now() >= token_expires_at(existing)):
        existing.delete()
    token, _ = Token.objects.get_or_create(user=user)
    return token
