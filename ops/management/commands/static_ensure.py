from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ops.staticfiles import static_ensure


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("仅在静态文件有变化时运行 collectstatic（按文件名、大小和修改时间判断）。")

    def handle(self, *args, **options):
        ran = static_ensure()
        self.stdout.write(_("静态文件已重新生成") if ran else _("静态文件无变化，跳过"))
