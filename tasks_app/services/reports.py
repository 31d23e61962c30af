"""Write paths for progress reports: draft, submit, withdraw, review, the lead's summary.

Rules (issue 3): a department files only on tasks it works on; a period that has not
opened yet is refused; after the deadline a report is accepted but marked late; a locked
period (bulletin published) needs the lead office; a stale version is refused; every
status, progress and review change is written to the task's history.
"""

import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from departments.access import Access, access_for
from security.uploads import UploadRefused, is_zip_office, office_zip_check

from ..choices import EventKind, FeedbackCycle, ReportState, ReportStatus
from ..exceptions import StaleVersion
from ..history import record, task_event
from ..models import Attachment, ProgressReport, ReportingPeriod, Task, TaskSummary
from ..models.reports import REPORT_FIELDS
from ..permissions import department_ids_on_task, lead_department_ids, reviews_as_lead
from ..rules.states import EDITABLE_REPORTS, WITHDRAWABLE_REPORTS
from .lifecycle.instructions import check_instructions_answered, instruction_replies_save
from .lifecycle.notices import heads_told_of_review
from .lifecycle.parts import parts_acknowledge_by_reporting
from .period_figures import period_figures_move, report_share
from .periods import period_is_locked

EDITABLE_STATES = EDITABLE_REPORTS
WITHDRAWABLE_STATES = WITHDRAWABLE_REPORTS
ALLOWED_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et",
    ".png", ".jpg", ".jpeg", ".gif", ".webp",
}
# What the first bytes of an allowed file look like (PDF, OLE2 Office, OOXML/zip, images).
_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8",
          b"RIFF")


@dataclass(frozen=True)
class Filing:
    """Where a report goes: which task, for which department, in which period."""

    task: Task
    department_id: int
    period: ReportingPeriod


def _check_can_file(user: User, filing: Filing) -> Access:
    access = access_for(user)
    if not access.works_for(filing.department_id) and not access.is_lead_office:
        raise PermissionDenied(_("只能为本部门报送进展。"))
    if filing.department_id not in department_ids_on_task(filing.task):
        raise PermissionDenied(_("该部门不承担此任务。"))
    return access


def _check_period(access: Access, period: ReportingPeriod, today) -> None:
    if period.opens_on > today:
        raise ValidationError(
            {"period": _("%(period)s 的填报尚未开始（%(date)s起）。")
             % {"period": period, "date": cn_date(period.opens_on)}})
    if period_is_locked(period) and not access.is_lead_office:
        raise ValidationError(
            {"period": _("%(period)s 的季度通报已发布，填报已锁定；如需更正请联系牵头办公室。")
             % {"period": period}})


def _check_kind(task: Task, period: ReportingPeriod) -> None:
    """A weekly item (每周反馈) reports in weekly periods, every other item in monthly ones."""
    weekly = task.feedback_cycle == FeedbackCycle.WEEKLY
    if weekly and not period.is_weekly:
        raise ValidationError({"period": _("该任务每周反馈，请在周报填报周期中报送。")})
    if period.is_weekly and not weekly:
        raise ValidationError({"period": _("周报填报周期只接受每周反馈的任务。")})


