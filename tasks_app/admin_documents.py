"""Ledger downloads in the admin: an action on the task list, a button on a plan's page."""

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from departments.access import access_for

from .documents.ledger import ledger_filename, ledger_workbook
from .documents.xlsx import download
from .models import Plan
from .selectors.ledger import ledger, ledger_departments


def ledger_response(request: HttpRequest, tasks) -> HttpResponse:
    result = ledger(tasks, departments=ledger_departments(access_for(request.user)))
    return download(ledger_workbook(result), ledger_filename(result))


class TaskLedgerMixin:
    """导出督办台账 for the selected tasks (the changelist's filters choose them)."""

    @admin.action(description=_("导出选中任务的督办台账（Excel）"))
    def export_ledger(self, request, queryset):
        return ledger_response(request, queryset)


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
