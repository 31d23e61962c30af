"""The lifecycle in the API, through the same services as the portal: extension and
completion requests, 督办单 and leaders' instructions as resources with their transitions,
and the task-level actions (acknowledge, suspend, resume, transfer) on the task.

Writes accept the object's ``version`` in the body or its ETag in If-Match (409 / 412 when
someone acted first). Objects the user may not see are 404; an action the user's role does
not allow is 403; a state that does not allow it is 400, with the reason in Chinese.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.i18n import lazy_concat
from departments.access import access_for
from departments.models import Department

from ...filtersets_lifecycle import (
    CompletionRequestFilterSet,
    ExtensionRequestFilterSet,
    InstructionFilterSet,
    SlipFilterSet,
)
from ...models import (
    Assignment,
    CompletionRequest,
    ExtensionRequest,
    LeaderInstruction,
    ProgressReport,
    Task,
)
from ...permissions import reporting_departments, visible_reports, visible_tasks
from ...rules.machine import check_version
from ...rules.states import INACTIVE_PARTS
from ...selectors.lifecycle import visible_slips
from ...services.lifecycle import (
    completions,
    extensions,
    instructions,
    parts,
    slips,
    suspension,
)
from ..concurrency import Expectation
from ..serializers import lifecycle as s
from .base import ApiView, versioned_response

SAME = _("规则与门户相同（同一套服务）。")


def same(description) -> str:
    """"Same rules as the portal" before ``description``, translated when shown."""
    return lazy_concat(SAME, description)


def _found(queryset, pk: int, field: str, noun: str):
    """An object named in the request body, within what the user may see (else a 400)."""
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise ValidationError(
            {field: [_("%(noun)s不存在，或不在您的可见范围内。") % {"noun": noun}]})
    return item


class LifecycleViewSet(ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    schema_tag = _("办理环节")
    http_method_names = ["get", "post", "head", "options"]
    versioned = True

    def retrieve(self, request, *args, **kwargs):
        return versioned_response(self, self.get_object())

    def _fresh(self, obj, status: int = 200) -> Response:
        return versioned_response(self, self.get_queryset().get(pk=obj.pk), status)

    def _transition(self, request, serializer_class, service, **fixed):
        """Validate the body, run ``service`` on the object with the expected version."""
        obj = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expectation = Expectation(request, obj, values.pop("version", None))
        done = expectation.run(service, actor=request.user, **fixed,
                               **{self.object_argument: obj}, **values)
        return self._fresh(done)

    @property
    def tasks(self):
        return visible_tasks(self.access)


@extend_schema_view(
    list=extend_schema(summary=_("延期申请列表"), description=_("可见任务上的延期申请。")),
    retrieve=extend_schema(summary=_("延期申请详情"),
                           description=_("响应头 ETag 可用于 If-Match。")),
    create=extend_schema(summary=_("申请延期"), request=s.ExtensionFileSerializer,
                         responses={201: s.ExtensionRequestSerializer},
                         description=same(_("本部门联络员或负责人在完成时限前申请"
                                            "（负责人申请视同审核）；逾期后的申请只在计划允许时受理。"))),
    endorse=extend_schema(summary=_("负责人审核延期申请"), request=s.EndorseSerializer,
                          responses=s.ExtensionRequestSerializer,
                          description=same(_("本部门负责人审核同意（报牵头办公室）或退回（须填意见）。"))),
    decide=extend_schema(summary=_("牵头办公室审批延期申请"),
                         request=s.ExtensionDecisionSerializer,
                         responses=s.ExtensionRequestSerializer,
                         description=same(_("同意时任务完成时限改为批准的日期（历史保留原定时限）；"
                                            "不同意须填写理由。"))),
)
class ExtensionRequestViewSet(LifecycleViewSet):
    serializer_class = s.ExtensionRequestSerializer
    filterset_class = ExtensionRequestFilterSet
    ordering_fields = ["requested_at", "state", "proposed_due_on"]
    object_argument = "request"

    def get_queryset(self):
        return (ExtensionRequest.objects.filter(assignment__task__in=self.tasks.values("pk"))
                .select_related("assignment__department", "requested_by", "endorsed_by",
                                "decided_by"))

    def create(self, request, *args, **kwargs):
        serializer = s.ExtensionFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        part = _found(Assignment.objects.filter(task__in=self.tasks.values("pk")),
                      data["assignment"], "assignment", _("责任分工"))
        done = extensions.extension_request_file(
            part=part, proposed_due_on=data["proposed_due_on"], reason=data["reason"],
            actor=request.user)
        return self._fresh(done, 201)

    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        return self._transition(request, s.EndorseSerializer,
                                extensions.extension_request_endorse)

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._transition(request, s.ExtensionDecisionSerializer,
                                extensions.extension_request_decide)


@extend_schema_view(
    list=extend_schema(summary=_("办结申请列表"), description=_("可见任务上的办结申请。")),
    retrieve=extend_schema(summary=_("办结申请详情"),
                           description=_("响应头 ETag 可用于 If-Match。")),
    create=extend_schema(summary=_("申请办结"), request=s.CompletionFileSerializer,
                         responses={201: s.CompletionRequestSerializer},
                         description=same(_("只有牵头部门可以申请；佐证材料请在门户上传。"))),
    decide=extend_schema(summary=_("办结审核（销号）"), request=s.CompletionDecisionSerializer,
                         responses=s.CompletionRequestSerializer,
                         description=same(_("牵头办公室同意办结（任务办结）、要求补充办理、"
                                            "不同意办结（退回办理）或需要整改（新的整改时限）。"))),
)
class CompletionRequestViewSet(LifecycleViewSet):
    serializer_class = s.CompletionRequestSerializer
    filterset_class = CompletionRequestFilterSet
    ordering_fields = ["filed_at", "decision"]
    object_argument = "request"

    def get_queryset(self):
        return (CompletionRequest.objects.filter(task__in=self.tasks.values("pk"))
                .select_related("department", "filed_by", "decided_by")
                .prefetch_related("attachments"))

    def create(self, request, *args, **kwargs):
        serializer = s.CompletionFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = _found(self.tasks, data["task"], "task", _("任务"))
        department = _found(Department.objects, data["department"], "department", _("部门"))
        done = completions.completion_request_file(task=task, department=department,
                                                   results=data["results"], actor=request.user)
        return self._fresh(done, 201)

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._transition(request, s.CompletionDecisionSerializer,
                                completions.completion_request_decide)


@extend_schema_view(
    list=extend_schema(summary=_("督办单列表"),
                       description=_("牵头办公室看到全部（含待签发的草稿）；管理领导看到已签发的；"
                                     "部门用户看到发给本部门且已签发的。")),
    retrieve=extend_schema(summary=_("督办单详情"), description=_("PDF 见门户 /slips/{id}/pdf/。")),
    create=extend_schema(summary=_("拟稿督办单"), request=s.SlipIssueSerializer,
                         responses={201: s.SlipSerializer},
                         description=same(_("牵头办公室向承担任务的部门拟稿"
                                            "（sign 为 true 时同时签发）；签发后才按年度连续编号。"))),  # noqa: E501
    sign=extend_schema(summary=_("签发督办单"), request=s.VersionOnlySerializer,
                       responses=s.SlipSerializer,
                       description=same(_("牵头办公室审核签发草稿：编号、通知主送部门、计入通报和考核。"))),
    void=extend_schema(summary=_("作废督办单"), request=s.SlipVoidSerializer,
                       responses=s.SlipSerializer,
                       description=same(_("牵头办公室填写原因作废；编号保留在登记簿中，不再计入通报和考核。"))),
    receive=extend_schema(summary=_("签收督办单"), request=s.VersionOnlySerializer,
                          responses=s.SlipSerializer,
                          description=same(_("主送部门签收。"))),
    answer=extend_schema(summary=_("反馈督办单"), request=s.SlipAnswerSerializer,
                         responses=s.SlipSerializer,
                         description=same(_("签收后反馈办理情况。"))),
)
class SlipViewSet(LifecycleViewSet):
    serializer_class = s.SlipSerializer
    filterset_class = SlipFilterSet
    ordering_fields = ["issued_at", "respond_by", "state", "year", "sequence"]
    object_argument = "slip"

    def get_queryset(self):
        return visible_slips(self.request.user).select_related(
            "issued_by", "received_by", "answered_by", "voided_by", "drafted_by"
        ).prefetch_related("items")

    def create(self, request, *args, **kwargs):
        serializer = s.SlipIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = _found(self.tasks, data["task"], "task", _("任务"))
        department = _found(Department.objects, data["department"], "department", _("部门"))
        done = slips.slip_issue(task=task, department=department, reason=data["reason"],
                                respond_by=data["respond_by"], actor=request.user,
                                required_response=data["required_response"],
                                sign=data["sign"])
        return self._fresh(done, 201)

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._transition(request, s.VersionOnlySerializer, slips.slip_sign)

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._transition(request, s.SlipVoidSerializer, slips.slip_void)

    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._transition(request, s.VersionOnlySerializer, slips.slip_receive)

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._transition(request, s.SlipAnswerSerializer, slips.slip_answer)


@extend_schema_view(
    list=extend_schema(summary=_("领导批示列表"),
                       description=_("可见任务上的领导批示及已反馈的部门。")),
    retrieve=extend_schema(summary=_("领导批示详情"), description=_("可见任务上的领导批示。")),
    create=extend_schema(summary=_("作出批示"), request=s.InstructionCreateSerializer,
                         responses={201: s.InstructionSerializer},
                         description=same(_("只有领导可以批示；批示对象立即收到通知，"
                                            "须在下次报送时填写落实情况。"))),
)
class InstructionViewSet(LifecycleViewSet):
    serializer_class = s.InstructionSerializer
    filterset_class = InstructionFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (LeaderInstruction.objects.filter(task__in=self.tasks.values("pk"))
                .select_related("author").prefetch_related("departments", "replies"))

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)  # no version: no ETag

    def create(self, request, *args, **kwargs):
        serializer = s.InstructionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = _found(self.tasks, data["task"], "task", _("任务"))
        report = None
        if data["report"] is not None:
            report = _found(visible_reports(self.access, ProgressReport.objects.filter(
                task=task)).select_related("department", "period"), data["report"], "report",
                _("报送"))
        departments = list(Department.objects.filter(pk__in=data["departments"]))
        if len(departments) != len(set(data["departments"])):
            raise ValidationError({"departments": [_("部门不存在。")]})
        done = instructions.instruction_create(task=task, text=data["text"],
                                               actor=request.user, report=report,
                                               departments=departments or None)
        return Response(self.get_serializer(self.get_queryset().get(pk=done.pk)).data,
                        status=201)


def _part_of(task: Task, department_id: int, field: str) -> Assignment:
    part = (Assignment.objects.filter(task=task, department_id=department_id)
            .exclude(state__in=INACTIVE_PARTS).first())
    if part is None:
        raise ValidationError({field: [_("该部门不承担此任务。")]})
    return part


def _acknowledge(*, task: Task, actor, department: int | None) -> None:
    if department is None:
        mine = reporting_departments(access_for(actor), task)
        if len(mine) != 1:
            raise ValidationError({"department": [_("请指定签收的部门。")]})
        department = mine[0]
    parts.part_acknowledge(part=_part_of(task, department, "department"), actor=actor)


def _transfer(*, task: Task, actor, department: int, to_department: int, reason: str) -> None:
    target = Department.objects.filter(pk=to_department, is_active=True).first()
    if target is None:
        raise ValidationError({"to_department": [_("部门不存在或已停用。")]})
    suspension.part_transfer(part=_part_of(task, department, "department"), department=target,
                             actor=actor, reason=reason)


TASK_ACTIONS = {
    "acknowledge": (s.TaskAcknowledgeSerializer, _acknowledge),
    "suspend": (s.TaskReasonSerializer, suspension.task_suspend),
    "resume": (s.TaskReasonSerializer, suspension.task_resume),
    "transfer": (s.TaskTransferSerializer, _transfer),
}


def _task_action(summary: str, description: str, name: str):
    return extend_schema(summary=summary, request=TASK_ACTIONS[name][0],
                         description=lazy_concat(SAME, description,
                                                 _("可提交任务的 version 或 If-Match。")))


class TaskLifecycleActions:
    """签收 / 中止 / 恢复 / 转办 on ``/tasks/{id}/…/`` (mixed into the task viewset). The
    task is locked and its version compared before the service runs."""

    def _lifecycle(self, request, name: str):
        task = self.get_object()
        serializer_class, service = TASK_ACTIONS[name]
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expectation = Expectation(request, task, values.pop("version", None))
        with expectation.refusals(), transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            check_version(locked, expectation.version)
            service(task=locked, actor=request.user, **values)
        return versioned_response(self, self.get_queryset().get(pk=task.pk))

    @_task_action(_("签收"), _("本部门联络员或负责人签收本部门的分工（逾期签收计入考核）。"),
                  "acknowledge")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._lifecycle(request, "acknowledge")

    @_task_action(_("中止任务"), _("牵头办公室中止任务（须填原因），提醒和催报随之停止。"), "susp"
                                                              "end")
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._lifecycle(request, "suspend")

    @_task_action(_("恢复办理"), _("牵头办公室恢复已中止的任务（须填原因）。"), "resume")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._lifecycle(request, "resume")

    @_task_action(_("转办"), _("牵头办公室把一个部门的分工转给另一个部门（须填原因），"
                  "新部门须签收。"), "transfer")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._lifecycle(request, "transfer")
