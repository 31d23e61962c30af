from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks_app.importing import FORMATS, ImportFailed, parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.importing.preview import plan_preview


class Command(BaseCommand):
    help = ("导入计划文件(.txt/.md/.docx);同一文件重复导入不产生重复数据。"
            "最后一行总是 plan: <计划代码>。")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                            help="文件格式(默认自动识别)")
        parser.add_argument("--dry-run", action="store_true",
                            help="只显示预览和将要发生的变化,不写入")
        parser.add_argument("--accept-aliases", action="store_true",
                            help="采纳全部别名建议(与现有部门相似的名称设为其别名)")
        parser.add_argument("--accept-alias", action="append", default=[], metavar="名称",
                            help="采纳某一个别名建议(可重复)")

    def handle(self, *args, path: Path, format: str, dry_run: bool, accept_aliases: bool,
               accept_alias: list[str], **options):
        aliases = {"accept_aliases": accept_alias, "accept_all_aliases": accept_aliases}
        try:
            parsed = parse_document(read_document(path), format)
            parsed.source_name = path.name
            if dry_run:
                preview = plan_preview(parsed, **aliases)
                result = preview.result
                for line in preview.lines():
                    self.stdout.write(line)
            else:
                result = plan_load(parsed, **aliases)
        except ImportFailed as error:
            raise CommandError(f"导入失败({path}):{error}") from error
        if dry_run:
            self.stdout.write("将发生的变化:")
        for line in result.changes:
            self.stdout.write(line)
        if not dry_run:
            for number, line in parsed.unparsed:
                self.stdout.write(f"未识别 第{number}行:{line}")
        counts = "、".join(f"{name} {count}" for name, count in sorted(result.counts.items()))
        if dry_run:
            self.stdout.write(f"试运行,未写入任何数据。将发生的变化:{counts or '无'}")
        elif result.changes:
            self.stdout.write(self.style.SUCCESS(f"导入完成:{counts}"))
        else:
            self.stdout.write("无变化:数据库已与文件一致。")
        self.stdout.write(f"plan: {parsed.code}")
