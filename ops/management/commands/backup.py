from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("备份数据库和全部附件到一个带日期的归档文件，并只保留最近的若干份。")

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=Path(settings.DUBAN_BACKUP_DIR),
                            help=_("备份目录（默认 DUBAN_BACKUP_DIR 或 var/backups）"))
        parser.add_argument("--keep", type=int, default=settings.DUBAN_BACKUP_KEEP,
                            help=_("保留最近几份（默认 DUBAN_BACKUP_KEEP 或 14）"))

    def handle(self, *args, dir: Path, keep: int, **options):
        try:
            archive = backup_create(dir, keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
