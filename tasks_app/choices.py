"""Status values of the domain, as choice constants shared by models, API and UI."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头部门")
    RESPONSIBLE = "responsible", _("责任部门")


class PartState(models.TextChoices):
    """A department's part of a task (its assignment) — the 督办 lifecycle."""

    PENDING_ACK = "pending_ack", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    EXTENSION_REQUESTED = "extension_requested", _("延期申请中")
    COMPLETION_REQUESTED = "completion_requested", _("办结申请中")
    SUPPLEMENTING = "supplementing", _("补充办理中")
    RECTIFYING = "rectifying", _("整改中")
    COMPLETED = "completed", _("已办结")
    SUSPENDED = "suspended", _("已中止")
    TRANSFERRED = "transferred", _("已转办")


class TaskStatus(models.TextChoices):
    """The task's own state, derived from its parts (see tasks_app.lifecycle)."""

    NEW = "new", _("待分配")
    PENDING_ACK = "pending_ack", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETION_REQUESTED = "completion_requested", _("办结申请中")
    RECTIFYING = "rectifying", _("整改中")
    COMPLETED = "completed", _("已办结")
    SUSPENDED = "suspended", _("已中止")


class Health(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("预警")
    RED = "red", _("滞后")
    STALE = "stale", _("未更新")
    UNASSIGNED = "unassigned", _("待分配")


#: What the lead office may set by hand: every health except 待分配, which only the
#: task's parts decide.
HEALTH_OVERRIDES = [(code, label) for code, label in Health.choices
                    if code != Health.UNASSIGNED]


class SourceType(models.TextChoices):
    PLAN = "plan", _("规划文件")
    MEETING = "meeting", _("会议决定")
    INSTRUCTION = "instruction", _("领导批示")
    DOCUMENT = "document", _("文件交办")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    VERY_URGENT = "very_urgent", _("特急")


class FeedbackType(models.TextChoices):
    ONE_OFF = "one_off", _("一次性反馈")
    PERIODIC = "periodic", _("定期反馈")


class FeedbackCycle(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class TargetKind(models.TextChoices):
    QUANTITY = "quantity", _("总量指标")
    GROWTH = "growth", _("增速指标")
    RANKING = "ranking", _("排名目标")


class ReportStatus(models.TextChoices):
    """What the department says about the task in a report."""

    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("存在困难")
    DELAYED = "delayed", _("进度滞后")
    COMPLETED = "completed", _("已完成")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    HEAD_APPROVED = "head_approved", _("负责人已审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


class PeriodKind(models.TextChoices):
    """A plan's reporting periods: one a month for monthly and quarterly items, one a week for
    weekly items (每周反馈), counted with the month of their deadline."""

    MONTHLY = "monthly", _("月度")
    WEEKLY = "weekly", _("每周")


class PeriodState(models.TextChoices):
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已截止")
    LOCKED = "locked", _("已锁定")


class EventKind(models.TextChoices):
    STATUS = "status", _("状态变更")
    PROGRESS = "progress", _("进度变更")
    ASSIGNMENT_ADDED = "assignment_added", _("增加责任单位")
    ASSIGNMENT_REMOVED = "assignment_removed", _("移除责任单位")
    ASSIGNMENT_CHANGED = "assignment_changed", _("调整责任单位")
    DUE_DATE = "due_date", _("完成时限变更")
    HEALTH_OVERRIDE = "health_override", _("人工调整预警")
    FIELD = "field", _("内容修改")
    REPORT = "report", _("进展报送")
    REVIEW = "review", _("审核")
    SUMMARY = "summary", _("汇总")
    PART = "part", _("办理环节")
    INSTRUCTION = "instruction", _("领导批示")
    SLIP = "slip", _("督办单")
    EXTENSION = "extension", _("延期申请")
    COMPLETION = "completion", _("办结申请")
    MILESTONE = "milestone", _("任务节点")
    URGE = "urge", _("一键催办")


class SlipTrigger(models.TextChoices):
    """At which step of the chase ladder Duban proposes 督办单 drafts."""

    OFF = "off", _("不拟发")
    YELLOW = "yellow", _("黄色督办时")
    RED = "red", _("红色督办时")


class SlipLevel(models.TextChoices):
    MANUAL = "manual", _("牵头办公室签发")
    YELLOW = "yellow", _("黄色督办")
    RED = "red", _("红色督办")
