"""导入计划 in the admin (lead office only): upload → preview → 确认导入 or 取消.

The views are thin: the services keep the draft and load it, the preview is the one the
``import_plan --dry-run`` command prints (tasks_app.importing.preview).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from common.i18n import join_list
from departments.admin import LeadOfficeUploadMixin

from .importing import FORMAT_LABELS
from .importing.preview import plan_preview
from .models import ImportDraft
from .services.imports import (
    import_draft_confirm,
    import_draft_create,
    import_draft_discard,
    import_draft_parsed,
)


class PlanImportForm(forms.Form):
    document = forms.FileField(label=_("计划文件"),
                               help_text=_("支持 .txt、.md、.docx、.xlsx、.pdf 文件"
                                           "（文本可为 UTF-8 或 GB18030 编码）"))
    format = forms.ChoiceField(label=_("文件格式"),
                               choices=[("auto", _("自动识别")), *FORMAT_LABELS.items()])


class PlanImportMixin(LeadOfficeUploadMixin):
    """Adds the import pages to the Plan admin and the 导入计划 button to its list."""

    change_list_template = "admin/tasks_app/plan/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_upload_view), name="tasks_app_plan_import"),
            path("import/<int:draft_id>/", wrap(self.import_preview_view),
                 name="tasks_app_plan_import_preview"),
            *super().get_urls(),
        ]

    def import_upload_view(self, request: HttpRequest) -> HttpResponse:
        context = self._context(request, _("导入计划"))
        form = PlanImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                draft = import_draft_create(file_name=upload.name, data=upload.read(),
                                            fmt=form.cleaned_data["format"], user=request.user)
            except ValidationError as error:
                form.add_error("document", error.message_dict["document"])
            else:
                return redirect("admin:tasks_app_plan_import_preview", draft_id=draft.pk)
        return TemplateResponse(request, "admin/tasks_app/plan/import_upload.html",
                                {**context, "form": form})

    def import_preview_view(self, request: HttpRequest, draft_id: int) -> HttpResponse:
        context = self._context(request, _("导入预览"))
        draft = get_object_or_404(ImportDraft, pk=draft_id, uploaded_by=request.user)
        if request.method == "POST" and "cancel" in request.POST:
            import_draft_discard(draft=draft)
            self.message_user(request, _("已取消导入 %(name)s，未写入任何数据。")
                              % {"name": draft.file_name}, messages.INFO)
            return redirect("admin:tasks_app_plan_changelist")
        if request.method == "POST" and "confirm" in request.POST:
            try:
                result = import_draft_confirm(
                    draft=draft, user=request.user,
                    accept_aliases=request.POST.getlist("accept_alias"),
                    low_score_confirmed=bool(request.POST.get("confirm_low_score")),
                    directory=_directory(request), **_unit_decisions(request))
            except ValidationError as error:
                self.message_user(request, join_list(error.messages), messages.ERROR)
                if ImportDraft.objects.filter(pk=draft.pk).exists():
                    return redirect("admin:tasks_app_plan_import_preview", draft_id=draft.pk)
                return redirect("admin:tasks_app_plan_import")
            self.message_user(request, _("已导入 %(code)s：%(n)d 项变化。")
                              % {"code": result.plan.code, "n": len(result.changes)},
                              messages.SUCCESS)
            return redirect(reverse("admin:tasks_app_plan_change", args=[result.plan.pk]))
        preview = plan_preview(import_draft_parsed(draft), directory=_directory(request))
        return TemplateResponse(request, "admin/tasks_app/plan/import_preview.html",
                                {**context, "draft": draft, "preview": preview,
                                 "directory": request.GET.get("directory", "auto")})


def _unit_decisions(request: HttpRequest) -> dict:
    """The office's choice per unit the directory does not know: 新建 or an existing department."""
    create, mapped = [], {}
    for name, choice in zip(request.POST.getlist("unit_name"), request.POST.getlist("unit_choice")):
        if choice == "create":
            create.append(name)
        elif choice.isdigit():
            mapped[name] = int(choice)
    return {"create_units": create, "unit_map": mapped,
            "create_all_units": bool(request.POST.get("create_all_units"))}


def _directory(request: HttpRequest) -> bool | None:
    """The office's choice of department list: harbin / none / auto (Harbin plans only)."""
    choice = request.POST.get("directory") or request.GET.get("directory") or "auto"
    return {"harbin": True, "none": False}.get(choice)
