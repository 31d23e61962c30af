"""The invitation page: a new person sets their password through a one-time link."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .people import invitation_accepted, invitation_tokens


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Django's reset page with the invitation token; signs the person in afterwards."""

    template_name = "registration/invitation_set_password.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("portal:home")
    title = _("设置登录密码")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accepted(user=form.user)
        return response
