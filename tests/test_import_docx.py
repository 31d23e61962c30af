"""Word files: a 任务分工表 table, plain paragraphs, headings and bold titles; refused files."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from tasks_app.choices import AssignmentRole
from tasks_app.importing import ImportFailed, document_text, parse_document, read_document
from tasks_app.models import Plan, Task

LEAD, RESP = AssignmentRole.LEAD, AssignmentRole.RESPONSIBLE
D = datetime.date
HEADER = ["序号", "重点领域", "重点任务", "牵头单位", "责任单位", "完成时限"]
ROWS = [
    ["1", "政务服务", "推进“一网通办”。实现高频事项全程网办。", "区政务服务中心",
     "区数据局、经开办(自贸办)", "2024年底前"],
    ["2", "政务服务", "深化信用体系建设。", "区发改局", "区住建局(交通)，区市场局", "2025年6月"],
    ["3", "市场环境", "开展营商环境评价。", "", "区营商局、区统计局", "长期坚持"],
    ["4", "市场环境", "清理拖欠企业账款。", "区财政局", "", "尽快"],
]


def table_docx() -> bytes:
    """松北区2024年优化营商环境任务分工表 with a 领域 column merged over two rows each."""
    document = Document()
    document.add_paragraph("松北区2024年优化营商环境任务分工表")
    table = document.add_table(rows=1, cols=len(HEADER))
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    for row in ROWS:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    table.cell(1, 1).merge(table.cell(2, 1)).text = "政务服务"
    table.cell(3, 1).merge(table.cell(4, 1)).text = "市场环境"
    credit = table.cell(2, 2)
    credit.add_paragraph("（1）2024年6月底前建成信用平台")
    credit.add_paragraph("（2）2024年底前接入全部部门")
    document.add_paragraph("注：责任单位中列第一位的为牵头单位。")
    return _bytes(document)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def table_plan():
    return parse_document(document_text("分工表.docx", table_docx()))


def test_a_word_task_table_is_read_row_by_row(table_plan):
    assert table_plan.source_format == "task-table"
    assert table_plan.title == "松北区2024年优化营商环境任务分工表"
    assert [(d.number, d.title, [t.title for t in d.tasks]) for d in table_plan.drivers] == [
        (1, "政务服务", ["推进“一网通办”", "深化信用体系建设"]),
        (2, "市场环境", ["开展营商环境评价", "清理拖欠企业账款"]),
    ]


def test_table_columns_give_leads_responsible_units_and_due_dates(table_plan):
    assert [([(u.name, u.role) for u in t.units], t.due_on) for t in table_plan.tasks] == [
        ([("区政务服务中心", LEAD), ("区数据局", RESP), ("经开办(自贸办)", RESP)], D(2024, 12, 31)),
        ([("区发改局", LEAD), ("区住建局(交通)", RESP), ("区市场局", RESP)], D(2025, 6, 30)),
        ([("区营商局", LEAD), ("区统计局", RESP)], None),  # no lead written: the rule applies
        ([("区财政局", LEAD)], None),
    ]
    assert table_plan.rules == ["注：责任单位中列第一位的为牵头单位。"]


def test_numbered_lines_in_a_task_cell_are_milestones(table_plan):
    task = table_plan.tasks[1]
    assert task.text == ("深化信用体系建设。\n（1）2024年6月底前建成信用平台\n"
                         "（2）2024年底前接入全部部门")
    assert [(m.title, m.due_on) for m in task.milestones] == [
        ("2024年6月底前建成信用平台", D(2024, 6, 30)), ("2024年底前接入全部部门", D(2024, 12, 31))]


def test_a_deadline_that_is_no_date_is_listed_as_not_understood(table_plan):
    assert [text for _, text in table_plan.unparsed] == ["完成时限：尽快"]


def test_the_same_table_in_markdown_reads_the_same(table_plan):
    markdown = ("# 松北区2024年优化营商环境任务分工表\n\n| " + " | ".join(HEADER) + " |\n"
                + "|---" * len(HEADER) + "|\n"
                + "".join("| " + " | ".join(row) + " |\n" for row in ROWS)
                + "\n注：责任单位中列第一位的为牵头单位。\n")
    parsed = parse_document(markdown)
    assert [(t.title, [(u.name, u.role) for u in t.units]) for t in parsed.tasks] == [
        (t.title, [(u.name, u.role) for u in t.units]) for t in table_plan.tasks]


def test_word_paragraphs_in_the_list_style(tmp_path):
    document = Document()
    for text in ["松北区2025年民生实事工作方案", "一、教育",
                 "1．新建幼儿园3所。（责任单位：区教育局、区住建局）",
                 "2．改造学校操场。", "牵头单位：区教育局  配合单位：区财政局"]:
        document.add_paragraph(text)
    path = tmp_path / "方案.docx"
    document.save(path)
    parsed = parse_document(read_document(path))
    assert parsed.source_format == "task-list"
    assert [[(u.name, u.role) for u in t.units] for t in parsed.tasks] == [
        [("区教育局", RESP), ("区住建局", RESP)], [("区教育局", LEAD), ("区财政局", RESP)]]


def test_word_headings_and_bold_titles_read_as_focus_areas():
    document = Document()
    document.add_paragraph("2025年,松北区将聚焦两件大事。")
    for area, items in [("聚焦产业 壮大实体经济", ["做强园区。", "招大引强。"]),
                        ("聚焦民生 办好实事", ["扩充学位。"])]:
        document.add_heading(area, level=1)
        for title in items:
            paragraph = document.add_paragraph()
            paragraph.add_run(title).bold = True
            paragraph.add_run("确保全年新增企业100家以上。")
    parsed = parse_document(document_text("计划.docx", _bytes(document)))
    assert parsed.source_format == "focus-areas"
    assert [(d.title, [t.title for t in d.tasks]) for d in parsed.drivers] == [
        ("聚焦产业 壮大实体经济", ["做强园区", "招大引强"]), ("聚焦民生 办好实事", ["扩充学位"])]
    assert parsed.tasks[0].text == "做强园区。确保全年新增企业100家以上。"


def test_a_broken_word_file_is_refused_clearly():
    with pytest.raises(ImportFailed, match="无法读取 Word 文件"):
        document_text("坏文件.docx", b"not a zip")


@pytest.mark.django_db
def test_an_unsupported_file_type_is_refused_and_nothing_written(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="无法读取 PDF 文件"):
        call_command("import_plan", str(path), stdout=StringIO())
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_the_command_imports_a_word_table(tmp_path):
    path = tmp_path / "分工表.docx"
    path.write_bytes(table_docx())
    out = StringIO()
    call_command("import_plan", str(path), "--create-units", stdout=out)
    plan = Plan.objects.get()
    assert out.getvalue().strip().splitlines()[-1] == f"plan: {plan.code}"
    assert plan.source_name == "分工表.docx" and plan.source_format == "task-table"
    assert Task.objects.get(plan=plan, number=2).milestones.count() == 2
