"""Template filters for the portal: Chinese dates, lists and the labels of choice values."""

from django import template
from django.template import engines
from django.utils.safestring import SafeString
from markupsafe import escape

from common import formatting, i18n

from ..portal import badges, jinja, labels
from ..portal.bar_charts import BarChart
from ..portal.charts import LineChart
from ..portal.svg import bar_chart_svg, line_chart_svg

register = template.Library()


@register.filter
def cn_date(value) -> str:
    return formatting.cn_date(value)


@register.filter
def cn_datetime(value) -> str:
    return formatting.cn_datetime(value)


@register.filter
def cn_month(value) -> str:
    return formatting.cn_month(value) if value else ""


@register.filter
def join_list(items) -> str:
    """Names joined as a list: 区工信局、区财政局 (``A, B`` in English)."""
    return i18n.join_list(items)


@register.filter
def translated(text) -> str:
    """A label stored in the site's language, in the reader's language when it is ours."""
    return i18n.translated(text)


@register.filter
def label(value, kind: str) -> str:
    """The display label of a stored choice value: {{ row.role|label:"role" }}."""
    return labels.label(value, kind)


@register.simple_tag
def kept(failed: dict, action: str, name: str, default=""):
    """The value the user typed into ``action``'s form when it was refused, else
    ``default``: {% kept failed "request_extension" "reason" %}."""
    if failed and failed.get("action") == action:
        return failed["posted"].get(name, default)
    return default


@register.simple_tag
def bar_chart(chart: BarChart, key, title: str) -> str:
    """{% bar_chart chart "key" title %}: the chart's SVG (tasks_app.portal.svg)."""
    return bar_chart_svg(chart, key, title)


@register.simple_tag
def line_chart(chart: LineChart, key, title: str) -> str:
    """{% line_chart chart "key" title %}: the chart's SVG (tasks_app.portal.svg)."""
    return line_chart_svg(chart, key, title)


@register.simple_tag
def select_options(choices, selected) -> str:
    """``<option>`` for each (value, name), ``selected`` marked: the desk's 400 departments
    in one join rather than a template loop (markupsafe's escape: C, not format_html)."""
    return SafeString("".join(  # nosec B703: every value escaped here
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f'{escape(name)}</option>' for value, name in choices))


@register.simple_tag
def route(name: str, *args) -> str:
    """{% route "portal:task" task.pk %}: ``{% url %}`` for rows, the route reversed once
    and the ids filled in (tasks_app.portal.jinja.url)."""
    return jinja.url(name, *args)


@register.simple_tag(takes_context=True)
def fragment(context: template.Context, name: str, **values) -> str:
    """{% fragment "portal/home_rows.html" rows=rows %}: a Jinja2 fragment
    (tasks_app/portal/jinja.py), given only the values named; its ``_()`` translates in the
    reader's language, looked up once (``gettext`` shadows the environment's)."""
    html = engines["jinja2"].get_template(name).render(
        {"gettext": i18n.gettext_bound(), **values}, context.get("request"))
    return SafeString(html)  # nosec B703: Jinja2 escaped every value (autoescape)

# The badges, written once for both template engines (tasks_app/portal/badges.py).
register.simple_tag(badges.report_state, name="report_state")
register.simple_tag(badges.health_badge, name="health_badge")
register.simple_tag(badges.progress_bar, name="progress_bar")
