"""The cycle's own Prometheus metrics, read from the database and Redis at scrape time, so
every web process reports the same numbers whichever worker sent the messages."""

import logging
import time

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

from notifications.choices import DeliveryState
from notifications.models import Notification

from .signals import BEAT_HEARTBEAT_KEY, CYCLE_LAST_RUN_KEY, read_timestamp, redis_client

logger = logging.getLogger(__name__)
UNSENT = (DeliveryState.PENDING, DeliveryState.SENDING)


def _notification_families() -> list:
    by_state = GaugeMetricFamily(
        "duban_notifications",
        "通知条数，按状态（pending 待发送 / sending / sent / failed）、类别和渠道",
        labels=["state", "kind", "channel"])
    rows = (Notification.objects.order_by().values("state", "kind", "channel")
            .annotate(n=Count("id")))
    for row in rows:
        by_state.add_metric([row["state"], row["kind"], row["channel"]], row["n"])
    oldest = Notification.objects.filter(state__in=UNSENT).aggregate(at=Min("created_at"))["at"]
    age = GaugeMetricFamily("duban_notifications_oldest_unsent_age_seconds",
                            "最早一条未发送通知的等待时间（秒），没有则为 0")
    age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
    latency = ExpressionWrapper(F("sent_at") - F("created_at"), output_field=DurationField())
    summary = (Notification.objects.filter(state=DeliveryState.SENT, sent_at__isnull=False)
               .aggregate(n=Count("id"), total=Sum(latency)))
    delivery = SummaryMetricFamily("duban_notification_delivery_latency_seconds",
                                   "已发送通知从生成到发出的时间（秒）")
    total = summary["total"].total_seconds() if summary["total"] else 0.0
    delivery.add_metric([], count_value=summary["n"], sum_value=total)
    attempts = CounterMetricFamily("duban_notification_attempts",
                                   "发送尝试次数合计（含失败后重试）", labels=["channel"])
    for row in (Notification.objects.order_by().values("channel")
                .annotate(n=Sum("attempts"))):
        attempts.add_metric([row["channel"]], row["n"] or 0)
    return [by_state, age, delivery, attempts]


def _redis_families() -> list:
    client = redis_client()
    last_run = GaugeMetricFamily("duban_cycle_last_tick_timestamp_seconds",
                                 "督办周期最近一次运行的时间（Unix 时间戳）")
    beat_age = GaugeMetricFamily("duban_beat_heartbeat_age_seconds",
                                 "beat 心跳距今秒数（心跳过期则无数据）")
    ran = read_timestamp(client, CYCLE_LAST_RUN_KEY)
    if ran is not None:
        last_run.add_metric([], ran)
    beaten = read_timestamp(client, BEAT_HEARTBEAT_KEY)
    if beaten is not None:
        beat_age.add_metric([], max(time.time() - beaten, 0.0))
    return [last_run, beat_age]


class CycleCollector:
    """Registered once in ``OpsConfig.ready``; a failing source is left out, not fatal."""

    def collect(self):
        for source in (_notification_families, _redis_families):
            try:
                yield from source()
            except Exception:
                logger.warning("指标 %s 读取失败", source.__name__, exc_info=True)

    def describe(self):
        return []  # collected only at scrape time (no database access at registration)
