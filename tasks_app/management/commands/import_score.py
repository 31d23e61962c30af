from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tasks_app.importing.corpus import score_corpus

CORPUS = Path(settings.BASE_DIR) / "tests" / "fixtures" / "plans" / "corpus"


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("用带人工标注的真实方案衡量导入准确率："
                 "每个文件的任务数、标题完全正确数、单位完全正确数")

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", type=Path, default=CORPUS)
        parser.add_argument("--details", action="store_true", help=_("列出每个不一致之处"))

    def handle(self, *args, directory: Path, details: bool, **options):
        scores = score_corpus(directory)
        expected = sum(s.expected for s in scores)
        for s in scores:
            self.stdout.write(_("%(file)s  格式 %(format)s  得分 %(score)s"
                                "  任务 %(found)s/%(expected)s  标题正确 %(titles)s"
                                "  单位正确 %(units)s%(dues)s%(flag)s%(error)s") % {
                "file": s.file, "format": s.format or "—",
                "score": "—" if s.score is None else s.score, "found": s.found,
                "expected": s.expected, "titles": s.titles, "units": s.units,
                "dues": (_("  时限正确 %(dues)s/%(of)s") % {"dues": s.dues, "of": s.dues_expected}
                         if s.dues_expected else ""),
                "flag": _("  （预览有提示）") if s.flagged else "",
                "error": f"  {s.error}" if s.error else ""})
            if details:
                for miss in s.misses:
                    self.stdout.write(f"    {miss}")
        titles = sum(s.titles for s in scores)
        units = sum(s.units for s in scores)
        self.stdout.write(_("合计：%(files)s 个文件，任务 %(expected)s 项；"
                            "标题正确 %(titles)s（%(tp).1f%%），"
                            "单位正确 %(units)s（%(up).1f%%）") % {
            "files": len(scores), "expected": expected, "titles": titles, "units": units,
            "tp": 100 * titles / max(expected, 1), "up": 100 * units / max(expected, 1)})
