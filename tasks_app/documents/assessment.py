"""The annual assessment (年度考核) as a PDF in official-document layout and as .xlsx:
the scoring rules with their weights, the ranking, every department's components with
formula and data, and the lead office's adjustments."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from common.i18n import translated

from ..models import Assessment, DepartmentScore
from ..selectors.records import ranking
from ..services.assessment_rules import RULES, clean_weights
from .pdf import Letterhead, issuer_of, render_pdf
from .xlsx import Column, body_row, new_workbook, safe_filename, workbook_bytes, write_only_sheet

STATE_NOTES = {Assessment.State.DRAFT: gettext_lazy("测算稿 · 尚未公示"),
               Assessment.State.PUBLISHED: gettext_lazy("公示稿 · 公示期间可申诉")}


@dataclass(frozen=True)
class RuleLine:
    name: str
    points: str  # 满分 or the adjustment limits, in words


def rule_lines(assessment: Assessment) -> list[RuleLine]:
    weights = clean_weights(assessment.weights or {})
    lines = []
    for rule in RULES:
        if rule.weighted:
            text = _("满分 %(points)s 分") % {"points": f"{weights[rule.key]:g}"}
        else:
            parts = [f"{label} {weights[key]:g}" for key, label in rule.labels.items()]
            text = _("%(limits)s 分") % {"limits": pgettext("enumeration", "，").join(parts)}
        if rule.key == "completion":
            text += _("，逾期办结按 %(credit)s 计分") % {
                "credit": f"{weights['late_completion_credit']:g}"}
        lines.append(RuleLine(rule.name, text))
    return lines


def component_points(score: DepartmentScore) -> dict[str, float | None]:
    return {c["key"]: c["points"] for c in score.components}


def assessment_letterhead(assessment: Assessment) -> Letterhead:
    issuer = issuer_of(assessment.plan)
    at = (assessment.finalised_at or assessment.published_at or assessment.computed_at
          or timezone.now())
    return Letterhead(issuer=issuer, mark=_("%(issuer)s督办通报") % {"issuer": issuer}, number="",
                      title=_("关于%(year)s年度督办工作考核结果的通报") % {"year": assessment.year},
                      date=timezone.localtime(at).date())


def assessment_context(assessment: Assessment) -> dict:
    scores = list(ranking(assessment))
    rules = list(RULES)
    for score in scores:
        points = component_points(score)
        score.rule_points = [points.get(rule.key) for rule in rules]
        score.shown = [c for c in score.components if c["applicable"]]
    return {
        "assessment": assessment, "scores": scores, "rules": rules,
        "rule_lines": rule_lines(assessment), "letterhead": assessment_letterhead(assessment),
        "adjusted": [s for s in scores if s.adjustment],
        "draft": STATE_NOTES.get(assessment.state, ""),
    }


def assessment_pdf(assessment: Assessment) -> bytes:
    return render_pdf("documents/assessment.html", assessment_context(assessment))


def assessment_filename(assessment: Assessment, extension: str) -> str:
    name = _("%(plan)s-%(year)s年度督办考核") % {"plan": assessment.plan.code,
                                               "year": assessment.year}
    return safe_filename(name) + f".{extension}"


def assessment_workbook(assessment: Assessment) -> bytes:
    context = assessment_context(assessment)
    heading = _("%(plan)s %(year)s年度督办工作考核结果") % {
        "plan": assessment.plan.code, "year": assessment.year}
    note = f"{assessment.get_state_display()} · " + pgettext("enumeration", "；").join(
        _("%(name)s:%(points)s") % {"name": line.name, "points": line.points}
        for line in context["rule_lines"])
    book = new_workbook()
    columns = [Column(_("排名"), 6), Column(_("部门"), 24, wrap=True),
               *[Column(rule.name, 11) for rule in context["rules"]],
               Column(_("测算得分"), 10), Column(_("调整分"), 9), Column(_("最终得分"), 10),
               Column(_("调整理由"), 30, wrap=True), Column(_("申诉状态"), 10)]
    sheet = write_only_sheet(book, _("考核结果"), columns, heading=heading, subtitle=note)
    for score in context["scores"]:
        sheet.append(body_row(sheet, [
            score.rank, score.department.name, *score.rule_points, score.computed_total,
            score.adjustment or None, score.total, score.adjustment_reason,
            score.get_contest_state_display() if score.contest_state else ""], columns))
    columns = [Column(_("部门"), 24), Column(_("项目"), 16), Column(_("计算公式"), 60, wrap=True),
               Column(_("数据"), 40, wrap=True), Column(_("得分"), 9)]
    sheet = write_only_sheet(book, _("得分构成"), columns, heading=heading,
                             subtitle=_("每个部门每一项的计算公式和数据"))
    for score in context["scores"]:
        for c in score.components:
            # names and input labels were stored in the site's language: shown translated
            inputs = pgettext("enumeration", "；").join(
                _("%(name)s:%(points)s") % {"name": translated(k), "points": v}
                for k, v in c["inputs"].items())
            sheet.append(body_row(sheet, [score.department.name, translated(c["name"]),
                                          c["formula"], inputs, c["points"]], columns))
    return workbook_bytes(book)
