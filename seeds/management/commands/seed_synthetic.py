import time

from django.core.management.base import BaseCommand
from django.db import connection

from seeds.synthetic import synthetic_build


class Command(BaseCommand):
    help = "构建用于性能测试的合成数据（批量写入）：计划、部门、人员、多月报送。"

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=50)
        parser.add_argument("--tasks-per-plan", type=int, default=200)
        parser.add_argument("--departments", type=int, default=400)
        parser.add_argument("--users", type=int, default=3000)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--seed", type=int, default=20260331)

    def handle(self, *args, **options):
        started = time.perf_counter()
        sizes = synthetic_build(
            plans=options["plans"], tasks_per_plan=options["tasks_per_plan"],
            departments=options["departments"], users=options["users"],
            months=options["months"], seed=options["seed"],
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"数据库 {connection.vendor}：计划 {sizes.plans}、任务 {sizes.tasks}、部门 "
            f"{sizes.departments}、用户 {sizes.users}、填报周期 {sizes.periods}、分工 "
            f"{sizes.assignments}、报送 {sizes.reports}、历史 {sizes.events}；用时 {seconds:.1f} 秒"
        )
