"""Account services the restricted user admin uses: reset links, deactivation."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .tokens import tokens_revoke


def password_reset_link_send(user: User) -> bool:
    """Email the user a one-time link to set a password (nobody else ever sees it).
    False when the user has no email address."""
    if not user.email:
        return False
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("security/password_reset_email.txt", {
            "user": user, "link": f"{settings.SITE_URL}{path}"})
        send_mail(_("督办系统：设置登录密码"), body, None, [user.email])
    return True


@transaction.atomic
def user_deactivated(user: User) -> None:
    """A deactivated account loses its API tokens at once (its sessions die with is_active)."""
    tokens_revoke(user)
