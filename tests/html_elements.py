"""A page's elements read back from its HTML, as a reader meets them: tag, attributes,
text (whitespace collapsed) and where each sits (its parent, its nearest ancestor of a
tag). The forms of a page are `tests/html_forms.py`'s."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = field(default=None, repr=False, compare=False)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def ancestor(self, tag: str) -> "Element | None":
        element = self.parent
        while element is not None and element.tag != tag:
            element = element.parent
        return element


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag, attrs) -> None:
        element = Element(tag, dict(attrs), self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_endtag(self, tag) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data) -> None:
        for element in self._open:
            element.parts.append(data)


def elements(html: str) -> list[Element]:
    """Every element of the page, in document order."""
    parser = _Elements()
    parser.feed(html)
    return parser.elements
