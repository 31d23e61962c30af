import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.choices import DeliveryState, Kind
from notifications.cycle import run_cycle
from notifications.dispatch import InProcess


def _moment(value: str | None) -> datetime.datetime:
    if not value:
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"无法识别的时间“{value}”,请使用 ISO 格式,如 2026-03-26T09:00") \
            from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = ("按指定时间运行一次督办周期(与 Celery 定时任务同样的判断),"
            "并在本进程内通过 EMAIL_BACKEND 发送产生的消息,按类别输出发送结果。")

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO 时间,如 2026-03-26T09:00(默认为当前时间,"
                                         "不带时区时按 Asia/Shanghai)")

    def handle(self, *args, at: str | None, **options):
        now = _moment(at)
        sender = InProcess()
        result = run_cycle(now, dispatch=sender)
        local = timezone.localtime(now)
        self.stdout.write(f"督办周期 {local:%Y-%m-%d %H:%M}({local.tzname()})")
        sent = {kind: n for (state, kind), n in sender.outcomes.items()
                if state == DeliveryState.SENT}
        for kind in Kind.values:
            if sent.get(kind):
                self.stdout.write(f"  已发送 {kind}\t{Kind(kind).label}\t{sent[kind]}")
        if not sent:
            self.stdout.write("  没有需要发送的消息。")
        retry = sum(n for (state, _), n in sender.outcomes.items() if state == "retry")
        failed = sum(n for (state, _), n in sender.outcomes.items()
                     if state == DeliveryState.FAILED)
        if retry or failed:
            self.stdout.write(self.style.WARNING(
                f"  发送失败 {retry + failed} 条(其中 {retry} 条将按退避时间重试),"
                f"详见后台“通知”。"))
        if result.failed_steps:
            raise CommandError(f"以下步骤出错(其余已完成):{'、'.join(result.failed_steps)}")
