from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.history, name="history"),
    path("digest/", views.digest, name="digest"),
    path("calendar/<slug:key>.ics", views.calendar_feed, name="calendar"),
]
