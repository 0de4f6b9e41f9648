"""What a browser would submit with a page's forms, read from the page's HTML."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class Forms(HTMLParser):
    """The fields a browser would submit with each POST form of a page, by its action."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._fields: list | None = None
        self._select: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            post = (a.get("method") or "").lower() == "post" or "hx-post" in a
            self._fields = self.forms.setdefault(a.get("action") or a.get("hx-post") or "", [])
            if not post:
                self._fields = None
            return
        if tag == "option" and self._select is not None:
            self._select["all"].append(a.get("value") or "")
            if "selected" in a:
                self._select["chosen"].append(a.get("value") or "")
        name = a.get("name")
        if self._fields is None or not name or "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._fields.append((name, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "select":
            self._select = {"name": name, "multiple": "multiple" in a, "all": [], "chosen": []}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            name, text = self._textarea
            # A browser drops the newline that follows <textarea>.
            self._fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] else select["all"][:1])
            self._fields += [(select["name"], value) for value in chosen]
            self._select = None


def form_of(html: str, url: str) -> dict[str, list[str]]:
    """What submitting the page's form that posts to `url` sends ({} if it has none)."""
    parser = Forms()
    parser.feed(html)
    for action, fields in parser.forms.items():
        # A relative action (the delegate's page posts to `./`) as a browser resolves it.
        if action in ("", url) or urlsplit(urljoin(url, action)).path == url:
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    return {}
