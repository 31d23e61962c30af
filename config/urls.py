from django.contrib import admin
from django.urls import include, path

from departments.sso import oidc_callback, oidc_login
from departments.views import InvitationAcceptView

urlpatterns = [
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("security.urls")),
    path("accounts/activate/<uidb64>/<token>/", InvitationAcceptView.as_view(),
         name="invitation_accept"),
    path("oidc/authenticate/", oidc_login, name="oidc_authentication_init"),
    path("oidc/callback/", oidc_callback, name="oidc_authentication_callback"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("tasks_app.api.urls")),
    path("notifications/", include("tasks_app.portal.urls_notifications")),
    path("", include("tasks_app.records.urls")),
    path("", include("tasks_app.portal.urls")),
]
