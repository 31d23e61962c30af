"""督办单: numbered supervision slips (哈经开督〔2026〕7号) addressed to a department about
one item, issued by the lead office or by the cycle when the chase reaches the plan's slip
level; the department confirms receipt and answers.

Numbers run per prefix and year without gaps or duplicates: the prefix-year counter row is
locked for the rest of the transaction before any slip is written, and a rolled-back slip
rolls its number back with it.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department

from ...choices import EventKind, SlipLevel
from ...formatting import cn_date, cn_month
from ...history import record, task_event
from ...i18n import site_language
from ...models import Plan, ReportingPeriod, SlipSequence, SupervisionSlip, Task
from ...permissions import department_ids_on_task
from ...rules.obligations import MissingReport
from ...workdays import add_working_days
from .machine import actor_roles, check_version
from .slip_notices import slip_notify
from .tables import SLIP

DEFAULT_RESPONSE = (gettext_lazy("请认真研究落实,于反馈时限前在督办系统中书面反馈办理情况;"
                    "未能按期完成的,说明原因及下步措施。"))


def slip_sequence_lock(prefix: str, year: int) -> SlipSequence:
    """The counter of ``prefix`` and ``year``, created if need be and locked until commit."""
    SlipSequence.objects.get_or_create(prefix=prefix, year=year)
    return SlipSequence.objects.select_for_update().get(prefix=prefix, year=year)


def _numbered(slips: list[SupervisionSlip], prefix: str, year: int,
              counter: SlipSequence) -> list[SupervisionSlip]:
    for offset, slip in enumerate(slips, start=1):
        slip.prefix, slip.year, slip.sequence = prefix, year, counter.last + offset
    counter.last += len(slips)
    counter.save(update_fields=["last"])
    created = SupervisionSlip.objects.bulk_create(slips)
    record(*(task_event(slip.task_id, EventKind.SLIP, actor=slip.issued_by,
                        department_id=slip.department_id, field="slip",
                        after=f"{slip.number}({SLIP.label(slip.state)})",
                        reason=slip.reason[:500]) for slip in created))
    return created


def _check_respond_by(respond_by: datetime.date | None) -> datetime.date:
    if respond_by is None:
        raise ValidationError({"respond_by": _("请填写反馈时限。")})
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": _("反馈时限不能早于今天。")})
    return respond_by


@transaction.atomic
def slip_issue(*, task: Task, department: Department, reason: str, actor: User,
               respond_by: datetime.date, required_response: str = "") -> SupervisionSlip:
    """The lead office issues a slip to a department working on the task."""
    SLIP.check("issue", None, actor_roles(actor, department.pk))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写督办事由。")})
    if department.pk not in department_ids_on_task(task):
        raise ValidationError({"department": _("%(department)s不承担任务 %(number)s。")
                               % {"department": department.name, "number": task.number}})
    respond_by = _check_respond_by(respond_by)
    plan = Plan.objects.get(pk=task.plan_id)
    today = timezone.localdate()
    counter = slip_sequence_lock(plan.slip_prefix, today.year)
    with site_language():  # the slip is an official document in the site's language
        default_response = str(DEFAULT_RESPONSE)
    slip = SupervisionSlip(
        task=task, department=department, level=SlipLevel.MANUAL, reason=reason,
        required_response=(required_response or "").strip() or default_response,
        respond_by=respond_by, issued_by=actor, item_title=f"{task.number}. {task.title}"[:600],
        addressee=department.name, item_due_on=task.due_on)
    [slip] = _numbered([slip], plan.slip_prefix, today.year, counter)
    slip_notify(slip, task)
    return slip


def slips_issue_for_missing(*, plan: Plan, period: ReportingPeriod, level: str,
                            rows: Iterable[MissingReport], late_days: int,
                            today: datetime.date) -> list[SupervisionSlip]:
    """Slips from the chase (no user: the system), one per missing (task, department) of the
    period that has none yet. Run inside the cycle step's transaction."""
    SLIP.check("issue", None, actor_roles(None, None))
    counter = slip_sequence_lock(plan.slip_prefix, today.year)
    rows = list(rows)
    issued = set(SupervisionSlip.objects.filter(period=period).values_list(
        "task_id", "department_id"))
    due = dict(Task.objects.filter(pk__in={r.task_id for r in rows}).values_list("pk", "due_on"))
    respond_by = add_working_days(today, plan.schedule.slip_response_days)
    label = SlipLevel(level).label
    slips = []
    for row in rows:
        if (row.task_id, row.department_id) in issued:
            continue
        issued.add((row.task_id, row.department_id))
        slips.append(SupervisionSlip(
            task_id=row.task_id, department_id=row.department_id, period=period, level=level,
            item_title=f"{row.task_number}. {row.task_title}"[:600],
            addressee=row.department_name, item_due_on=due.get(row.task_id),
            respond_by=respond_by,
            reason=_("%(department)s未按时报送%(month)s“%(number)s. %(title)s”的进展情况"
                     "(报送截止日%(deadline)s),截至%(today)s已逾期 %(late)s 个工作日,"
                     "现予%(level)s。")
            % {"department": row.department_name, "month": cn_month(period.month),
               "number": row.task_number, "title": row.task_title,
               "deadline": cn_date(period.deadline), "today": cn_date(today),
               "late": late_days, "level": label},
            required_response=_("请于%(date)s前在督办系统中报送该事项%(month)s进展情况,"
                                "并书面说明逾期原因及整改措施。")
            % {"date": cn_date(respond_by), "month": cn_month(period.month)},
        ))
    return _numbered(slips, plan.slip_prefix, today.year, counter) if slips else []


def _locked(slip: SupervisionSlip) -> SupervisionSlip:
    return SupervisionSlip.objects.select_for_update().get(pk=slip.pk)


def _move(slip: SupervisionSlip, action: str, actor: User, reason: str) -> SupervisionSlip:
    step = SLIP.check(action, slip.state, actor_roles(actor, slip.department_id))
    before, slip.state = slip.state, step.target
    slip.version += 1
    slip.save()
    record(task_event(slip.task_id, EventKind.SLIP, actor=actor,
                      department_id=slip.department_id, field="slip",
                      before=f"{slip.number}({SLIP.label(before)})",
                      after=f"{slip.number}({SLIP.label(slip.state)})", reason=reason))
    return slip


@transaction.atomic
def slip_receive(*, slip: SupervisionSlip, actor: User,
                 expected_version: int | None = None) -> SupervisionSlip:
    """The department confirms it has received the slip."""
    slip = _locked(slip)
    check_version(slip, expected_version)
    slip.received_by, slip.received_at = actor, timezone.now()
    return _move(slip, "receive", actor, _("签收督办单"))


@transaction.atomic
def slip_answer(*, slip: SupervisionSlip, actor: User, answer: str,
                expected_version: int | None = None) -> SupervisionSlip:
    """The department answers the slip (what it has done, by the response deadline)."""
    slip = _locked(slip)
    check_version(slip, expected_version)
    SLIP.check("answer", slip.state, actor_roles(actor, slip.department_id))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写反馈内容。")})
    slip.answer, slip.answered_by, slip.answered_at = answer, actor, timezone.now()
    late = timezone.localdate() > slip.respond_by
    return _move(slip, "answer", actor, answer[:500] + (_("(逾期反馈)") if late else ""))
