"""Mail HTML made safe to show: an allow-list of layout tags, no attributes but table spans, no active content.

The result is shown in a sandboxed iframe under a Content-Security-Policy without inline scripts, so even a
bug here would not let a customer's <script> run in a reviewer's browser.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

# fmt: off
ALLOWED_TAGS = frozenset({
    "p", "br", "div", "span", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "b", "strong", "i",
    "em", "u", "s", "small", "sub", "sup", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "code", "blockquote", "hr",
})
VOID_TAGS = frozenset({"br", "hr"})
# Everything inside these is dropped, text included (a script's source is not mail content).
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template", "svg",
    "math", "head", "title", "textarea", "select", "button", "form",
})
# fmt: on
SPAN_ATTRIBUTES = frozenset({"colspan", "rowspan"})
MAX_SPAN = 100


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open_tags: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag in DROPPED_WITH_CONTENT:
                self.dropping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            self.dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        kept = ""
        if tag in {"td", "th"}:
            for name, value in attrs:
                if name in SPAN_ATTRIBUTES and value and value.isdigit() and 0 < int(value) <= MAX_SPAN:
                    kept += f' {name}="{int(value)}"'
        self.out.append(f"<{tag}{kept}>")
        if tag not in VOID_TAGS:
            self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.dropping and tag in VOID_TAGS:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.open_tags:
            # Close whatever the mail left open inside this element, so the output is always well nested.
            while self.open_tags:
                inner = self.open_tags.pop()
                self.out.append(f"</{inner}>")
                if inner == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open_tags))


def sanitize_html(markup: str) -> str:
    """Safe HTML for display; comments, scripts, styles, links, images and every attribute but spans are gone."""
    sanitizer = _Sanitizer()
    sanitizer.feed(markup)
    return sanitizer.result()
