"""Single sign-on, optional by setting: LDAP (django-auth-ldap) and OIDC
(mozilla-django-oidc). The directory only proves who someone is: the user is matched by a
configured field (``DUBAN_SSO_MATCH_FIELD``: email, username or mobile) to the account the
roster created, or created without any role when ``DUBAN_SSO_CREATE_USERS`` allows it;
departments and roles stay managed in Duban (nothing is mirrored from the directory).
Both backends do nothing while their setting is empty, so password sign-in is unchanged.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import LDAPSearch, LDAPSettings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)


def sso_match(value: str) -> User | None:
    """The one user whose configured field equals ``value`` (case-insensitive)."""
    field = settings.DUBAN_SSO_MATCH_FIELD
    if not value:
        return None
    lookup = {"email": "email__iexact", "username": "username__iexact",
              "mobile": "person__mobile"}[field]
    users = list(User.objects.filter(**{lookup: value})[:2])
    return users[0] if len(users) == 1 else None


def _new_user(value: str, *, email: str, name: str) -> User:
    if not settings.DUBAN_SSO_CREATE_USERS:
        raise PermissionDenied("no Duban account for this identity")
    user = User(username=value[:150], email=email, first_name=name[:150])
    user.set_unusable_password()
    return user


class DubanLDAPBackend(LDAPBackend):
    """Bind as the person in ``DUBAN_LDAP_URI``; match or create the Duban user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DUBAN_LDAP_URI:
            return None
        ldap_settings = LDAPSettings(self.settings_prefix, self.default_settings)
        ldap_settings.SERVER_URI = settings.DUBAN_LDAP_URI
        ldap_settings.BIND_DN = settings.DUBAN_LDAP_BIND_DN
        ldap_settings.BIND_PASSWORD = settings.DUBAN_LDAP_BIND_PASSWORD
        ldap_settings.START_TLS = settings.DUBAN_LDAP_START_TLS
        import ldap

        ldap_settings.USER_SEARCH = LDAPSearch(settings.DUBAN_LDAP_USER_BASE, ldap.SCOPE_SUBTREE,
                                               settings.DUBAN_LDAP_USER_FILTER)
        ldap_settings.USER_ATTR_MAP = {}  # 姓名 and e-mail come from the roster
        ldap_settings.ALWAYS_UPDATE_USER = False
        ldap_settings.MIRROR_GROUPS = False
        self.settings = ldap_settings
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        def first(attribute: str) -> str:
            values = ldap_user.attrs.get(attribute) or [""]
            return values[0]

        value = first(settings.DUBAN_LDAP_MATCH_ATTR) or username
        user = sso_match(value)
        if user is not None:
            return user, False
        return _new_user(value, email=first(settings.DUBAN_LDAP_EMAIL_ATTR),
                         name=first(settings.DUBAN_LDAP_NAME_ATTR)), True


class DubanOIDCBackend(OIDCAuthenticationBackend):
    """The government identity provider's OpenID Connect login (authorization code)."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        if settings.DUBAN_OIDC_ENABLED:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not settings.DUBAN_OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        return bool(claims.get(settings.DUBAN_OIDC_MATCH_CLAIM))

    def filter_users_by_claims(self, claims):
        user = sso_match(str(claims.get(settings.DUBAN_OIDC_MATCH_CLAIM, "")))
        return User.objects.filter(pk=user.pk) if user else User.objects.none()

    def create_user(self, claims):
        user = _new_user(str(claims[settings.DUBAN_OIDC_MATCH_CLAIM]),
                         email=claims.get("email", ""), name=claims.get("name", ""))
        user.save()
        return user


def _enabled_only(view):
    def wrapped(request, *args, **kwargs):
        if not settings.DUBAN_OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)
    return wrapped


oidc_login = _enabled_only(OIDCAuthenticationRequestView.as_view())
oidc_callback = _enabled_only(OIDCAuthenticationCallbackView.as_view())
