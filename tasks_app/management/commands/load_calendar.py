"""manage.py load_calendar --year 2026: a year's holidays from chinese_calendar into the table."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...services.calendar import calendar_load_known, chinese_calendar_years


class Command(BaseCommand):
    help = "Load a year's holidays and make-up working days from chinese_calendar."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", required=True,
                            help="year to (re)load; may be repeated")

    def handle(self, *args, year: list[int], **options):
        for one in year:
            try:
                result = calendar_load_known(one)
            except ValidationError as error:
                known = chinese_calendar_years()
                raise CommandError(f"{' '.join(error.messages)} "
                                   f"(chinese_calendar: {known[0]}–{known[-1]})") from None
            self.stdout.write(f"{one}: {result.holidays} holidays, {result.workdays} make-up "
                              f"working days, {result.moved_periods} period deadlines moved")
