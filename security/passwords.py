"""A password "validator" used for its hook: Django calls ``password_changed`` on every
validator whenever a user's new password is saved (portal, reset link, admin, command)."""

from django.contrib.auth.models import User

from .tokens import tokens_revoke


class RevokeTokensOnChange:
    """Never refuses a password; once a new one is saved, revokes the user's API tokens
    and writes the audit row."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk:
            from audit.models import AuditKind
            from audit.services import audit_record

            revoked = tokens_revoke(user)
            audit_record(AuditKind.PASSWORD, user=user, target=user.get_username(),
                         detail=f"revoked_tokens={revoked}")

    def get_help_text(self) -> str:
        return ""
