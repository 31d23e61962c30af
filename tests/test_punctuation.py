"""Chinese text uses full-width punctuation: no half-width , : ; ! ? ( ) next to a Chinese
character in any template (as rendered: template tags removed, translated strings kept) or
in any msgid of the message catalogue (which holds every Python UI string as well).

Code-like text is allowed: <code>…</code>, `…`, URLs, HTML entities, %(name)s placeholders.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u201c\u201d]")
HALF = ",:;!?()"
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>", re.S)
TRANSLATE = re.compile(r'\{%\s*translate\s+"([^"]*)"')
CODE = re.compile(r"<code>.*?</code>|`[^`]*`|https?://\S+|&#?\w+;", re.S)
SKIPPED = (".venv", "var", "test-artifacts", "tests", ".git", "node_modules")


def offending(text: str) -> list[str]:
    """Each half-width mark that touches a Chinese character, with a little context."""
    found = []
    for i, ch in enumerate(text):
        if ch not in HALF:
            continue
        before, after = text[i - 1:i], text[i + 1:i + 2]
        if CJK.match(before or " ") or CJK.match(after or " "):
            found.append(text[max(i - 8, 0):i + 9].replace("\n", " "))
    return found


def visible(template: str) -> str:
    """A template's text as it renders: tags dropped, {% translate "…" %} kept, variables as
    a neutral mark (so 。{{ x }}, is judged by what is next to it in the source)."""
    template = CODE.sub(" ", template)

    def keep(match: re.Match) -> str:
        translated = TRANSLATE.match(match.group(0))
        if translated:
            return translated.group(1)
        return "\x00" if match.group(0).startswith("{{") else ""

    return TAG.sub(keep, template)


def templates() -> list[Path]:
    return sorted(path for path in ROOT.rglob("*")
                  if path.suffix in (".html", ".txt") and {"templates", "jinja2"} & set(path.parts)
                  and path.relative_to(ROOT).parts[0] not in SKIPPED)


def msgids(po: str) -> list[str]:
    """Every msgid and msgid_plural of a .po file, continuation lines joined."""
    ids, current = [], None
    for line in po.splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            current = [line.split(" ", 1)[1]]
            ids.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            current = None
    return ["".join(part.strip()[1:-1] for part in parts) for parts in ids]


def test_the_detector_flags_half_width_marks_next_to_chinese_only():
    assert offending("任务(进度 %(progress)s%%)")
    assert offending("您好,请报送") and offending("截止:3月") and offending("为什么?")
    assert not offending("任务\uff08进度 %(progress)s%%\uff09")
    assert not offending("%(department)s \u00b7 %(title)s") and not offending("09:00, a (b)")
    assert visible('{% translate "生成时间" %}{% translate ":" %}{{ x }}') == "生成时间:\x00"
    assert offending(visible('{% translate "生成时间" %}{% translate ":" %}{{ x }}'))
    assert not offending(visible("<code>Authorization: Token 令牌</code>"))


def test_no_template_has_half_width_punctuation_next_to_chinese():
    problems = {str(path.relative_to(ROOT)): found for path in templates()
                if (found := offending(visible(path.read_text(encoding="utf-8"))))}
    assert len(templates()) > 50
    assert problems == {}


def test_no_message_catalogue_entry_has_half_width_punctuation_next_to_chinese():
    po = (ROOT / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    ids = msgids(po)
    assert len(ids) > 1000
    problems = [found for msgid in ids if (found := offending(CODE.sub(" ", msgid)))]
    # A Chinese fragment that starts with a mark before a placeholder (“,%(n)s 个部门”).
    problems += [msgid for msgid in ids
                 if CJK.search(msgid) and re.match(r"^[,:;(]%\(", msgid)]
    assert problems == []



# A placeholder: %(name)s, %s, {name}, {} (str.format, f-strings as scanned below).
PLACEHOLDER = r"(?:%\(\w+\)[sdfr]|%[sdfr]|\{\w*\})"
MARK = "[,:;()]"
BESIDE_PLACEHOLDER = re.compile(
    f"{CJK.pattern}{PLACEHOLDER}+{MARK}|{MARK}{PLACEHOLDER}+{CJK.pattern}")
PYTHON_DIRS = ("tasks_app", "notifications", "departments", "common", "security", "audit")
# A regular expression or a set of marks to split on, not text: regex syntax, or a half-width
# mark together with its full-width twin (“[,，;；]”, "、,，;；").
PATTERN = re.compile(r"\(\?|\\[sdSDwWbnu]|\[\^|\][+*?{]|\{\d+(,\d*)?\}|^\^|\$$")
TWINS = (",，", ":：", ";；", "(（", ")）", "!！", "?？")
# f-strings that join values with a half-width mark: a (…) around a value or a “;” between
# values is text for people; a “:” is text unless the values are keys, tags, channels or
# spreadsheet cells (dedupe keys “chase:…:user-3”, ranges “B2:B9”).
MACHINE = re.compile(r"key|tag|channel|letter|LETTERS|ROW|\.x\b|\.y\b")
# Half-width marks that are right where they are: (file, text found) with the reason.
PYTHON_EXEMPT: dict[tuple[str, str], str] = {
    ("tasks_app/portal/charts.py", "{},{}"): "SVG coordinates",
    ("tasks_app/importing/implementation_plan.py", "--(.+?)关于印发"): "a regular expression",
    ("tasks_app/importing/task_table.py", "[*＊※]号?为牵头"): "a regular expression",
    # A table's unit cells rewritten as a note for the note parser (never shown).
    ("tasks_app/importing/task_table.py", "牵头单位:{}"): "parser input",
    ("tasks_app/importing/task_table.py", "责任单位:{}"): "parser input",
    ("tasks_app/importing/task_table.py", "{};{}"): "parser input",
    ("tasks_app/importing/task_table.py", "{}:{}"): "parser input",
}


def beside_placeholder(text: str) -> list[str]:
    """A half-width mark between a placeholder and Chinese (“部门%(name)s(”, “任务{n}:”)."""
    return [match.group(0) for match in BESIDE_PLACEHOLDER.finditer(text)]


def is_pattern(text: str) -> bool:
    marks_only = not re.search("[\u3400-\u9fff]", text)
    return bool(PATTERN.search(text)) or (marks_only and any(a in text and b in text
                                                             for a, b in TWINS))


def python_strings(source: str) -> list[str]:
    """The text of a module's string literals worth judging, docstrings left out: those
    with Chinese (an f-string's parts joined with “{}” where a value goes), and f-strings
    that only join values with half-width marks (“{name}:{text}”, “{a}({b})”), as
    templates; ``";".join(…)`` as “{};{}”."""
    import ast

    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    inside_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                       for part in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "{}"
                           for part in node.values)
            joins = re.fullmatch(r"\(?\{\}\)?(?:[,:;()]+\{\}\)?)+", text)
            if (joins and ("(" in text or ";" in text
                           or not MACHINE.search(ast.unparse(node)))):
                found.append(text)
                continue
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "join" and isinstance(node.func.value, ast.Constant)
              and node.func.value.value in (";", "; ")):
            found.append("{}" + node.func.value.value + "{}")
            continue
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and id(node) not in inside_fstrings):
            text = node.value
        else:
            continue
        if CJK.search(text) and not is_pattern(text):
            found.append(text)
    return found


def python_modules() -> list[Path]:
    return sorted(path for top in PYTHON_DIRS for path in (ROOT / top).rglob("*.py")
                  if "migrations" not in path.parts and "tests" not in path.parts)


def test_the_detector_flags_marks_beside_placeholders_and_in_python_strings():
    assert beside_placeholder("部门%(name)s(") and beside_placeholder("任务{}:")
    assert beside_placeholder(":%(month)s进展") and beside_placeholder("任务%(n)s(进度")
    assert beside_placeholder("(%(n)s 项)") == [] and beside_placeholder("%(a)s:%(b)s") == []
    source = ('def f(x, key):\n    """说明(不算)"""\n    return f"任务{x}:" + "好,的" + '
              'f"{x}:{x}" + f"{key}:{x}" + ";".join(x) + f"{x}({x})" + r"[(（]\\d+"\n')
    assert sorted(python_strings(source)) == sorted(
        ["任务{}:", "{}:{}", "{};{}", "{}({})", "好,的"])
    assert not is_pattern("日志链断裂：序号 %(seq)s(id %(id)s):") and is_pattern("、,，")


def _python_problems(path: Path) -> list[str]:
    relative = str(path.relative_to(ROOT))
    problems = []
    for text in python_strings(path.read_text(encoding="utf-8")):
        if (relative, text) in PYTHON_EXEMPT:
            continue
        if "{}" in text and not CJK.search(text):  # values joined by half-width marks
            problems.append(text)
            continue
        text = CODE.sub(" ", text)
        problems += offending(text) + beside_placeholder(text)
    return problems


def test_no_python_string_has_half_width_punctuation_next_to_chinese():
    modules = python_modules()
    assert len(modules) > 100
    problems = {str(path.relative_to(ROOT)): found for path in modules
                if (found := _python_problems(path))}
    assert problems == {}


def test_no_catalogue_entry_has_a_half_width_mark_between_a_placeholder_and_chinese():
    po = (ROOT / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    problems = [found for msgid in msgids(po)
                if (found := beside_placeholder(CODE.sub(" ", msgid)))]
    assert problems == []
