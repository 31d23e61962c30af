"""The quarterly bulletin (季度通报) as a PDF in official-document layout and as .xlsx.

Both read the bulletin's stored content — the snapshot as published — so the files say
exactly what the page says.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.i18n import join_list, translated
from tasks_app.documents.presenters import bulletin_tables

from ..models import Bulletin
from .pdf import Letterhead, issuer_of, render_pdf
from .xlsx import (
    Column,
    body_row,
    new_workbook,
    safe_filename,
    workbook_bytes,
    write_only_sheet,
)


def bulletin_letterhead(bulletin: Bulletin) -> Letterhead:
    issuer = issuer_of(bulletin.plan)
    at = bulletin.published_at or bulletin.generated_at or timezone.now()
    return Letterhead(issuer=issuer, mark=_("%(issuer)s督办通报") % {"issuer": issuer},
                      number=bulletin.number or _("（草稿）"),
                      title=bulletin.content.get("title") or str(bulletin),
                      date=timezone.localtime(at).date())


def _sentence(counts: dict, columns: list) -> str:
    return join_list(ngettext("%(label)s%(count)d项", "%(label)s%(count)d项", counts[key])
                     % {"label": translated(label), "count": counts[key]}
                     for key, label in columns if counts.get(key))


def bulletin_summary(content: dict) -> str:
    """一、总体情况's opening sentence, from the counts."""
    totals, columns = content["totals"], content["columns"]
    status = _sentence(totals["status"], columns["status"]) or _("无")
    health = _sentence(totals["health"], columns["health"]) or _("无")
    return ngettext("截至%(date)s，%(plan)s共有督办任务%(count)d项。按办理状态：%(status)s；"
                    "按预警状态（不含已中止任务）：%(health)s。",
                    "截至%(date)s，%(plan)s共有督办任务%(count)d项。按办理状态：%(status)s；"
                    "按预警状态（不含已中止任务）：%(health)s。", totals["tasks"]) % {
        "date": content["as_of"], "plan": content["plan"]["code"], "count": totals["tasks"],
        "status": status, "health": health}


def _printed_tables(content: dict) -> dict:
    """The page's tables, with only the status columns that count something: an A4 page
    has no room for six columns of zeros."""
    tables = bulletin_tables(content)
    if not tables:
        return tables
    keep = [i for i, n in enumerate(tables["totals"]["status"]) if n]
    tables["columns"] = {**tables["columns"],
                         "status": [tables["columns"]["status"][i] for i in keep]}
    for row in (*tables["drivers"], tables["totals"]):
        row["status"] = [row["status"][i] for i in keep]
    return tables


def bulletin_context(bulletin: Bulletin) -> dict:
    content = bulletin.content
    return {
        "bulletin": bulletin, "content": content, "tables": _printed_tables(content),
        "letterhead": bulletin_letterhead(bulletin), "summary": bulletin_summary(content),
        "draft": "" if bulletin.state == Bulletin.State.PUBLISHED else _("草稿 · 尚未发布"),
    }


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    return render_pdf("documents/bulletin.html", bulletin_context(bulletin))


def bulletin_filename(bulletin: Bulletin, extension: str) -> str:
    name = _("%(plan)s-%(year)s年第%(quarter)s季度督办通报") % {
        "plan": bulletin.plan.code, "year": bulletin.year, "quarter": bulletin.quarter}
    return safe_filename(name) + f".{extension}"


def _count_columns(content: dict, first: list[Column], *, status: bool = True) -> list:
    columns = list(first) + [Column(_("任务数"), 8)]
    if status:
        columns += [Column(translated(label), 9) for _key, label in content["columns"]["status"]]
    return columns + [Column(translated(label), 8)
                      for _key, label in content["columns"]["health"]]


def _drivers_sheet(book, content, tables, heading: str) -> None:
    columns = _count_columns(content, [Column(_("战略驱动"), 40, wrap=True)])
    sheet = write_only_sheet(book, _("总体情况"), columns, heading=heading,
                             subtitle=bulletin_summary(content))
    for row in tables["drivers"]:
        title = f"（{row['number']}）{row['title']}" if row["number"] else row["title"]
        sheet.append(body_row(sheet, [title, row["tasks"], *row["status"], *row["health"]],
                              columns))
    totals = tables["totals"]
    sheet.append(body_row(sheet, [_("合计"), totals["tasks"], *totals["status"],
                                  *totals["health"]], columns))


