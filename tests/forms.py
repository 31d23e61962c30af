"""Read an HTML form's current values, so tests can post what a browser would."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            current = self.data[self._textarea][0]
            if not current:
                data = data.removeprefix("\n")  # browsers drop the newline after <textarea>
            self.data[self._textarea][0] = current + data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            # A multiple select with nothing chosen sends nothing, as in a browser.
            if self._select_value is not None or not self._select_multiple:
                value = self._select_value if self._select_value is not None else ""
                self.data.setdefault(self._select, []).append(value)
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def form_values(html: str, form_id: str | None = None) -> dict[str, str | list[str]]:
    """Field name → value (a list where the field repeats), as the browser would submit."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}