def validate_report_data(data: dict, *, submitting: bool) -> dict:
    """Field-level checks, in Chinese. Returns the cleaned values."""
    errors: dict[str, str] = {}
    cleaned = {name: data[name] for name in REPORT_FIELDS if name in data}
    progress = cleaned.get("progress")
    if progress is not None:
        try:
            cleaned["progress"] = int(progress)
        except (TypeError, ValueError):
            errors["progress"] = _("进度必须是 0 到 100 之间的整数。")
        else:
            if not 0 <= cleaned["progress"] <= 100:
                errors["progress"] = _("进度必须在 0 到 100 之间。")
    if "status" in cleaned and cleaned["status"] not in ReportStatus.values:
        errors["status"] = _("请选择推进情况。")
    for name in ("progress_text", "problems", "next_steps"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if submitting:
        if not cleaned.get("progress_text"):
            errors["progress_text"] = _("报送前请填写本期进展。")
        troubled = cleaned.get("status") in (ReportStatus.AT_RISK, ReportStatus.DELAYED)
        if (troubled or cleaned.get("needs_coordination")) and not cleaned.get("problems"):
            errors["problems"] = _("推进存在困难、滞后或需提请会议协调时，请填写存在问题。")
    if errors:
        raise ValidationError(errors)
    return cleaned


def previous_report(filing: Filing) -> ProgressReport | None:
    """The department's latest report on the task before this period (to pre-fill a form)."""
    return (ProgressReport.objects.filter(task=filing.task, department_id=filing.department_id,
                                          period__deadline__lt=filing.period.deadline)
            .order_by("-period__deadline").first())


@transaction.atomic
def report_save(
    *, filing: Filing, data: dict, user: User, expected_version: int | None = None,
    submit: bool = False,
) -> ProgressReport:
    """Create or update the department's report for the period; optionally submit it."""
    access = _check_can_file(user, filing)
    if filing.period.plan_id != filing.task.plan_id:
        raise ValidationError({"period": _("该填报周期不属于此任务所在的计划。")})
    _check_kind(filing.task, filing.period)
    now = timezone.now()
    _check_period(access, filing.period, timezone.localtime(now).date())
    report = (ProgressReport.objects.select_for_update()
              .filter(task=filing.task, department_id=filing.department_id,
                      period=filing.period).first())
    if report is None:
        if expected_version not in (None, 0):
            raise StaleVersion()
        report = ProgressReport(task=filing.task, department_id=filing.department_id,
                                period=filing.period, version=0)
    elif expected_version is not None and report.version != expected_version:
        raise StaleVersion()
    if report.state not in EDITABLE_STATES:
        raise ValidationError(
            {"state": _("该报送%(state)s，不能修改；如需修改请先撤回。")
             % {"state": report.get_state_display()}})
    before = report_share(report)
    merged = {name: getattr(report, name) for name in REPORT_FIELDS} | data
    cleaned = validate_report_data(merged, submitting=submit)
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.version += 1
    report.updated_by = user
    report.save()
    if period_is_locked(filing.period):  # only the lead office gets here: keep a trace
        record(task_event(
            filing.task, EventKind.REPORT, actor=user, department_id=filing.department_id,
            field="report", after=f"{filing.period} {report.get_status_display()} "
            f"{report.progress}%", reason=_("季度通报发布后由牵头办公室更正"), report_id=report.pk))
    if submit:
        check_instructions_answered(report)
        _submit(report, user, now)
    period_figures_move(report.period_id, before, report_share(report))
    return report


@transaction.atomic
def report_file(
    *, filing: Filing, data: dict, user: User, uploads=(), expected_version: int | None = None,
    submit: bool = False, replies: dict[int, str] | None = None,
) -> ProgressReport:
    """Save the report with its new attachments and its replies to leaders' instructions,
    and optionally submit it: all or nothing."""
    report = report_save(filing=filing, data=data, user=user, expected_version=expected_version)
    if replies:
        instruction_replies_save(report=report, replies=replies, user=user)
    for upload in uploads:
        attachment_add(report=report, upload=upload, user=user)
    if submit:
        report = report_submit(report=report, user=user)
    return report


@transaction.atomic
def report_submit(*, report: ProgressReport, user: User,
                  expected_version: int | None = None) -> ProgressReport:
    filing = Filing(report.task, report.department_id, report.period)
    return report_save(filing=filing, data={}, user=user, submit=True,
                       expected_version=expected_version if expected_version is not None
                       else report.version)


def _submit(report: ProgressReport, user: User, now) -> None:
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.submitted_by = user
    report.is_late = timezone.localtime(now).date() > report.period.deadline
    report.head_reviewed_at = report.reviewed_at = None
    report.head_reviewed_by = report.reviewed_by = None
    report.save()
    task = Task.objects.select_for_update().get(pk=report.task_id)
    if not access_for(user).heads(report.department_id):  # a head's own filing needs no call
        heads_told_of_review(department_id=report.department_id, task=task,
                             day=timezone.localtime(now).date())
    events = [task_event(
        task, EventKind.REPORT, actor=user, department_id=report.department_id,
        field="report", after=f"{report.period} {report.get_status_display()} {report.progress}%",
        reason=_("逾期报送") if report.is_late else "", report_id=report.pk,
    )]
    task.last_reported_at = now
    task.last_report_status = report.status
    task.last_report_has_problems = bool(report.problems) or report.needs_coordination
    leads = lead_department_ids(task)
    if (not leads or report.department_id in leads) and task.progress != report.progress:
        events.append(task_event(task, EventKind.PROGRESS, actor=user, field="progress",
                                 department_id=report.department_id, before=f"{task.progress}%",
                                 after=f"{report.progress}%", report_id=report.pk))
        task.progress = report.progress
    task.version += 1
    task.save()
    record(*events)
    parts_acknowledge_by_reporting(task=task, department_id=report.department_id, actor=user,
                                   now=now)


def _review_event(report: ProgressReport, user: User, before: str, reason: str) -> None:
    record(task_event(report.task_id, EventKind.REVIEW, actor=user,
                      department_id=report.department_id, field="report_state",
                      before=before, after=report.state,
                      reason=reason, report_id=report.pk))


def _locked_report(report: ProgressReport, expected_version: int | None) -> ProgressReport:
    locked = ProgressReport.objects.select_for_update().select_related("task", "period").get(
        pk=report.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    return locked


@transaction.atomic
def report_withdraw(*, report: ProgressReport, user: User,
                    expected_version: int | None = None) -> ProgressReport:
    """Take a submitted report back to draft, until the lead department has reviewed it."""
    report = _locked_report(report, expected_version)
    if not access_for(user).works_for(report.department_id):
        raise PermissionDenied(_("只能撤回本部门的报送。"))
    if report.state not in WITHDRAWABLE_STATES:
        raise ValidationError({"state": _("该报送%(state)s，不能撤回。")
                               % {"state": report.get_state_display()}})
    before, share = report.state, report_share(report)
    report.state, report.version = ReportState.DRAFT, report.version + 1
    report.save(update_fields=["state", "version", "updated_at"])
    period_figures_move(report.period_id, share, report_share(report))
    _review_event(report, user, before, _("报送单位撤回"))
    return report


# Who reviews stamps which fields: the department head, or the task's lead department.
_REVIEW_FIELDS = {"head": ("head_reviewed_at", "head_reviewed_by", "head_comment"),
                  "lead": ("reviewed_at", "reviewed_by", "review_comment")}


def _review(report: ProgressReport, user: User, *, by: str, states: tuple, approve: bool,
            approved_state: str, comment: str, default_reason: str) -> ProgressReport:
    """Approve the report (to ``approved_state``) or return it with a required comment."""
    if report.state not in states:
        raise ValidationError({"state": _("该报送%(state)s，不能审核。")
                               % {"state": report.get_state_display()}})
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("退回时请填写意见。")})
    before, share = report.state, report_share(report)
    report.state = approved_state if approve else ReportState.RETURNED
    at_field, by_field, comment_field = _REVIEW_FIELDS[by]
    setattr(report, at_field, timezone.now())
    setattr(report, by_field, user)
    setattr(report, comment_field, comment)
    report.version += 1
    report.save()
    period_figures_move(report.period_id, share, report_share(report))
    _review_event(report, user, before, comment or default_reason)
    return report


