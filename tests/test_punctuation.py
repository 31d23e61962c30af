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
                  if path.suffix in (".html", ".txt") and "templates" in path.parts
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
