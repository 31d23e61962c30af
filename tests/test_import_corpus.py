"""Import fidelity on real published plans (tests/fixtures/plans/corpus, truth written by hand)."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from tasks_app.choices import AssignmentRole
from tasks_app.importing import parse_document
from tasks_app.importing.checks import plan_warnings
from tasks_app.importing.corpus import is_exact, score_corpus
from tasks_app.importing.notes import parse_note

CORPUS = Path(__file__).parent / "fixtures" / "plans" / "corpus"


def test_the_corpus_imports_at_least_95_percent_of_titles_and_units_exactly():
    scores = score_corpus(CORPUS)
    expected = sum(s.expected for s in scores)
    assert len({s.file.split(".")[0] for s in scores}) >= 29 and expected >= 220
    assert {s.file.rsplit(".", 1)[-1] for s in scores} >= {"txt", "docx", "xlsx", "pdf"}
    titles, units = sum(s.titles for s in scores), sum(s.units for s in scores)
    misses = [miss for s in scores for miss in (s.error, *s.misses) if miss]
    assert titles >= 0.95 * expected and units >= 0.95 * expected, misses


def test_the_deep_corpus_has_twelve_plans_of_ten_tasks_or_more_with_deadlines():
    deep = [s for s in score_corpus(CORPUS) if s.file.startswith("deep-")]
    assert len(deep) >= 12 and all(s.expected >= 10 for s in deep)
    dues = sum(s.dues for s in deep)
    assert dues >= 0.95 * sum(s.dues_expected for s in deep), [
        miss for s in deep for miss in s.misses if "时限" in miss]


def test_no_document_of_the_corpus_imports_silently_wrong():
    """Each file is read exactly, or its preview carries a warning (score, units, lines)."""
    silent = [s.file for s in score_corpus(CORPUS) if not is_exact(s) and not s.flagged]
    assert not silent


def test_a_wrong_reading_is_flagged():
    plan = parse_document("某区工作方案\n一、重点任务\n1.推进项目建设。(区发改局牵头)\n"
                          "2.优化营商环境。\n3.加强监管。(责任单位:下同的有关工作)\n")
    assert plan_warnings(plan), plan


def test_import_score_prints_each_document_and_the_totals():
    out = StringIO()
    call_command("import_score", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("guandu.pdf") and "任务 4/4" in line for line in lines)
    assert any(line.startswith("deep-district-xlsx.xlsx") and "任务 15/15" in line
               for line in lines)
    assert lines[-1].startswith(f"合计：{len(score_corpus(CORPUS))} 个文件")
    assert "(" not in lines[-1] and lines[-1].endswith("（100.0%）"), lines[-1]


def _roles(content: str) -> dict[str, tuple[str, bool]]:
    note = parse_note(content)
    return {unit.name: (unit.role, unit.collective) for unit in note.units}


LEAD, RESP = AssignmentRole.LEAD, AssignmentRole.RESPONSIBLE


def test_the_unit_grammar():
    assert _roles("市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责") == {
        "市政府办公室": (LEAD, False), "市审改办": (LEAD, False),
        "市级各有关部门": (RESP, True), "各县市区政府": (RESP, True)}
    assert _roles("区发改局牵头,区水务局等部门,区国投公司、各街道办事处配合") == {
        "区发改局": (LEAD, False), "区水务局": (RESP, False), "区国投公司": (RESP, False),
        "各街道办事处": (RESP, True)}
    assert _roles("市经信委、市国土资源局牵头落实") == {
        "市经信委": (LEAD, False), "市国土资源局": (LEAD, False)}
    assert _roles("省政务服务数据管理局,相关地市政府牵头") == {
        "省政务服务数据管理局": (LEAD, False), "相关地市政府": (LEAD, True)}
    assert _roles("责任单位:区发改局、区商务局分别牵头,区财政局配合") == {
        "区发改局": (LEAD, False), "区商务局": (LEAD, False), "区财政局": (RESP, False)}
    note = parse_note("市发展改革委、市财政局、市统计局等负责,列第一位者为牵头单位,下同")
    assert note.rule and not note.explicit_roles and "下同" not in {u.name for u in note.units}
    for wording in ("列第一位的责任单位为牵头单位或汇总单位", "列第一位为牵头或汇总单位",
                    "排在第一位的部门为牵头部门", "列第一位者为牵头单位"):
        assert parse_note(f"A局、B局,{wording}").rule


def test_several_notes_in_one_paragraph_each_bind_to_their_sentence():
    text = ("一、重点任务\n1.推进审批改革。优化流程(区审批局负责)。"
            "加强事中事后监管(区市场局牵头,区司法局配合)。\n")
    task = parse_document(text).tasks[0]
    assert {u.name: u.role for u in task.units} == {
        "区审批局": RESP, "区市场局": LEAD, "区司法局": RESP}
    assert [names for _, names in task.sources] == [["区审批局"], ["区市场局", "区司法局"]]


def test_top_level_measures_are_tasks_and_a_number_glued_to_its_title_is_split():
    measures = "\n".join(f"{cn}、措施{cn}。(区发改局牵头,区财政局配合)" for cn in (
        "一", "二", "三", "十", "十一", "二十", "三十"))
    plan = parse_document("某区若干措施\n" + measures + "\n")
    assert [task.title for task in plan.tasks][-2:] == ["措施二十", "措施三十"]
    assert all(len(task.units) == 2 for task in plan.tasks)
    numbered = "\n".join(f"{n}.项目{n}。(区人社局负责)" for n in range(1, 11))
    plan = parse_document("某区人才工作要点\n一、重点项目\n" + numbered
                          + "\n11.121人才梯队项目。(区委组织部负责)\n")
    assert len(plan.tasks) == 11 and plan.tasks[-1].title == "121人才梯队项目"
    assert plan.tasks[9].title == "项目10"


def test_together_with_and_words_that_are_no_units():
    assert _roles("市发展改革委会同市财政局负责") == {
        "市发展改革委": (LEAD, False), "市财政局": (RESP, False)}
    assert _roles("工业和信息化部会同有关部门按职责分工负责") == {
        "工业和信息化部": (LEAD, False), "有关部门": (RESP, True)}
    note = parse_note("区发改局牵头,不再做分工")
    assert [u.name for u in note.units] == ["区发改局"]
    assert note.not_understood == ["不再做分工"]
    assert _roles("各区、县级市人民政府负责") == {"各区、县级市人民政府": (RESP, True)}


def _table_pdf(path: Path) -> None:
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>{n}</td><td>{task}</td><td>{lead}</td><td>{others}</td></tr>"
        for n, task, lead, others in [
            (1, "努力实现地区生产总值增长6.2%左右。", "区发改局",
             "立山经济开发区,全区经济运行各专班"),
            (2, "规模上工业增加值增长5%左右。", "区工信局", "立山经济开发区"),
            (3, "固定资产投资增长15%左右。", "区发改局", "立山经济开发区,各街道、区直各部门")])
    HTML(string=(
        "<html><head><style>body { font-family: 'Noto Serif CJK SC' } "
        "table { border-collapse: collapse } td, th { border: 1px solid black }"
        "</style></head><body>"
        "<p>立山区政府2023年重点工作任务分解和责任分工方案</p>"
        "<table><tr><th>序号</th><th>重点工作</th>"
        f"<th>牵头单位</th><th>责任单位</th></tr>{rows}</table></body></html>")).write_pdf(path)


def test_a_pdf_table_is_read_from_the_pdf_table_structure(tmp_path):
    from tasks_app.importing import read_document

    path = tmp_path / "table.pdf"
    _table_pdf(path)
    plan = parse_document(read_document(path))
    assert plan.source_format == "task-table"
    assert [task.title for task in plan.tasks] == [
        "努力实现地区生产总值增长6.2%左右", "规模上工业增加值增长5%左右", "固定资产投资增长15%左右"]
    assert {u.name: u.role for u in plan.tasks[2].units} == {
        "区发改局": LEAD, "立山经济开发区": RESP, "各街道": RESP, "区直各部门": RESP}


def test_a_task_title_wrapped_onto_the_next_line_is_joined():
    plan = parse_document("某区工作方案\n一、重点任务\n1.加强项目\n谋划储备。编制三年滚动计划。"
                          "(区发改局牵头,区财政局配合)\n2.提高审批效率。(区审批局负责)\n")
    assert [task.title for task in plan.tasks] == ["加强项目谋划储备", "提高审批效率"]


def test_old_word_files_are_refused_with_a_message_to_save_as_docx():
    from tasks_app.importing import ImportFailed, document_text

    for name in ("方案.doc", "方案.wps"):
        try:
            document_text(name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
        except ImportFailed as error:
            assert "旧版 Word/WPS 文件" in str(error) and "另存为”.docx" in str(error)
        else:
            raise AssertionError(name)


def test_a_pdf_running_header_footer_and_page_numbers_are_not_text():
    from tasks_app.importing import read_document

    text = read_document(CORPUS / "deep-district-pdf.pdf")
    assert "第1页" not in text and text.count("江滨区人民政府办公室") == 2  # the notice's own
    assert "9.推进滨江片区综合开发" in text and "\n10.实施“清河治污”行动" in text


def test_more_ways_of_naming_the_lead():
    assert _roles("责任单位:县发改局(牵头)、县财政局、各乡镇人民政府") == {
        "县发改局": (LEAD, False), "县财政局": (RESP, False), "各乡镇人民政府": (RESP, True)}
    assert _roles("责任单位:区市场监管局;配合单位:区政务服务中心、区税务局") == {
        "区市场监管局": (LEAD, False), "区政务服务中心": (RESP, False), "区税务局": (RESP, False)}
    assert _roles("牵头单位:区财政局;责任单位:区税务局;配合单位:区工信局") == {
        "区财政局": (LEAD, False), "区税务局": (RESP, False), "区工信局": (RESP, False)}
    note = parse_note("区人社局负责,区财政局配合;2024年9月底前完成")
    assert {u.name: u.role for u in note.units} == {"区人社局": LEAD, "区财政局": RESP}
    assert note.due_on.isoformat() == "2024-09-30" and not note.not_understood
    assert _roles("省科技厅、省科协、南州海关") == {
        "省科技厅": (RESP, False), "省科协": (RESP, False), "南州海关": (RESP, False)}


def test_a_title_ends_at_its_colon_and_a_table_with_work_and_measures_columns():
    plan = parse_document("某区行动方案\n一、重点任务\n1.深化商事制度改革:推行“一网通办”,"
                          "压缩开办时间。(区市场监管局负责)\n2.推进“证照分离”改革:实行清单管理。"
                          "(区司法局负责)\n3.到2025年,建成示范区。(区发改局负责)\n")
    assert [t.title for t in plan.tasks] == ["深化商事制度改革", "推进“证照分离”改革",
                                              "到2025年,建成示范区"]
    table = parse_document("某区任务分解表\n| 序号 | 工作任务 | 具体措施 | 责任单位 | 配合单位 |\n"
                           "| 1 | 稳定粮食生产 | 播种面积稳定在32万亩。 | 区农业农村局 "
                           "| 区财政局 |\n")
    task = table.tasks[0]
    assert task.title == "稳定粮食生产" and "32万亩" in task.text
    assert {u.name: u.role for u in task.units} == {"区农业农村局": LEAD, "区财政局": RESP}


def test_a_table_row_broken_by_a_page_break_continues_its_task():
    plan = parse_document(
        "某市任务分工表\n| 序号 | 重点任务 | 牵头单位 | 责任单位 |\n"
        "| 1 | 建设城市书房20个。打造阅读圈, | 市文旅局 | 市财政局 |\n"
        "| 序号 | 重点任务 | 牵头单位 | 责任单位 |\n"
        "|  | 全年开展阅读活动300场。 |  | 各县(市、区)人民政府 |\n"
        "| 2 | 改造老旧小区85个。 | 市住建局 | 市财政局 |\n")
    first, second = plan.tasks
    assert len(plan.tasks) == 2 and "阅读活动300场" in first.text
    assert {u.name: u.role for u in first.units} == {
        "市文旅局": LEAD, "市财政局": RESP, "各县(市、区)人民政府": RESP}
    assert second.title == "改造老旧小区85个" and plan_warnings(plan)


def test_a_deadline_without_its_year_is_in_the_annual_plans_year():
    from tasks_app.importing.deadlines import deadline_in_year

    assert deadline_in_year("6月底前", 2024).isoformat() == "2024-06-30"
    assert deadline_in_year("10月31日前完成", 2024).isoformat() == "2024-10-31"
    assert deadline_in_year("年底前", 2025).isoformat() == "2025-12-31"
    assert deadline_in_year("三季度末", 2024).isoformat() == "2024-09-30"
    assert deadline_in_year("6月底前", None) is None and deadline_in_year("长期", 2024) is None
    plan = parse_document("某区2024年工作要点\n一、重点任务\n1.推进项目建设。\n"
                          "牵头单位:区发改局\n完成时限:9月底前\n")
    assert plan.tasks[0].due_on.isoformat() == "2024-09-30" and not plan.unparsed


def test_levels_of_government_under_one_each_stay_one_collective():
    assert _roles("牵头单位:市发展改革委,配合单位:市委组织部、市人社局,各区、县级市") == {
        "市发展改革委": (LEAD, False), "市委组织部": (RESP, False), "市人社局": (RESP, False),
        "各区、县级市": (RESP, True)}
    assert _roles("市农业局牵头,各有关区、县级市配合") == {
        "市农业局": (LEAD, False), "各有关区、县级市": (RESP, True)}
    # a unit after the level is its own unit: 各区 + 县发改局
    assert _roles("区财政局、各区、县发改局") == {
        "区财政局": (RESP, False), "各区": (RESP, True), "县发改局": (RESP, False)}
    assert _roles("牵头单位:区卫健局;责任单位:区疫情防控指挥部成员单位、各街办(新区)") == {
        "区卫健局": (LEAD, False), "区疫情防控指挥部成员单位": (RESP, True),
        "各街办(新区)": (RESP, True)}


def test_leader_lines_are_task_text_and_a_division_line_reads_its_verbs():
    plan = parse_document(
        "2021年重点任务分工方案\n一、主要预期目标\n"
        "1﹒地区生产总值增长6%以上。\n分管省领导:林克庆\n部门分工:省发展改革委牵头,各地、各部门配合。\n"
        "2﹒一般公共预算收入增长7%左右。\n牵头负责领导:刘惠。\n牵头责任单位:省财政厅。\n"
        "协同责任单位:省发展改革委、省税务局等。\n")
    first, second = plan.tasks
    assert (first.title, second.title) == ("地区生产总值增长6%以上", "一般公共预算收入增长7%左右")
    assert {u.name: u.role for u in first.units} == {
        "省发展改革委": LEAD, "各地": RESP, "各部门": RESP}
    assert {u.name: u.role for u in second.units} == {
        "省财政厅": LEAD, "省发展改革委": RESP, "省税务局": RESP}
    assert "分管省领导:林克庆" in first.text and "牵头负责领导:刘惠。" in second.text
    assert not plan.unparsed, plan.unparsed


def test_a_pdf_table_fills_merged_cells_down_and_keeps_leader_and_remark_columns_as_text(
        tmp_path):
    """类别 and 牵头单位 cells merged down several rows (pdfplumber: None) belong to every row
    they cover; a section row spanning the table is a heading; 责任领导 is a person (task text,
    never a unit), 备注 and 完成情况 are task text too, not lines left unread."""
    from weasyprint import HTML

    from tasks_app.importing import read_document

    path = tmp_path / "merged.pdf"
    HTML(string=(
        "<html><head><style>body { font-family: 'Noto Serif CJK SC' } "
        "table { border-collapse: collapse } td, th { border: 1px solid black }"
        "</style></head><body><p>某区2024年重点工作任务分解表</p><table>"
        "<tr><th>序号</th><th>类别</th><th>工作任务</th><th>责任领导</th><th>牵头单位</th>"
        "<th>责任单位</th><th>完成情况</th><th>备注</th></tr>"
        "<tr><td colspan='8'>一、经济发展</td></tr>"
        "<tr><td>1</td><td rowspan='2'>稳增长</td><td>推进重点项目建设。</td>"
        "<td rowspan='2'>王明</td><td rowspan='2'>区发改局</td><td>区财政局</td>"
        "<td>进行中</td><td>季度调度</td></tr>"
        "<tr><td>2</td><td>扩大有效投资。</td><td>各街道</td><td></td><td></td></tr>"
        "<tr><td>3</td><td>促进消费</td><td>提振消费信心。</td><td>李华</td>"
        "<td>区商务局</td><td>区市场局</td><td></td><td></td></tr>"
        "</table></body></html>")).write_pdf(path)
    plan = parse_document(read_document(path))
    assert plan.source_format == "task-table"
    assert [task.title for task in plan.tasks] == [
        "推进重点项目建设", "扩大有效投资", "提振消费信心"]
    assert [{u.name: u.role for u in task.units} for task in plan.tasks] == [
        {"区发改局": LEAD, "区财政局": RESP}, {"区发改局": LEAD, "各街道": RESP},
        {"区商务局": LEAD, "区市场局": RESP}]
    assert [driver.title for driver in plan.drivers] == ["稳增长", "促进消费"]
    first, second = plan.tasks[0].text, plan.tasks[1].text
    assert "责任领导：王明" in first and "完成情况：进行中" in first and "备注：季度调度" in first
    assert "责任领导：王明" in second
    assert not any("王明" in text or "李华" in text for _, text in plan.unparsed), plan.unparsed
    assert not any(u.name in {"王明", "李华"} for task in plan.tasks for u in task.units)


def test_a_headings_note_names_who_does_its_tasks_and_a_leader_line_keeps_its_units():
    plan = parse_document(
        "关于推动经济高质量发展若干政策举措\n"
        "一、强化科技创新(区科技局牵头)\n"
        "(一)加强科创平台效能建设。加快建设研究院。\n"
        "(二)支持企业研发。对企业研发投入给予补助。(区财政局牵头,区税务局配合)\n"
        "二、扩大有效投资\n"
        "(三)加快项目建设。推进重点项目。\n"
        "责任领导:张三  牵头单位:区发改局  配合单位:各街道\n")
    assert [task.title for task in plan.tasks] == [
        "加强科创平台效能建设", "支持企业研发", "加快项目建设"]
    assert [{u.name: u.role for u in task.units} for task in plan.tasks] == [
        {"区科技局": LEAD}, {"区财政局": LEAD, "区税务局": RESP},
        {"区发改局": LEAD, "各街道": RESP}]
    assert [driver.title for driver in plan.drivers] == ["强化科技创新", "扩大有效投资"]
    assert plan.tasks[0].sources == [("(区科技局牵头)", ["区科技局"])]
    assert "责任领导:张三" in plan.tasks[2].text and not plan.unparsed, plan.unparsed


def test_a_task_read_twice_is_flagged():
    plan = parse_document("某区工作方案\n一、重点任务\n1.推进项目建设。(区发改局牵头)\n"
                          "2.推进项目建设。(区财政局牵头)\n")
    assert any("标题相同" in warning for warning in plan_warnings(plan)), plan_warnings(plan)


def test_main_and_other_responsible_units_and_units_that_carry_out():
    assert _roles("主要责任单位:区发改局;协同配合单位:区财政局、各街道") == {
        "区发改局": (LEAD, False), "区财政局": (RESP, False), "各街道": (RESP, True)}
    assert _roles("省教育厅、省财政厅按职责分工负责,各市州人民政府落实") == {
        "省教育厅": (RESP, False), "省财政厅": (RESP, False), "各市州人民政府": (RESP, True)}
    assert _roles("市委组织部牵头,各区、县级市党委和政府结合实际落实") == {
        "市委组织部": (LEAD, False), "各区、县级市党委和政府": (RESP, True)}
    assert not parse_note("主要责任单位:区发改局;协同配合单位:区财政局").not_understood


def _units_of(plan) -> list[dict]:
    return [{u.name: u.role for u in task.units} for task in plan.tasks]


def test_more_numberings_inline_unit_keys_and_a_rule_in_a_table_header():
    # 责任单位（列第一位的为牵头单位） is a 责任单位 column and states the rule
    table = parse_document(
        "某区重点任务分解表\n| 序号 | 工作任务 | 责任单位（列第一位的为牵头单位） | 完成时限 |\n"
        "|---|---|---|---|\n| 1 | 推进项目建设。 | 区发改局、区财政局 | 2024年12月 |\n")
    assert _units_of(table) == [{"区发改局": LEAD, "区财政局": RESP}]
    # （1）（2） items with their own notes and nothing numbered 1. or （一）: the items are tasks
    items = parse_document(
        "某区工作方案\n一、重点任务\n（1）推进项目建设。（区发改局牵头，区财政局配合）\n"
        "（2）优化营商环境。（区营商局负责）\n二、保障\n（3）加强督查。（区督查室负责）\n")
    assert [task.title for task in items.tasks] == ["推进项目建设", "优化营商环境", "加强督查"]
    assert [driver.title for driver in items.drivers] == ["重点任务", "保障"]
    # 1） numbering
    closing = parse_document("某区工作方案\n一、重点任务\n1）推进项目建设。（区发改局牵头）\n"
                             "2）优化营商环境。（区营商局负责）\n")
    assert [task.title for task in closing.tasks] == ["推进项目建设", "优化营商环境"]
    # ……。责任单位：A、B in the task's own line
    inline = parse_document("某市方案\n（一）产业\n1.推进项目建设。责任单位：市发改委、市财政局\n"
                            "2.优化营商环境。责任单位：市营商局\n注：责任单位中列第一位的为牵头单位。\n")
    assert _units_of(inline) == [{"市发改委": LEAD, "市财政局": RESP}, {"市营商局": LEAD}]
    assert inline.tasks[0].sources == [("责任单位：市发改委、市财政局", ["市发改委", "市财政局"])]


def test_units_named_inline_but_not_read_lower_the_score():
    plan = parse_document("某区工作方案\n一、重点任务\n1.推进项目建设。责任单位：见附件\n"
                          "2.优化营商环境。\n")
    assert plan.score.score < 60 and plan_warnings(plan)


def test_bare_role_keys_collective_offices_and_a_deadline_after_bare_names():
    assert _roles("牵头：区发改局；配合：区财政局") == {
        "区发改局": (LEAD, False), "区财政局": (RESP, False)}
    assert _roles("国务院有关部门、各省级人民政府按职责分工负责") == {
        "国务院有关部门": (RESP, True), "各省级人民政府": (RESP, True)}
    assert _roles("市发展改革委牵头，市相关部门配合") == {
        "市发展改革委": (LEAD, False), "市相关部门": (RESP, True)}
    assert _roles("市公安局、市交通运输局按职责分别牵头") == {
        "市公安局": (LEAD, False), "市交通运输局": (LEAD, False)}
    assert _roles("市委宣传部牵头，各县（市、区）党委、政府落实") == {
        "市委宣传部": (LEAD, False), "各县（市、区）党委、政府": (RESP, True)}
    note = parse_note("区发改局、区财政局，2024年6月底前完成")
    assert [u.name for u in note.units] == ["区发改局", "区财政局"]
    assert note.due_on.isoformat() == "2024-06-30"


def test_a_long_first_sentence_stays_the_title_and_is_flagged():
    sentence = "坚持稳中求进工作总基调," * 20 + "全面建成小康社会"
    plan = parse_document(
        f"某方案\n一、重点任务\n1.{sentence}。(国务院各部门分别负责,年内持续推进)\n"
        "2.稳就业。(人力资源社会保障部牵头)\n")
    assert plan.tasks[0].title == sentence and len(sentence) > 200
    assert {u.name: u.role for u in plan.tasks[0].units} == {"国务院各部门": RESP}
    assert any("超过" in warning for warning in plan_warnings(plan))