@transaction.atomic
def report_head_review(*, report: ProgressReport, user: User, approve: bool, comment: str = "",
                       expected_version: int | None = None) -> ProgressReport:
    """The department head approves the report or returns it to the liaison."""
    report = _locked_report(report, expected_version)
    if not access_for(user).heads(report.department_id):
        raise PermissionDenied(_("只有本部门负责人可以审核。"))
    return _review(report, user, by="head", states=(ReportState.SUBMITTED,), approve=approve,
                   approved_state=ReportState.HEAD_APPROVED, comment=comment,
                   default_reason=_("负责人审核通过"))


@transaction.atomic
def report_lead_review(*, report: ProgressReport, user: User, accept: bool, comment: str = "",
                       expected_version: int | None = None) -> ProgressReport:
    """The task's lead department (or the lead office) accepts or returns a report."""
    report = _locked_report(report, expected_version)
    if not reviews_as_lead(access_for(user), report.task, report.department_id):
        raise PermissionDenied(_("只有任务的牵头部门（或牵头办公室）可以审核该报送。"))
    return _review(report, user, by="lead", states=WITHDRAWABLE_STATES, approve=accept,
                   approved_state=ReportState.ACCEPTED, comment=comment,
                   default_reason=_("牵头部门采纳"))


@transaction.atomic
def summary_save(*, task: Task, period: ReportingPeriod, text: str, user: User,
                 progress: int | None = None,
                 expected_version: int | None = None) -> TaskSummary:
    """The lead department's consolidated summary of the task for the period."""
    access = access_for(user)
    leads = lead_department_ids(task)
    if not (leads & access.department_ids or (access.is_lead_office)):
        raise PermissionDenied(_("只有牵头部门或牵头办公室可以填写任务汇总。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写汇总进展。")})
    if progress is not None:
        validate_report_data({"progress": progress}, submitting=False)
    summary = TaskSummary.objects.select_for_update().filter(task=task, period=period).first()
    if summary is None:
        summary = TaskSummary(task=task, period=period, version=0)
    elif expected_version is not None and summary.version != expected_version:
        raise StaleVersion()
    summary.text, summary.progress, summary.author = text.strip(), progress, user
    summary.version += 1
    summary.save()
    events = [task_event(task, EventKind.SUMMARY, actor=user, field="summary",
                         after=_("%(period)s 汇总") % {"period": period},
                         reason=summary.text[:200])]
    task = Task.objects.select_for_update().get(pk=task.pk)
    if progress is not None and task.progress != progress:
        events.append(task_event(task, EventKind.PROGRESS, actor=user, field="progress",
                                 before=f"{task.progress}%", after=f"{progress}%",
                                 reason=_("牵头部门汇总")))
        task.progress, task.version = progress, task.version + 1
        task.save(update_fields=["progress", "version", "updated_at"])
    record(*events)
    return summary


