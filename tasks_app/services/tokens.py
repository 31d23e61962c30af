"""The user's personal API token (rest_framework.authtoken), issued from the profile page."""

from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_issue(*, user: User, regenerate: bool = False) -> Token:
    """The user's token, created on first use; ``regenerate`` revokes the old key."""
    if regenerate:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    return token
