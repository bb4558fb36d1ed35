"""HTML (mail bodies, .html files) -> the plain text a reader actually sees.

Hidden text is a prompt-injection channel: a mail can carry instructions in white-on-white spans, in
`display:none` blocks or in zero-size fonts that no person reads but an extractor would. So only what
renders visibly comes out: no script, style or comments, no hidden elements (inline styles, simple class
and id rules from <style>, `hidden` attributes), no text whose colour matches its background. Block
elements become line breaks, table rows become lines with tab-separated cells, quoted mail (<blockquote>)
becomes "> " lines the clean-up step knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from extractors.html_css import Declarations, StyleSheet, hides_element, parse_color, text_color_hidden

_SKIPPED = {
    "script",
    "style",
    "head",
    "title",
    "template",
    "noscript",
    "object",
    "embed",
    "iframe",
    "svg",
    "math",
    "canvas",
    "select",
    "textarea",
    "button",
    "datalist",
    "map",
    "audio",
    "video",
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
}
# Opening one of these closes an open element of the listed kinds (HTML's implied end tags), stopping at `scope`.
_IMPLIED_END = {
    "p": ({"p"}, {"div", "td", "th", "li", "blockquote", "body"}),
    "li": ({"li"}, {"ul", "ol"}),
    "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "option": ({"option"}, {"select"}),
}
MAX_DEPTH = 256
_DEFAULT_COLOR = (0, 0, 0, 1.0)
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    parent: _Element | None = None
    children: list[_Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving DOM: unclosed tags are closed the way browsers do, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.current = self.root
        self.depth = 0
        self.css: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        element = _Element(tag, {k.lower(): (v or "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID and self.depth < MAX_DEPTH:
            self.current = element
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.current.tag == tag and tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        node: _Element | None = self.current
        steps = 0
        while node is not None and node.tag != tag:
            node, steps = node.parent, steps + 1
        if node is not None and node.parent is not None:
            self.current, self.depth = node.parent, self.depth - steps - 1

    def handle_data(self, data: str) -> None:
        if self.current.tag == "style":
            self.css.append(data)
        self.current.children.append(data)

    def _close_implied(self, tag: str) -> None:
        if tag not in _IMPLIED_END:
            return
        closes, scope = _IMPLIED_END[tag]
        node: _Element | None = self.current
        while node is not None and node.tag not in scope:
            if node.tag in closes:
                self.handle_endtag(node.tag)
                return
            node = node.parent


@dataclass(frozen=True)
class _Context:
    color: tuple[int, int, int, float] | None
    background: tuple[int, int, int]
    pre: bool = False
    ordered: bool = False


class _Renderer:
    """Writes visible text into lines; block boundaries are soft breaks, <br> is a hard one."""

    def __init__(self, sheet: StyleSheet) -> None:
        self.sheet = sheet
        self.out: list[str] = []

    def text(self) -> str:
        lines = [line.replace("\xa0", " ").strip(" ") for line in "".join(self.out).split("\n")]
        joined = "\n".join(re.sub(r" {2,}", " ", line) for line in lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")

    def _break(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def render(self, element: _Element, context: _Context) -> None:
        for index, child in enumerate(element.children):
            if isinstance(child, str):
                if text_color_hidden(context.color or _DEFAULT_COLOR, context.background):
                    continue
                text = child if context.pre else _WHITESPACE.sub(" ", child)
                if not context.pre and (not self.out or self.out[-1].endswith("\n")):
                    text = text.lstrip(" ")
                if text:
                    self.out.append(text)
            else:
                self._element(child, context, index)

    def _element(self, element: _Element, context: _Context, index: int) -> None:
        tag = element.tag
        if tag in _SKIPPED:
            return
        declarations = self.sheet.declarations(element.tag, element.attrs)
        if hides_element(element.attrs, declarations):
            return
        context = self._context(element, declarations, context)
        if tag == "br":
            self.out.append("\n")
        elif tag == "table":
            self._break()
            self._table(element, context)
            self._break()
        elif tag == "blockquote":
            self._break()
            quoted = _Renderer(self.sheet)
            quoted.render(element, context)
            self.out.extend(f"> {line}\n" for line in quoted.text().split("\n"))
        elif tag == "li":
            self._break()
            marker = f"{_list_position(element)}. " if context.ordered else "- "
            self.out.append(marker)
            self.render(element, context)
            self._break()
        elif tag in _BLOCKS:
            self._break()
            self.render(element, context)
            self._break()
        else:
            self.render(element, context)

    def _context(self, element: _Element, declarations: Declarations, parent: _Context) -> _Context:
        color = parse_color(declarations.get("color", "")) or parse_color(element.attrs.get("color", ""))
        background = _background(declarations) or parse_color(element.attrs.get("bgcolor", ""))
        return _Context(
            color=color or parent.color,
            background=background[:3] if background and background[3] > 0 else parent.background,
            pre=parent.pre or element.tag == "pre" or declarations.get("white-space", "").startswith("pre"),
            ordered=element.tag == "ol" or (parent.ordered and element.tag != "ul"),
        )

    def _table(self, table: _Element, context: _Context) -> None:
        rows = list(_rows(table))
        layout = any(_contains(cell, "table") for row in rows for cell in _cells(row))
        for row in rows:
            if hides_element(row.attrs, self.sheet.declarations(row.tag, row.attrs)):
                continue
            row_context = self._context(row, self.sheet.declarations(row.tag, row.attrs), context)
            if layout:
                for cell in _cells(row):
                    self._element(cell, row_context, 0)
                continue
            texts = [self._cell_text(cell, row_context) for cell in _cells(row)]
            if any(texts):
                self._break()
                self.out.append("\t".join(texts).rstrip("\t") + "\n")

    def _cell_text(self, cell: _Element, context: _Context) -> str:
        declarations = self.sheet.declarations(cell.tag, cell.attrs)
        if hides_element(cell.attrs, declarations):
            return ""
        inner = _Renderer(self.sheet)
        inner.render(cell, self._context(cell, declarations, context))
        return _WHITESPACE.sub(" ", inner.text().replace("\t", " ")).strip()


def _background(declarations: Declarations) -> tuple[int, int, int, float] | None:
    if "background-color" in declarations:
        return parse_color(declarations["background-color"])
    for token in declarations.get("background", "").split():
        if color := parse_color(token):
            return color
    return None


def _rows(table: _Element) -> list[_Element]:
    """The table's own rows, through thead/tbody/tfoot but not into nested tables."""
    rows: list[_Element] = []
    for child in table.children:
        if isinstance(child, _Element):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(c for c in child.children if isinstance(c, _Element) and c.tag == "tr")
    return rows


def _cells(row: _Element) -> list[_Element]:
    return [c for c in row.children if isinstance(c, _Element) and c.tag in ("td", "th")]


def _contains(element: _Element, tag: str) -> bool:
    stack = list(element.children)
    while stack:
        node = stack.pop()
        if isinstance(node, _Element):
            if node.tag == tag:
                return True
            stack.extend(node.children)
    return False


def _list_position(item: _Element) -> int:
    siblings = [c for c in item.parent.children if isinstance(c, _Element) and c.tag == "li"] if item.parent else []
    return siblings.index(item) + 1 if item in siblings else 1


def html_to_text(html: str) -> str:
    """The visible text of an HTML document or fragment."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    renderer = _Renderer(StyleSheet.parse("\n".join(builder.css)))
    renderer.render(builder.root, _Context(color=None, background=(255, 255, 255)))
    return renderer.text()


def html_charset(data: bytes) -> str | None:
    """The charset a <meta> tag declares in the first few kilobytes, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None