def validate_attachment(upload: UploadedFile) -> None:
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError({"file": _("不支持的附件类型“%(type)s”；"
                                         "请上传 PDF、Office 文档或图片。")
                               % {"type": extension or name}})
    limit = settings.DUBAN_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("附件“%(name)s”超过大小上限 %(limit)s MB。")
                               % {"name": name, "limit": limit // (1024 * 1024)}})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_MAGIC):
        raise ValidationError({"file": _("附件“%(name)s”的内容与文件类型不符。") % {"name": name}})
    if is_zip_office(name):  # whoever opens it later must not meet a zip bomb
        try:
            office_zip_check(upload.read(), name)
        except UploadRefused as error:
            raise ValidationError({"file": error.message}) from error
        finally:
            upload.seek(0)


@transaction.atomic
def attachment_add(*, report: ProgressReport, upload: UploadedFile, user: User) -> Attachment:
    if not access_for(user).works_for(report.department_id):
        raise PermissionDenied(_("只能为本部门的报送上传附件。"))
    if report.state not in EDITABLE_STATES:
        raise ValidationError({"file": _("已报送的报送不能再添加附件；如需修改请先撤回。")})
    validate_attachment(upload)
    return Attachment.objects.create(
        report=report, file=upload, original_name=(upload.name or "")[:255],
        size=upload.size or 0, content_type=mimetypes.guess_type(upload.name or "")[0] or "",
        uploaded_by=user,
    )


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user: User) -> None:
    report = attachment.report
    if report is None or not access_for(user).works_for(report.department_id):
        raise PermissionDenied(_("只能删除本部门报送的附件。"))
    if report.state not in EDITABLE_STATES:
        raise ValidationError({"file": _("已报送的报送不能删除附件；如需修改请先撤回。")})
    attachment.file.delete(save=False)
    attachment.delete()

