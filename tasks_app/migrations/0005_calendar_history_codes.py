# History stores codes, not words: before/after of state fields become codes, and the
# closing times the reports and the assessment need become columns (tasks_app.event_values).

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery

# The labels as they were written (in either language of the site) → codes; frozen here
# so that rewording a label later cannot change what this migration does.
LABELS = {
    "status": {
        "待分配": "new", "待签收": "pending_ack", "办理中": "in_progress",
        "办结申请中": "completion_requested", "整改中": "rectifying", "已办结": "completed",
        "已中止": "suspended",
        "Unassigned": "new", "Awaiting acknowledgement": "pending_ack",
        "In progress": "in_progress", "Completion requested": "completion_requested",
        "Rectifying": "rectifying", "Completed": "completed", "Suspended": "suspended",
    },
    "state": {
        "待签收": "pending_ack", "办理中": "in_progress", "延期申请中": "extension_requested",
        "办结申请中": "completion_requested", "补充办理中": "supplementing",
        "整改中": "rectifying", "已办结": "completed", "已中止": "suspended",
        "已转办": "transferred",
        "Awaiting acknowledgement": "pending_ack", "In progress": "in_progress",
        "Extension requested": "extension_requested",
        "Completion requested": "completion_requested", "Further work": "supplementing",
        "Rectifying": "rectifying", "Completed": "completed", "Suspended": "suspended",
        "Transferred": "transferred",
    },
    "report_state": {
        "草稿": "draft", "已报送": "submitted", "负责人已审核": "head_approved",
        "已退回": "returned", "已采纳": "accepted",
        "Draft": "draft", "Submitted": "submitted", "Approved by head": "head_approved",
        "Returned": "returned", "Accepted": "accepted",
    },
    "completion": {
        "待审核": "pending", "同意办结": "approved", "补充办理": "supplement",
        "不同意办结": "rejected", "需要整改": "rectify",
        "Awaiting review": "pending", "Completion approved": "approved",
        "Further work required": "supplement", "Refuse completion": "rejected",
        "Rectification required": "rectify",
    },
    "extension": {
        "待负责人审核": "pending_head", "待牵头办公室审批": "pending_decision",
        "已同意": "approved", "未同意": "refused", "负责人退回": "returned",
        "Awaiting the head's review": "pending_head",
        "Awaiting the lead office's decision": "pending_decision", "Approved": "approved",
        "Refused": "refused", "Returned by the head": "returned",
    },
    "health_override": {
        "自动": "", "正常": "green", "预警": "yellow", "滞后": "red", "未更新": "stale",
        "Automatic": "", "On track": "green", "Warning": "yellow", "Behind": "red",
        "Stale": "stale",
    },
}
CLOSED_TASKS = ("completed", "suspended")
CLOSED_PARTS = ("completed", "suspended")


def labels_to_codes(apps, schema_editor):
    TaskEvent = apps.get_model("tasks_app", "TaskEvent")
    for field, codes in LABELS.items():
        events = TaskEvent.objects.filter(field=field)
        for column in ("before", "after"):
            for label, code in codes.items():
                events.filter(**{column: label}).update(**{column: code})


def fill_closed_at(apps, schema_editor):
    """The last closing in the history of each closed task and closed department part."""
    Task = apps.get_model("tasks_app", "Task")
    Assignment = apps.get_model("tasks_app", "Assignment")
    TaskEvent = apps.get_model("tasks_app", "TaskEvent")
    task_closed = (TaskEvent.objects.filter(task=OuterRef("pk"), kind="status", field="status",
                                            after__in=CLOSED_TASKS).order_by()
                   .values("task").annotate(last=Max("at")).values("last"))
    Task.objects.filter(status__in=CLOSED_TASKS).update(closed_at=Subquery(task_closed))
    part_closed = (TaskEvent.objects.filter(task=OuterRef("task"),
                                            department=OuterRef("department"),
                                            kind="part", field="state", after__in=CLOSED_PARTS).order_by()
                   .values("task", "department").annotate(last=Max("at")).values("last"))
    Assignment.objects.filter(state__in=CLOSED_PARTS, department__isnull=False).update(
        closed_at=Subquery(part_closed))


def forwards(apps, schema_editor):
    labels_to_codes(apps, schema_editor)
    fill_closed_at(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('tasks_app', '0004_calendar_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='closed_at',
            field=models.DateTimeField(blank=True, help_text='最近一次办结或中止的时间;重新打开时清空', null=True, verbose_name='办结/中止时间'),
        ),
        migrations.AddField(
            model_name='task',
            name='closed_at',
            field=models.DateTimeField(blank=True, help_text='最近一次办结或中止的时间;重新打开时清空', null=True, verbose_name='办结/中止时间'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
