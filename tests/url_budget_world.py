"""A data set with one of everything the URLs show, at a chosen size, for the URL budget test.

The synthetic plans (seeds.synthetic) give plans, tasks, parts, periods and reports; this
adds, through the services where they exist, what the synthetic set lacks — slips,
instructions, extension and completion requests, meetings, bulletins, assessments,
notifications, attachments, readings, groups, aliases, tokens, import drafts — ``k`` of
each around the object a page shows, so a page whose queries follow its rows shows it
when ``k`` grows.
"""

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from audit.services import audit_record
from departments.choices import Role
from departments.models import (
    Department,
    DepartmentAlias,
    DepartmentGroup,
    Membership,
    Person,
    RosterImport,
)
from notifications.models import (
    CalendarFeed,
    DigestSubscription,
    Notification,
    NotificationItem,
    WebhookEndpoint,
)
from seeds.bench import PRIMARY_SEED, lead_office_user
from seeds.synthetic import synthetic_build
from tasks_app.choices import AssignmentRole, ReportState
from tasks_app.models import (
    Assessment,
    Assignment,
    Attachment,
    Bulletin,
    CompletionRequest,
    ExportJob,
    ExtensionRequest,
    ImportDraft,
    LeaderInstruction,
    Meeting,
    MeetingDecision,
    Milestone,
    Plan,
    ProgressReport,
    ReportingPeriod,
    SupervisionSlip,
    Target,
    TargetAssignment,
    TargetReading,
    Task,
)
from tasks_app.services.assessments import assessment_compute
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish
from tasks_app.services.exports import export_ledger_start, export_run
from tasks_app.services.lifecycle.completions import completion_request_file
from tasks_app.services.lifecycle.extensions import extension_request_file
from tasks_app.services.lifecycle.instructions import instruction_create
from tasks_app.services.lifecycle.slips import slip_issue
from tasks_app.services.meetings import decision_record
from tasks_app.services.periods import period_ensure


@dataclass
class World:
    liaison: User
    head: User
    manager: User
    lead: User
    department: Department
    plan: Plan
    task: Task
    part: Assignment
    other_part: Assignment
    period: ReportingPeriod
    report: ProgressReport
    attachment: Attachment
    slip: SupervisionSlip
    instruction: LeaderInstruction
    extension: ExtensionRequest
    completion: CompletionRequest
    meeting: Meeting
    decision: MeetingDecision
    bulletin: Bulletin
    assessment: Assessment
    target: Target
    reading: TargetReading
    milestone: Milestone
    roster: RosterImport
    group: DepartmentGroup
    notification: Notification
    calendar_key: str
    draft: ImportDraft
    export: ExportJob


def _member(department: Department, role: str) -> User:
    return Membership.objects.filter(department=department, role=role).select_related(
        "user").order_by("pk").first().user


def _current_report(task, department, period, user, state) -> ProgressReport:
    report, _created = ProgressReport.objects.update_or_create(
        task=task, department=department, period=period,
        defaults={"state": state, "progress": 50, "progress_text": "本月按计划推进。",
                  "submitted_at": timezone.now(), "submitted_by": user})
    return report


