"""The user's personal API token (rest_framework.authtoken), issued from the profile page."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditKind
from audit.services import audit_record


@transaction.atomic
def api_token_issue(*, user: User, regenerate: bool = False) -> Token:
    """The user's token, created on first use (or when the old one expired);
    ``regenerate`` revokes the old key."""
    from security.tokens import token_expires_at

    existing = Token.objects.filter(user=user).first()
    if existing is not None and (regenerate or timezone.now() >= token_expires_at(existing)):
        existing.delete()
    token, created = Token.objects.get_or_create(user=user)
    if created:  # a new key is a new credential: audited with the write
        audit_record(AuditKind.CREDENTIAL, user=user, target=f"接口令牌 {user.get_username()}",
                     detail="重新生成，旧令牌作废" if existing is not None else "生成")
    return token
