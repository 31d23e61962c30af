from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.chain import chain_verify


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("校验审计日志的哈希链：完整时输出条数，否则指出第一条被改动或缺失的记录。")

    def handle(self, *args, **options):
        check = chain_verify()
        if not check.intact:
            reasons = {"hash": _("内容与哈希不符（记录被改动）"),
                       "link": _("上一条的哈希不符（前一条被改动或删除）"),
                       "sequence": _("序号不连续（有记录被删除）")}
            raise CommandError(_("审计日志链断裂：第一处在序号 %(seq)s（id %(id)s）：%(reason)s。")
                               % {"seq": check.broken.seq, "id": check.broken.pk,
                                  "reason": reasons[check.reason]})
        self.stdout.write(_("审计日志完整：%(rows)s 条记录，哈希链校验通过。")
                          % {"rows": check.rows})
