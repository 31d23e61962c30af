"""Ledger downloads in the admin: an action on the task list, a button on a plan's page."""

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .models import Plan
from .services.exports import export_ledger_start


class TaskLedgerMixin:
    """导出督办台账 for the selected tasks (the changelist's filters choose them): an export
    job builds it in a worker; the user watches it on the job's page."""

    @admin.action(description=_("导出选中任务的督办台账（Excel）"))
    def export_ledger(self, request, queryset):
        job = export_ledger_start(owner=request.user, params={},
                                  task_ids=queryset.values_list("pk", flat=True))
        return redirect("portal:export", pk=job.pk)


class PlanLedgerMixin:
    """A 导出督办台账 button on the plan's page."""

    change_form_template = "admin/tasks_app/plan/change_form.html"

    def get_urls(self):
        return [path("<int:pk>/ledger/", self.admin_site.admin_view(self.ledger_view),
                     name="tasks_app_plan_ledger"), *super().get_urls()]

    def ledger_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        plan = get_object_or_404(Plan, pk=pk)
        # A plan's ledger is built by an export job (see services.exports).
        return redirect(reverse("portal:export_ledger") + f"?plan={plan.pk}")
