from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf_view, name="bulletin_pdf"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx_view, name="bulletin_xlsx"),
    path("assessments/<int:pk>/pdf/", views.assessment_pdf_view, name="assessment_pdf"),
    path("assessments/<int:pk>/xlsx/", views.assessment_xlsx_view, name="assessment_xlsx"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/scores/<int:score_pk>/contest/", views.score_contest_view,
         name="contest"),
]
