"""Admin hardening: no API token list (a token is a password: people manage theirs on the
profile page; a password change or deactivation revokes it), and authenticator devices
that can be listed and removed (a lost phone) but never shown: their secret stays with
the owner's phone."""

from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class DeviceAdmin(TOTPDeviceAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.readonly_fields})]

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)  # without the config / QR code views

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceAdmin)

from . import admin_accounts  # noqa: E402,F401 — accounts and their roles
