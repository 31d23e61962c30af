from django.utils.translation import gettext_lazy as _

from ...filtersets import AssessmentFilterSet, BulletinFilterSet, MeetingFilterSet
from ...selectors.cycle_records import assessment_list, bulletin_list, meeting_list
from ..serializers.cycle import (
    AssessmentDetailSerializer,
    AssessmentSerializer,
    BulletinDetailSerializer,
    BulletinSerializer,
    MeetingSerializer,
)
from .base import ReadOnlyViewSet, described


@described(_("专题会议"), _("月度专题会议和季度专题研究及其议定事项。"
           "部门用户只看到本部门承担的议定事项。"))
class MeetingViewSet(ReadOnlyViewSet):
    schema_tag = _("督办周期")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    search_fields = ["title", "notes"]
    search_description = _("会议名称、会议纪要")
    ordering_fields = ["held_on", "kind", "state"]

    def get_queryset(self):
        return meeting_list(self.access)


@described(_("季度通报"), _("季度通报（发布时的内容快照）。部门用户只看到已发布的通报。"
           "列表不含内容快照和各部门按时报送率，详情含。"))
class BulletinViewSet(ReadOnlyViewSet):
    schema_tag = _("督办周期")
    filterset_class = BulletinFilterSet
    search_fields = ["number"]
    search_description = _("期号")
    ordering_fields = ["year", "quarter", "published_at"]

    def get_queryset(self):
        return bulletin_list(self.access, content=self.action == "retrieve")

    def get_serializer_class(self):
        return BulletinDetailSerializer if self.action == "retrieve" else BulletinSerializer


@described(_("年度考核"), _("年度考核及各部门得分。部门用户只看到已公示或已定稿的考核。"
           "列表不含各部门得分，详情含（按名次）。"))
class AssessmentViewSet(ReadOnlyViewSet):
    schema_tag = _("督办周期")
    filterset_class = AssessmentFilterSet
    ordering_fields = ["year", "state"]

    def get_queryset(self):
        return assessment_list(self.access, scores=self.action == "retrieve")

    def get_serializer_class(self):
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer
