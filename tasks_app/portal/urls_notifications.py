from django.urls import path

from . import views_notifications as views

app_name = "notifications"
urlpatterns = [
    path("", views.history, name="history"),
    path("<int:pk>/", views.notice, name="notice"),
    path("digest/", views.digest, name="digest"),
    path("unread/", views.unread, name="unread"),
    path("urge/", views.urge, name="urge"),
    path("calendar/<slug:key>.ics", views.calendar_feed, name="calendar"),
]
