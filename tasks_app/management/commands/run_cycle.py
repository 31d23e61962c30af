import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from common.i18n import join_list
from notifications.choices import DeliveryState, Kind
from notifications.dispatch import InProcess

from ...cycle.run import run_cycle


def _moment(value: str | None) -> datetime.datetime:
    if not value:
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(gettext("无法识别的时间“%(value)s”，请使用 ISO 格式，如 2026-03-26T09:00")  # noqa: E501
                           % {"value": value}) from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return gettext("按指定时间运行一次督办周期（与 Celery 定时任务同样的判断），"
                       "并在本进程内通过 EMAIL_BACKEND 发送产生的消息，按类别输出发送结果。")

    def add_arguments(self, parser):
        parser.add_argument("--at", help=gettext_lazy("ISO 时间，如 2026-03-26T09:00（默认为当前"
                                                      "时间，"
                                           "不带时区时按 Asia/Shanghai）"))

    def handle(self, *args, at: str | None, **options):
        now = _moment(at)
        sender = InProcess()
        result = run_cycle(now, dispatch=sender)
        local = timezone.localtime(now)
        self.stdout.write(gettext("督办周期 %(time)s(%(zone)s)") % {
            "time": f"{local:%Y-%m-%d %H:%M}", "zone": local.tzname()})
        sent = {kind: n for (state, kind), n in sender.outcomes.items()
                if state == DeliveryState.SENT}
        for kind in Kind.values:
            if sent.get(kind):
                self.stdout.write(gettext("  已发送 %(kind)s\t%(label)s\t%(count)s") % {
                    "kind": kind, "label": Kind(kind).label, "count": sent[kind]})
        if not sent:
            self.stdout.write(gettext("  没有需要发送的消息。"))
        retry = sum(n for (state, _), n in sender.outcomes.items() if state == "retry")
        failed = sum(n for (state, _), n in sender.outcomes.items()
                     if state == DeliveryState.FAILED)
        if retry or failed:
            self.stdout.write(self.style.WARNING(
                gettext("  发送失败 %(failed)s 条（其中 %(retry)s 条将按退避时间重试），"
                        "详见后台“通知”。")
                % {"failed": retry + failed, "retry": retry}))
        if result.failed_steps:
            raise CommandError(gettext("以下步骤出错（其余已完成）：%(steps)s")
                               % {"steps": join_list(result.failed_steps)})