def _departments_sheet(book, content, tables, heading: str) -> None:
    columns = _count_columns(content, [Column(_("部门"), 24, wrap=True)], status=False) + [
        Column(_("应报"), 8), Column(_("按时"), 8), Column(_("逾期"), 8), Column(_("未报"), 8),
        Column(_("按时报送率（%）"), 12)]
    periods = join_list(_("%(month)s（截止%(deadline)s）") % p for p in content["periods"])
    sheet = write_only_sheet(book, _("各部门"), columns, heading=heading,
                             subtitle=_("填报周期：%(periods)s") % {"periods": periods or _("无")})
    for row in tables["departments"]:
        sheet.append(body_row(sheet, [row["name"], row["tasks"], *row["health"],
                                      row["expected"], row["on_time"], row["late"],
                                      row["missing"], row["on_time_rate"]], columns))


LAGGING = (
    Column(gettext_lazy("编号"), 7), Column(gettext_lazy("任务"), 36, wrap=True),
    Column(gettext_lazy("战略驱动"), 22, wrap=True),
    Column(gettext_lazy("牵头部门"), 16, wrap=True),
    Column(gettext_lazy("责任部门"), 22, wrap=True), Column(gettext_lazy("完成时限"), 15),
    Column(gettext_lazy("进度（%）"), 8), Column(gettext_lazy("状态"), 10),
    Column(gettext_lazy("滞后原因"), 26, wrap=True),
    Column(gettext_lazy("各部门报送的存在问题"), 50, wrap=True))


def _lagging_sheet(book, content, heading: str) -> None:
    sheet = write_only_sheet(book, _("进度滞后任务"), LAGGING, heading=heading,
                             subtitle=ngettext("%(count)d 项", "%(count)d 项",
                                               len(content["lagging"]))
                             % {"count": len(content["lagging"])})
    for task in content["lagging"]:
        problems = "\n".join(_("%(department)s（%(month)s，%(status)s）：%(problems)s")
                             % {**p, "status": translated(p["status"])} for p in task["problems"])
        sheet.append(body_row(sheet, [
            task["number"], task["title"], task["driver"], task["lead"], task["responsible"],
            task["due_on"], task["progress"], translated(task["status"]), task["reason"], problems],
            LAGGING))


TARGETS = (
    Column(gettext_lazy("指标"), 34, wrap=True), Column(gettext_lazy("类别"), 10),
    Column(gettext_lazy("目标年度"), 9), Column(gettext_lazy("目标值"), 14),
    Column(gettext_lazy("单位"), 8), Column(gettext_lazy("监测月份"), 11),
    Column(gettext_lazy("最新监测值"), 12), Column(gettext_lazy("年内累计"), 9),
    Column(gettext_lazy("达成率（%）"), 10))


def _targets_sheet(book, content, heading: str) -> None:
    sheet = write_only_sheet(book, _("目标指标"), TARGETS, heading=heading)
    for t in content["targets"]:
        target = f"{t['qualifier']}{t['target']}" if t["target"] is not None else ""
        sheet.append(body_row(sheet, [
            t["name"], translated(t["kind"]), t["year"], target, t["unit"], t["month"], t["actual"],
            _("是") if t["year_to_date"] else "", t["attainment"]], TARGETS))


def _named_sheet(book, content, heading: str) -> None:
    columns = (Column(_("部门"), 24), Column(_("未报送（项）"), 11),
               Column(_("涉及周期"), 50, wrap=True))
    sheet = write_only_sheet(book, _("未按时报送部门"), columns, heading=heading)
    for row in content["named_departments"]:
        sheet.append(body_row(sheet, [row["name"], row["missing"], join_list(row["periods"])],
                              columns))
    columns = (Column(_("部门"), 24), Column(_("逾期后补报（项）"), 13),
               Column(_("涉及周期"), 50, wrap=True))
    sheet = write_only_sheet(book, _("逾期后补报部门"), columns, heading=heading)
    for row in content.get("named_filed_late", []):  # older snapshots have none
        sheet.append(body_row(sheet, [row["name"], row["missing"], join_list(row["periods"])],
                              columns))
    columns = (Column(_("编号"), 7), Column(_("已中止任务"), 50, wrap=True),
               Column(_("牵头部门"), 20))
    sheet = write_only_sheet(book, _("已中止任务"), columns, heading=heading)
    for task in content["suspended"]:
        sheet.append(body_row(sheet, [task["number"], task["title"], task["lead"]], columns))


def bulletin_workbook(bulletin: Bulletin) -> bytes:
    content = bulletin.content
    book = new_workbook()
    number = _("（%(number)s）") % {"number": bulletin.number} if bulletin.number else _("（草稿）")
    heading = f"{bulletin.plan.code} {content.get('title', bulletin)}{number}"
    if content:
        tables = bulletin_tables(content)
        _drivers_sheet(book, content, tables, heading)
        _departments_sheet(book, content, tables, heading)
        _lagging_sheet(book, content, heading)
        _targets_sheet(book, content, heading)
        _named_sheet(book, content, heading)
    else:
        write_only_sheet(book, _("通报"), [Column(_("说明"), 40)], heading=heading,
                         subtitle=_("通报内容尚未生成。"))
    return workbook_bytes(book)