def _analyze() -> None:
    """Planner statistics for the rows just written, as autovacuum keeps them in production.

    A flush by an earlier transactional test leaves PostgreSQL believing every table is
    empty; the plans it then picks for the visibility semi-joins take minutes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def world_build(size: dict, k: int) -> World:
    """Synthetic plans of ``size`` plus ``k`` of every other kind of record."""
    synthetic_build(**size, seed=7)
    lead = lead_office_user()
    manager = Membership.objects.filter(role=Role.MANAGER).select_related("user").first().user
    # The department with the most parts among those leading a task: the heaviest pages.
    department = Department.objects.get(pk=Assignment.objects.filter(
        department__in=Assignment.objects.filter(role=AssignmentRole.LEAD)
        .values("department_id")).values("department_id").annotate(n=Count("id"))
        .order_by("-n", "department_id").values_list("department_id", flat=True).first())
    liaison = _member(department, Role.LIAISON)
    head = _member(department, Role.HEAD)
    part = (Assignment.objects.filter(department=department, role=AssignmentRole.LEAD)
            .annotate(n=Count("task__reports")).order_by("-n", "pk").select_related("task")
            .first())
    task = part.task
    plan = task.plan
    other_part = task.assignments.exclude(pk=part.pk).select_related("department").first()
    today = timezone.localdate()
    period = period_ensure(plan, today)
    # This month's reports on the task, one submitted (the head's review queue) and one
    # approved by its head (the lead department's queue), on both data sets alike.
    report = _current_report(task, department, period, liaison, ReportState.SUBMITTED)
    _current_report(task, other_part.department, period, None, ReportState.HEAD_APPROVED)
    attachment = None
    for n in range(k):
        attachment = Attachment.objects.create(
            report=report, file=ContentFile(b"%PDF-1.4 test", name=f"evidence{n}.pdf"),
            original_name=f"佐证材料{n}.pdf", size=13, content_type="application/pdf",
            uploaded_by=liaison)
    slip = None
    for n in range(k):
        slip = slip_issue(task=task, department=department, reason=f"逾期未报送({n})",
                          actor=lead, respond_by=today + datetime.timedelta(days=10),
                          sign=True)
    instruction = None
    for n in range(k):
        instruction = instruction_create(task=task, text=f"请加快推进({n})。", actor=manager)
    extension = extension_request_file(part=other_part, reason="需要更多时间。",
                                       proposed_due_on=task.due_on + datetime.timedelta(days=90),
                                       actor=_member(other_part.department, Role.LIAISON))
    completion = completion_request_file(task=task, department=department, results="已完成。",
                                         actor=liaison)
    meeting = decision = None
    for n in range(k):
        meeting = Meeting.objects.create(
            plan=plan, held_on=today - datetime.timedelta(days=n + 1),
            title=f"专题会议({n})", state=Meeting.State.HELD)
        for m in range(k):
            decision = decision_record(meeting=meeting, text=f"议定事项{n}-{m}。", actor=lead,
                                       departments=[department])
    quarter_end = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = quarter_end - datetime.timedelta(days=1)
    bulletin = bulletin_publish(
        bulletin_generate(plan=plan, year=last.year, quarter=(last.month - 1) // 3 + 1,
                          actor=lead), actor=lead)
    assessment = assessment_compute(plan, today.year, actor=lead)
    target = Target.objects.filter(plan=plan).order_by("pk").first()
    TargetAssignment.objects.create(target=target, department=department,
                                    role=AssignmentRole.LEAD, source_text=department.name)
    Person.objects.update_or_create(user=liaison, defaults={"mobile": f"1380000{k:04d}"})
    for n in range(k):  # lockouts and login records (django-axes), a second factor, audit rows
        AccessAttempt.objects.create(username=f"guess{k}-{n}", ip_address="127.0.0.1",
                                     failures_since_start=n + 1, get_data="", post_data="")
        AccessLog.objects.create(username=liaison.username, ip_address="127.0.0.1")
        AccessFailureLog.objects.create(username=f"guess{k}-{n}", ip_address="127.0.0.1")
        audit_record("login", user=liaison, target=f"budget-{k}-{n}")
    TOTPDevice.objects.get_or_create(user=lead, defaults={"name": "手机", "confirmed": False})
    milestone = None
    for n in range(k):
        milestone = Milestone.objects.create(task=task, title=f"合成节点{n}", position=n,
                                             due_on=today + datetime.timedelta(days=30 + n))
        milestone.departments.add(department)
    reading = None
    for n in range(k):
        reading = TargetReading.objects.create(
            target=target, month=datetime.date(today.year, n + 1, 1), value=10 * (n + 1),
            department=department, reported_by=liaison)
    group = DepartmentGroup.objects.create(name=f"合成部门组{k}")
    group.members.set(Department.objects.order_by("pk")[:k + 1])
    for n in range(k):
        DepartmentAlias.objects.create(department=department, alias=f"{department.name}别名{n}")
    notification = None
    for n in range(k):
        notification = Notification.objects.create(
            kind="chase", dedupe_key=f"budget-{k}-{n}", recipient=liaison,
            address=liaison.email, subject=f"催报({n})", body_text="请报送。")
        for m in range(k):
            NotificationItem.objects.create(notification=notification, key=f"b-{k}-{n}-{m}",
                                            kind="chase", created_on=today)
    WebhookEndpoint.objects.create(name="群机器人", url="https://example.invalid/hook",
                                   department=department)
    subscription = DigestSubscription.objects.create(user=manager)
    subscription.plans.set(Plan.objects.all()[:k])
    feed = CalendarFeed.objects.create(user=liaison, key=f"budget-calendar-key-{k}")
    for user in (liaison, lead):
        Token.objects.get_or_create(user=user)
    permissions = Group.objects.create(name=f"合成权限组{k}")
    permissions.permissions.set(Permission.objects.order_by("pk")[:5 * k])
    permissions.user_set.add(lead)
    draft = ImportDraft.objects.create(
        uploaded_by=lead, file_name="plan.txt", source_format="implementation-plan",
        text=PRIMARY_SEED.read_text(encoding="utf-8"))
    export = None
    for _n in range(k):
        export = export_ledger_start(owner=lead, params={"plan": str(plan.pk)})
        export_run(export.pk)
    _analyze()
    return World(
        liaison=liaison, head=head, manager=manager, lead=lead, department=department,
        plan=plan, task=task, part=part, other_part=other_part, period=period, report=report,
        attachment=attachment, slip=slip, instruction=instruction, extension=extension,
        completion=completion, meeting=meeting, decision=decision, bulletin=bulletin,
        roster=RosterImport.objects.create(file_name="名单.xlsx", uploaded_by=lead, rows=[]),
        assessment=assessment, target=target, reading=reading, milestone=milestone,
        group=group,
        notification=notification, calendar_key=feed.key, draft=draft,
        export=export,
    )
