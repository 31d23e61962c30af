import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from seeds.bench import SCALES, run_benchmark
from seeds.bench_table import table_rows
from seeds.synthetic import synthetic_build
from tasks_app.models import Task


class Command(BaseCommand):
    help = ("性能基准：在独立的基准数据库中构建合成数据（--scale small|city），测量主要页面和接口的"
            "查询数与服务器耗时（p50/p95）、督办周期、季度通报和年度考核的构建时间。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--json", type=Path, help="把结果写入此 JSON 文件")
        parser.add_argument("--runs", type=int, default=15, help="每项重复测量次数")
        parser.add_argument("--keepdb", action="store_true",
                            help="保留并复用基准数据库（city 规模构建一次即可）")
        parser.add_argument("--concurrency-seconds", type=int, default=5,
                            help="并发测试（gunicorn + hey,10 和 50 个客户端）每轮秒数；0 为不测")

    def handle(self, *args, scale: str, json: Path | None, runs: int, keepdb: bool,
               concurrency_seconds: int, **options):
        for noisy in ("axes", "weasyprint"):  # a line per login and per PDF page
            logging.getLogger(noisy).setLevel(logging.WARNING)
        creation = connection.creation
        original = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"):
            # A file, not memory: the export jobs and gunicorn open it from other processes.
            connection.settings_dict["TEST"]["NAME"] = str(
                Path(settings.BASE_DIR) / "var" / f"bench-{scale}.sqlite3")
        bench_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb,
                                             serialize=False)
        load_at_start = " ".join(f"{n:.1f}" for n in os.getloadavg())
        try:
            build_seconds = None
            if not Task.objects.exists():
                started = time.perf_counter()
                synthetic_build(**SCALES[scale])
                build_seconds = round(time.perf_counter() - started, 1)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # planner statistics, as in production
                    cursor.execute("ANALYZE")
            result = run_benchmark(runs=runs, concurrency_seconds=concurrency_seconds)
            result["scale"] = scale
            result["database_name"] = bench_name
            result["seed_synthetic_seconds"] = build_seconds
        finally:
            if not keepdb:
                creation.destroy_test_db(original, verbosity=0)
        result["load_at_start"] = load_at_start  # the pages are measured first
        result["load"] = " ".join(f"{n:.1f}" for n in os.getloadavg())
        if json:
            json.write_text(_dumps(result), encoding="utf-8")
        self.json_written = bool(json)
        self._print(result)

    def _print(self, result: dict) -> None:
        """One table: every measurement with its #16 target (city scale, quiet machine)."""
        self.stdout.write(f"数据库： {result['database']}  规模： {result['scale']}  "
                          f"核数： {result['cores']}  负载（开始 / 结束）： "
                          f"{result.get('load_at_start')} / {result.get('load')}  "
                          f"数据： {result['sizes']}")
        speed = result.get("host_speed") or {}
        if speed:  # seeds.bench.host_speed: the same Python work, timed
            self.stdout.write("主机速度（固定计算，p50 / 最快 ms；开始 / 结束）： " + " / ".join(
                f"{speed[when]['p50_ms']} / {speed[when]['min_ms']}"
                for when in ("at_start", "at_end") if when in speed))
        if result.get("seed_synthetic_seconds") is not None:
            self.stdout.write(f"合成数据构建： {result['seed_synthetic_seconds']} 秒")
        self.stdout.write(f"{'项目':<62}{'查询数':>5} {'p50/值':>10} {'p95':>16}  目标")
        self.stdout.write("-" * 120)
        for name, queries, p50, p95, target in table_rows(result):
            self.stdout.write(f"{name:<64}{queries!s:>8} {p50!s:>12} {p95!s:>18}  {target}")
        if not self.json_written:
            self.stdout.write("（完整结果：--json 文件）")


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
