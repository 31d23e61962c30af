from django.urls import path

from . import views, views_documents, views_reports, views_reviews

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/report/", views_reports.report, name="report"),
    path("tasks/<int:pk>/review/", views_reviews.review, name="review"),
    path("periods/<int:pk>/report/", views_reports.batch_report, name="batch_report"),
    path("periods/<int:pk>/report/<int:task_pk>/", views_reports.batch_row, name="batch_row"),
    path("periods/<int:pk>/sheet/", views_documents.sheet_upload, name="sheet_upload"),
    path("periods/<int:pk>/sheet.xlsx", views_documents.sheet_download, name="sheet_download"),
    path("ledger.xlsx", views_documents.ledger_download, name="ledger"),
    path("reports/<int:pk>/review/", views_reviews.report_review, name="report_review"),
    path("reviews/", views_reviews.reviews, name="reviews"),
    path("overview/", views.overview, name="overview"),
    path("accounts/profile/", views.profile, name="profile"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
