"""The small badges every list repeats — a report's state, a task's health, a progress bar —
written once for both template engines: ``{% report_state report %}`` in Django templates,
``{{ report_state(report) }}`` in the Jinja2 fragments (tasks_app/portal/jinja.py)."""

from django.utils.html import format_html
from django.utils.safestring import SafeString

from common.i18n import gettext_cached as gettext

from ..choices import ReportState
from .labels import label


def report_state(report) -> SafeString:
    """The report's review state; a draft or no report at all says it was not submitted."""
    if not report:
        return format_html('<span class="badge state-missing">{}</span>', gettext("未报送"))
    if report.state == ReportState.DRAFT:
        return format_html('<span class="badge state-draft">{}</span>', gettext("草稿未报送"))
    late = format_html(' <span class="badge comp-late">{}</span>',
                       gettext("逾期报送")) if report.is_late else ""
    return format_html('<span class="badge state-{}">{}</span>{}', report.state,
                       label(report.state, "report_state"), late)


def health_badge(task, show_reason: bool = False) -> SafeString:
    """The task's health (滞后, 预警 …); a manual one is starred, its reason in the title
    or, with ``show_reason``, beneath."""
    if not task.health_override:
        return format_html('<span class="badge health-{}">{}</span>', task.health,
                           label(task.health, "health"))
    reason = gettext("人工预警") + gettext("：") + task.health_override_reason
    shown = format_html('<div class="override">{}</div>', reason) if show_reason else ""
    return format_html('<span class="badge health-{}" title="{}">{} *</span>{}', task.health,
                       reason, label(task.health, "health"), shown)


def progress_bar(value: int | None) -> SafeString:
    value = value or 0
    return format_html('<div class="progress-cell"><div class="bar" role="presentation">'
                       '<span style="width: {}%"></span></div><span class="nowrap">{}%</span>'
                       '</div>', value, value)
