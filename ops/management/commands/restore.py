from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("用备份归档替换当前数据库，并写回全部附件。请先停止 Web 和 Worker。")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help=_("不再确认"))

    def handle(self, *args, archive: Path, yes: bool, **options):
        if not archive.is_file():
            raise CommandError(_("找不到备份文件：%(path)s") % {"path": archive})
        if not yes and input(_("将用备份替换当前数据库，输入 yes 继续：")).strip() != "yes":
            raise CommandError(_("已取消"))
        try:
            manifest = backup_restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("已恢复 %(created)s 的备份（%(media)s 个附件）")
                          % {"created": manifest["created_at"], "media": len(manifest["media"])})
