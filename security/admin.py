"""No API token list in the admin: a token is a password (people manage theirs on the
profile page; a password change or deactivation revokes it)."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
