"""督办单: supervision slips addressed to a department about its items, as a formal
instrument: drafted (by the chase ladder, one per department and period listing all its
overdue items, or by the lead office), signed by the lead office (签发人, 签发日期) — only
then numbered (哈经开督〔2026〕7号), sent, shown to the department and counted — and, when
issued in error, voided (作废) with a reason, its number staying in the register.

Numbers run per prefix and year of signing without gaps or duplicates: the prefix-year
counter row is locked for the rest of the transaction before a slip is numbered, and a
rolled-back signing rolls its number back with it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.formatting import cn_date, cn_month
from common.i18n import site_language
from departments.models import Department

from ...choices import EventKind, PeriodState, SlipLevel
from ...history import record, task_event
from ...models import (
    Plan,
    ReportingPeriod,
    Schedule,
    SlipItem,
    SlipSequence,
    SupervisionSlip,
    Task,
)
from ...permissions import department_ids_on_task
from ...record_dates import period_lock_day
from ...rules.machine import actor_roles, check_version
from ...rules.obligations import MissingReport
from ...rules.tables import SLIP
from ...workdays import add_working_days, is_working_day
from .slip_notices import slip_notify

DEFAULT_RESPONSE = (gettext_lazy("请认真研究落实，于反馈时限前在督办系统中书面反馈办理情况；"
                    "未能按期完成的，说明原因及下步措施。"))


def slip_sequence_lock(prefix: str, year: int) -> SlipSequence:
    """The counter of ``prefix`` and ``year``, created if need be and locked until commit."""
    SlipSequence.objects.get_or_create(prefix=prefix, year=year)
    return SlipSequence.objects.select_for_update().get(prefix=prefix, year=year)


def _events(slip: SupervisionSlip, task_ids: Iterable[int], actor: User | None,
            before: str, reason: str) -> list:
    """One history row on every task the slip lists (the slip shows on each task's page):
    the states as codes, the number (once signed) as data; words come at display."""
    return [task_event(task_id, EventKind.SLIP, actor=actor, department_id=slip.department_id,
                       field="slip", before=before, after=slip.state, reason=reason[:500],
                       number=slip.number if slip.signed else "")
            for task_id in task_ids]


def _item_task_ids(slips: list[SupervisionSlip]) -> dict[int, list[int]]:
    tasks: dict[int, list[int]] = defaultdict(list)
    for slip_id, task_id in SlipItem.objects.filter(slip__in=slips).values_list(
            "slip_id", "task_id").order_by("slip_id", "position"):
        tasks[slip_id].append(task_id)
    return tasks


def _create_drafts(slips: list[SupervisionSlip], items: list[list[SlipItem]]) -> list:
    created = SupervisionSlip.objects.bulk_create(slips)
    rows = []
    for slip, own in zip(created, items, strict=True):
        for position, item in enumerate(own, start=1):
            item.slip, item.position = slip, position
            rows.append(item)
    SlipItem.objects.bulk_create(rows)
    record(*(event for slip, own in zip(created, items, strict=True)
             for event in _events(slip, [item.task_id for item in own], slip.drafted_by, "",
                                  slip.reason)))
    return created


def _check_respond_by(respond_by: datetime.date | None) -> datetime.date:
    if respond_by is None:
        raise ValidationError({"respond_by": _("请填写反馈时限。")})
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": _("反馈时限不能早于今天。")})
    return respond_by


@transaction.atomic
def slip_issue(*, task: Task, department: Department, reason: str, actor: User,
               respond_by: datetime.date, required_response: str = "",
               sign: bool = False) -> SupervisionSlip:
    """The lead office drafts a slip to a department working on the task (``sign``: and
    signs it at once)."""
    SLIP.check("draft", None, actor_roles(actor, department.pk))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写督办事由。")})
    if department.pk not in department_ids_on_task(task):
        raise ValidationError({"department": _("%(department)s不承担任务 %(number)s。")
                               % {"department": department.name, "number": task.number}})
    respond_by = _check_respond_by(respond_by)
    plan = Plan.objects.get(pk=task.plan_id)
    with site_language():  # the slip is an official document in the site's language
        default_response = str(DEFAULT_RESPONSE)
    title = f"{task.number}. {task.title}"[:600]
    slip = SupervisionSlip(
        task=task, department=department, level=SlipLevel.MANUAL, reason=reason,
        required_response=(required_response or "").strip() or default_response,
        respond_by=respond_by, prefix=plan.slip_prefix, drafted_by=actor,
        drafted_at=timezone.now(), item_title=title, addressee=department.name,
        item_due_on=task.due_on)
    [slip] = _create_drafts([slip], [[SlipItem(task=task, title=title, due_on=task.due_on)]])
    return slip_sign(slip=slip, actor=actor) if sign else slip


def _ladder_response(period: ReportingPeriod, respond_by: datetime.date) -> str:
    return _("请于%(date)s前在督办系统中报送上述事项%(month)s进展情况，"
             "并书面说明逾期原因及整改措施。") % {"date": cn_date(respond_by),
                                                "month": cn_month(period.month)}


def _ladder_respond_by(schedule: Schedule, period: ReportingPeriod,
                       today: datetime.date) -> datetime.date:
    """The response deadline of a chase slip signed ``today``: the schedule's working days
    later, but never on or after the day the period is locked (the report would be refused)."""
    respond_by = add_working_days(today, schedule.slip_response_days)
    lock_day = period_lock_day(schedule, period.month)
    if respond_by >= lock_day:
        respond_by = lock_day - datetime.timedelta(days=1)
        while not is_working_day(respond_by):
            respond_by -= datetime.timedelta(days=1)
    return respond_by


def slip_drafts_for_missing(*, plan: Plan, period: ReportingPeriod, level: str,
                            rows: Iterable[MissingReport], late_days: int,
                            today: datetime.date) -> list[SupervisionSlip]:
    """The chase ladder's proposal: one draft per department still owing reports for the
    period (none to the plan's lead office itself, none where the period already has one),
    listing all its missing items. With the schedule's automatic signing the drafts are
    signed at once; returns the slips signed now (to be told). Run inside the cycle step's
    transaction."""
    SLIP.check("draft", None, actor_roles(None, None))
    schedule = plan.schedule
    by_department: dict[int, list[MissingReport]] = defaultdict(list)
    for row in rows:
        if row.department_id != plan.lead_office_id:
            by_department[row.department_id].append(row)
    if not by_department:
        return []
    taken = set(SupervisionSlip.objects.filter(period=period, department_id__in=by_department)
                .values_list("department_id", flat=True))
    task_ids = {r.task_id for own in by_department.values() for r in own}
    due = dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "due_on"))
    respond_by = _ladder_respond_by(schedule, period, today)
    label = SlipLevel(level).label
    slips, items = [], []
    for department_id, own in sorted(by_department.items()):
        if department_id in taken:
            continue
        own = sorted({r.task_id: r for r in own}.values(), key=lambda r: r.task_number)
        titles = [f"{r.task_number}. {r.task_title}"[:600] for r in own]
        first = own[0]
        slips.append(SupervisionSlip(
            task_id=first.task_id, department_id=department_id, period=period, level=level,
            prefix=plan.slip_prefix, drafted_at=timezone.now(),
            item_title=(titles[0] if len(own) == 1 else _("%(first)s等 %(count)s 项") % {
                "first": titles[0], "count": len(own)})[:600],
            addressee=first.department_name,
            item_due_on=due.get(first.task_id) if len(own) == 1 else None,
            respond_by=respond_by,
            reason=_("%(department)s未按时报送%(month)s%(count)s项督办事项的进展情况"
                     "（报送截止日%(deadline)s），截至%(today)s已逾期 %(late)s 个工作日，"
                     "现予%(level)s。")
            % {"department": first.department_name, "month": cn_month(period.month),
               "count": len(own), "deadline": cn_date(period.deadline),
               "today": cn_date(today), "late": late_days, "level": label},
            required_response=_ladder_response(period, respond_by),
        ))
        items.append([SlipItem(task_id=r.task_id, title=title, due_on=due.get(r.task_id))
                      for r, title in zip(own, titles, strict=True)])
    created = _create_drafts(slips, items) if slips else []
    if not (created and schedule.slip_auto_sign):
        return []
    return _sign(created, None, today)


def _sign(slips: list[SupervisionSlip], actor: User | None,
          today: datetime.date) -> list[SupervisionSlip]:
    """Number and sign drafts (locked by the caller), in order, with their history."""
    now = timezone.now()
    for slip in slips:
        SLIP.check("sign", slip.state, actor_roles(actor, slip.department_id))
        if slip.period_id is not None:
            period = ReportingPeriod.objects.select_related("plan__schedule").get(
                pk=slip.period_id)
            if period.state == PeriodState.LOCKED:
                raise ValidationError(_("%(month)s填报周期已锁定（季度通报已发布），不能再要求补"
                                        "报；"
                                        "请作废该督办单草稿。") % {"month": cn_month(period.month)})
            slip.respond_by = _ladder_respond_by(period.plan.schedule, period, today)
            if slip.respond_by < today:
                raise ValidationError(_("%(month)s填报周期即将锁定，已来不及要求补报；"
                                        "请作废该督办单草稿。") % {"month": cn_month(period.month)})
            with site_language():
                slip.required_response = _ladder_response(period, slip.respond_by)
        elif slip.respond_by < today:
            raise ValidationError({"respond_by": _("反馈时限已过，请作废该草稿后重新拟稿。")})
    counters: dict[str, SlipSequence] = {}
    task_ids = _item_task_ids(slips)
    events = []
    for slip in slips:
        counter = counters.get(slip.prefix) or slip_sequence_lock(slip.prefix, today.year)
        counters[slip.prefix] = counter
        counter.last += 1
        slip.year, slip.sequence = today.year, counter.last
        slip.state, slip.issued_by, slip.issued_at = SupervisionSlip.State.ISSUED, actor, now
        slip.version += 1
        slip.save()
        events += _events(slip, task_ids[slip.pk] or [slip.task_id], actor,
                          SupervisionSlip.State.DRAFT, _("签发督办单"))
    for counter in counters.values():
        counter.save(update_fields=["last"])
    record(*events)
    return slips


@transaction.atomic
def slip_sign(*, slip: SupervisionSlip, actor: User,
              expected_version: int | None = None) -> SupervisionSlip:
    """The lead office signs a draft: it is numbered, sent to the department (after
    commit) and from now on shown to it and counted."""
    slip = _locked(slip)
    check_version(slip, expected_version)
    [slip] = _sign([slip], actor, timezone.localdate())
    slip_notify(slip, Task.objects.select_related("plan").get(pk=slip.task_id))
    return slip


@transaction.atomic
def slip_void(*, slip: SupervisionSlip, actor: User, reason: str,
              expected_version: int | None = None) -> SupervisionSlip:
    """The lead office voids a slip (作废): the number stays in the register, marked void;
    the slip no longer counts in bulletins and assessments."""
    slip = _locked(slip)
    check_version(slip, expected_version)
    SLIP.check("void", slip.state, actor_roles(actor, slip.department_id))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    slip.voided_by, slip.voided_at, slip.void_reason = actor, timezone.now(), reason
    return _move(slip, "void", actor, reason)


def _locked(slip: SupervisionSlip) -> SupervisionSlip:
    return SupervisionSlip.objects.select_for_update().get(pk=slip.pk)


def _move(slip: SupervisionSlip, action: str, actor: User, reason: str) -> SupervisionSlip:
    step = SLIP.check(action, slip.state, actor_roles(actor, slip.department_id))
    before, slip.state = slip.state, step.to
    slip.version += 1
    slip.save()
    task_ids = _item_task_ids([slip])[slip.pk] or [slip.task_id]
    record(*_events(slip, task_ids, actor, before, reason))
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
    return _move(slip, "answer", actor, answer[:500] + (_("（逾期反馈）") if late else ""))
