from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("security.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("tasks_app.api.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("tasks_app.records.urls")),
    path("", include("tasks_app.portal.urls")),
]
