"""/api/: v1 resources, the OpenAPI schema and its offline docs; anything else a JSON 404."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from tasks_app.api.views.departments import DepartmentGroupViewSet, DepartmentViewSet

from .auth import TokenObtainView
from .errors import json_not_found
from .views.cycle import AssessmentViewSet, BulletinViewSet, MeetingViewSet
from .views.exports import ExportJobViewSet
from .views.lifecycle import (
    CompletionRequestViewSet,
    ExtensionRequestViewSet,
    InstructionViewSet,
    SlipViewSet,
)
from .views.milestones import MilestoneViewSet
from .views.plans import DriverViewSet, PlanViewSet, ReportingPeriodViewSet
from .views.reports import ReportViewSet
from .views.targets import TargetReadingViewSet, TargetViewSet
from .views.tasks import AssignmentViewSet, TaskViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("plans", PlanViewSet, basename="plan")
router.register("drivers", DriverViewSet, basename="driver")
router.register("tasks", TaskViewSet, basename="task")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("targets", TargetViewSet, basename="target")
router.register("target-readings", TargetReadingViewSet, basename="target-reading")
router.register("departments", DepartmentViewSet, basename="department")
router.register("department-groups", DepartmentGroupViewSet, basename="department-group")
router.register("reports", ReportViewSet, basename="report")
router.register("periods", ReportingPeriodViewSet, basename="period")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("extension-requests", ExtensionRequestViewSet, basename="extension-request")
router.register("completion-requests", CompletionRequestViewSet,
                basename="completion-request")
router.register("slips", SlipViewSet, basename="slip")
router.register("instructions", InstructionViewSet, basename="instruction")
router.register("exports", ExportJobViewSet, basename="export")

app_name = "api"
urlpatterns = [
    path("v1/auth/token/", TokenObtainView.as_view(), name="token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),  # CSP
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^.*$", json_not_found),
]
