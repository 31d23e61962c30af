from django.urls import path

from . import (
    views,
    views_desk,
    views_documents,
    views_lifecycle,
    views_reports,
    views_reviews,
    views_slips,
)

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
    path("tasks/<int:pk>/do/<slug:action>/", views_lifecycle.task_action, name="task_action"),
    path("tasks/<int:pk>/instructions/", views_lifecycle.task_instructions,
         name="task_instructions"),
    path("tasks/<int:pk>/requests/", views_lifecycle.task_requests_panel, name="task_requests"),
    path("tasks/<int:pk>/parts/<int:part_pk>/transfer/", views_lifecycle.transfer_page,
         name="transfer"),
    path("todo/", views_lifecycle.todo, name="todo"),
    path("desk/", views_desk.desk, name="desk"),
    path("desk/reports/", views_desk.desk_reports, name="desk_reports"),
    path("items/new/", views_desk.item_new, name="item_new"),
    path("slips/", views_slips.slips, name="slips"),
    path("slips/<int:pk>/", views_slips.slip, name="slip"),
    path("slips/<int:pk>/pdf/", views_slips.slip_pdf, name="slip_pdf"),
]
