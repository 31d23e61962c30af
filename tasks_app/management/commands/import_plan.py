from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.i18n import join_list
from departments.models import Department
from tasks_app.importing import FORMATS, ImportFailed, parse_document, read_document
from tasks_app.importing.loader import UnitsUndecided, plan_load
from tasks_app.importing.preview import low_score_reasons, plan_preview


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("导入计划文件（.txt/.md/.docx/.xlsx/.pdf）；同一文件重复导入不产生重复数据。"
                 "最后一行总是 plan: <计划代码>。")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                            help=_("文件格式（默认自动识别）"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("只显示预览和将要发生的变化，不写入"))
        parser.add_argument("--accept-aliases", action="store_true",
                            help=_("采纳全部别名建议（与现有部门相似的名称设为其别名）"))
        parser.add_argument("--accept-alias", action="append", default=[], metavar=_("名称"),
                            help=_("采纳某一个别名建议（可重复）"))
        parser.add_argument("--directory", choices=["auto", "harbin", "none"], default="auto",
                            help=_("部门名录：auto 仅哈尔滨的计划使用内置哈尔滨部门名录；"
                                   "harbin 总是使用；none 不使用"))
        parser.add_argument("--create-units", action="store_true",
                            help=_("不在部门名录中的单位全部新建（先用 --dry-run 核对）"))
        parser.add_argument("--map-unit", action="append", default=[], metavar=_("名称=部门"),
                            help=_("把文件中的单位名称对应到现有部门（设为该部门的别名），可重复"))
        parser.add_argument("--accept-low-score", action="store_true",
                            help=_("识别得分低于阈值时仍按此结果导入（先用 --dry-run 核对）"))

    def handle(self, *args, path: Path, format: str, dry_run: bool, accept_aliases: bool,
               accept_alias: list[str], accept_low_score: bool = False,
               directory: str = "auto", create_units: bool = False,
               map_unit: list[str] | None = None, **options):
        aliases = {"accept_aliases": accept_alias, "accept_all_aliases": accept_aliases,
                   "directory": {"harbin": True, "none": False}.get(directory)}
        try:
            parsed = parse_document(read_document(path), format)
            parsed.source_name = path.name
            if dry_run:
                preview = plan_preview(parsed, **aliases)
                result = preview.result
                for line in preview.lines():
                    self.stdout.write(line)
            elif parsed.needs_confirmation and not accept_low_score:
                raise CommandError(_("未导入（%(path)s）：%(reasons)s；先用 --dry-run 核对预览，"
                                     "确认无误再加 --accept-low-score") % {
                    "path": path, "reasons": join_list(low_score_reasons(parsed))})
            else:
                unit_map = _unit_map(map_unit or [])
                result = plan_load(parsed, **aliases, unit_map=unit_map,
                                   decided=None if create_units else set(unit_map))
        except UnitsUndecided as error:
            raise CommandError(_("未导入（%(path)s）：%(error)s；用 --create-units 全部新建，"
                                 "或 --map-unit 名称=部门 对应到现有部门") % {
                "path": path, "error": error.message}) from error
        except ImportFailed as error:
            raise CommandError(_("导入失败（%(path)s）：%(error)s")
                               % {"path": path, "error": error}) from error
        if dry_run:
            self.stdout.write(_("将发生的变化："))
        for line in result.changes:
            self.stdout.write(line)
        if not dry_run:
            for number, line in parsed.unparsed:
                self.stdout.write(_("未识别 第%(line)s行：%(text)s")
                                  % {"line": number, "text": line})
        counts = join_list(f"{name} {count}" for name, count in sorted(result.counts.items()))
        if dry_run:
            self.stdout.write(_("试运行，未写入任何数据。将发生的变化：%(counts)s")
                              % {"counts": counts or _("无")})
        elif result.changes:
            self.stdout.write(self.style.SUCCESS(_("导入完成：%(counts)s") % {"counts": counts}))
        else:
            self.stdout.write(_("无变化：数据库已与文件一致。"))
        self.stdout.write(f"plan: {parsed.code}")


def _unit_map(pairs: list[str]) -> dict[str, int]:
    """``名称=部门`` pairs → name → the department's id (named by its name or code)."""
    mapped = {}
    for pair in pairs:
        name, _sep, target = pair.partition("=")
        department = Department.objects.filter(name=target.strip()).first() or \
            Department.objects.filter(code=target.strip()).first()
        if not name.strip() or department is None:
            raise CommandError(_("--map-unit %(pair)s：应为“名称=现有部门名称”，且该部门存在")
                               % {"pair": pair})
        mapped[name.strip()] = department.pk
    return mapped
