"""Read paths for targets and their monthly readings."""

from django.db.models import Prefetch, QuerySet

from departments.access import Access

from ..models import Target, TargetAssignment, TargetReading
from ..permissions import visible_targets


def target_list(access: Access) -> QuerySet[Target]:
    units = TargetAssignment.objects.select_related("department", "group").order_by(
        "role", "position", "id")
    return visible_targets(access).prefetch_related(Prefetch("assignments", units))


def reading_list(access: Access) -> QuerySet[TargetReading]:
    readings = TargetReading.objects.select_related("target", "department", "reported_by")
    if access.reads_everything:
        return readings
    return readings.filter(target__in=visible_targets(access).values("pk"))
