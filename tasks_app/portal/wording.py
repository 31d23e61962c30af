"""Counted wording for the Jinja2 fragments: ``makemessages`` reads plurals from Python,
not from Jinja2 templates (tasks_app/portal/jinja.py). Each text is remembered per language
and count (a page words a few hundred counts, most of them small numbers)."""

from django.utils.translation import ngettext

from common.i18n import text_cached


def departments_to_report(count: int) -> str:
    return text_cached(("departments_to_report", count), lambda: ngettext(
        "%(counter)s 个部门待报送", "%(counter)s 个部门待报送", count) % {"counter": count})


def departments_overdue(count: int) -> str:
    return text_cached(("departments_overdue", count), lambda: ngettext(
        "%(counter)s 个部门逾期未报", "%(counter)s 个部门逾期未报", count) % {"counter": count})


def tasks_unreported(count: int) -> str:
    return text_cached(("tasks_unreported", count), lambda: ngettext(
        "%(counter)s 项任务未报送", "%(counter)s 项任务未报送", count) % {"counter": count})
