from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from seeds.demo import demo_accounts_ensure


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("创建演示账号：牵头办公室、领导，以及每个部门的联络员和负责人；"
                 "每行输出 用户名<TAB>角色<TAB>部门。重复运行不新建账号。")

    def add_arguments(self, parser):
        parser.add_argument("--password", help=_("所有演示账号的密码（默认随机生成并输出）"))

    def handle(self, *args, password: str | None, **options):
        accounts, password = demo_accounts_ensure(password)
        for account in accounts:
            self.stdout.write(f"{account.username}\t{account.role}\t{account.department}")
        self.stdout.write(_("演示账号密码：%(password)s") % {"password": password})
