"""The little CSS the HTML reader needs to tell visible text from hidden text.

Not a CSS engine: simple selectors (tag, .class, #id, and the last part of a compound selector) from
<style> blocks outside @-rules, plus inline styles, are enough for the hiding tricks mail uses:
display:none, visibility:hidden, zero size or opacity, off-screen positioning, text the colour of its
background. When unsure whether a rule applies, it is applied: hiding a stray line is cheaper than
letting hidden instructions through.
"""

from __future__ import annotations

import re

Declarations = dict[str, str]
RGBA = tuple[int, int, int, float]

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:[.#][\w-]+)*)$", re.I)
_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|cm|mm|in|vw|vh)?$")
_HEX = re.compile(r"^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$", re.I)
_RGB = re.compile(r"^rgba?\(\s*([^)]*)\)$", re.I)
_NAMED = {
    "white": (255, 255, 255),
    "snow": (255, 250, 250),
    "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245),
    "ghostwhite": (248, 248, 255),
    "floralwhite": (255, 250, 240),
    "azure": (240, 255, 255),
    "mintcream": (245, 255, 250),
    "seashell": (255, 245, 238),
    "aliceblue": (240, 248, 255),
    "black": (0, 0, 0),
    "silver": (192, 192, 192),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "red": (255, 0, 0),
    "maroon": (128, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "navy": (0, 0, 128),
    "yellow": (255, 255, 0),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "teal": (0, 128, 128),
    "darkgray": (169, 169, 169),
    "lightgray": (211, 211, 211),
}
# Text whose colour is within this distance (per channel) of its background is not readable.
_INVISIBLE_CONTRAST = 24
_OFFSCREEN_PX = -500


class StyleSheet:
    """Declarations by simple selector: "td", ".hide", "#preheader"."""

    def __init__(self, rules: dict[str, Declarations]) -> None:
        self.rules = rules

    @classmethod
    def parse(cls, css: str) -> StyleSheet:
        rules: dict[str, Declarations] = {}
        for selectors, body in _RULE.findall(_strip_at_rules(_COMMENT.sub("", css))):
            declarations = parse_declarations(body)
            for selector in selectors.split(","):
                parts = selector.strip().split()
                key = parts[-1].split(":")[0] if parts else ""
                if _SIMPLE.match(key):
                    for simple in _simple_keys(key):
                        rules.setdefault(simple, {}).update(declarations)
        return cls(rules)

    def declarations(self, tag: str, attrs: dict[str, str]) -> Declarations:
        """Tag rules, then class rules, then id rules, then the inline style: later ones win."""
        merged: Declarations = dict(self.rules.get(tag, {}))
        for name in attrs.get("class", "").split():
            merged.update(self.rules.get(f".{name}", {}))
        if attrs.get("id"):
            merged.update(self.rules.get(f"#{attrs['id']}", {}))
        merged.update(parse_declarations(attrs.get("style", "")))
        return merged


def _simple_keys(selector: str) -> list[str]:
    """`td.hide#x` applies through any of its parts; the most specific part is the class or id."""
    pieces = re.findall(r"[.#][\w-]+", selector)
    return pieces or [selector.lower()]


def _strip_at_rules(css: str) -> str:
    """Drop @media/@supports/... blocks: what they hide only on some screens is visible on others."""
    out, depth, index = [], 0, 0
    while index < len(css):
        at = css.find("@", index) if depth == 0 else -1
        if depth == 0 and at == -1:
            out.append(css[index:])
            break
        if depth == 0:
            out.append(css[index:at])
            brace, semicolon = css.find("{", at), css.find(";", at)
            if brace == -1 or (semicolon != -1 and semicolon < brace):
                index = semicolon + 1 if semicolon != -1 else len(css)
                continue
            depth, index = 1, brace + 1
            continue
        next_open, next_close = css.find("{", index), css.find("}", index)
        if next_close == -1:
            break
        if next_open != -1 and next_open < next_close:
            depth, index = depth + 1, next_open + 1
        else:
            depth, index = depth - 1, next_close + 1
    return "".join(out)


def parse_declarations(style: str) -> Declarations:
    declarations: Declarations = {}
    for item in style.split(";"):
        name, colon, value = item.partition(":")
        if colon:
            value = value.replace("!important", "").strip().lower()
            declarations[name.strip().lower()] = value
    return declarations


def parse_color(value: str) -> RGBA | None:
    value = value.strip().lower()
    if not value:
        return None
    if value == "transparent":
        return (0, 0, 0, 0.0)
    if value in _NAMED:
        return (*_NAMED[value], 1.0)
    if match := _HEX.match(value):
        digits = match.group(1)
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha)
    if match := _RGB.match(value):
        parts = [p.strip() for p in re.split(r"[,/\s]+", match.group(1)) if p.strip()]
        try:
            channels = [_channel(p) for p in parts[:3]]
            alpha = _alpha(parts[3]) if len(parts) > 3 else 1.0
        except ValueError:
            return None
        if len(channels) == 3:
            return (channels[0], channels[1], channels[2], alpha)
    return None


def _channel(part: str) -> int:
    number = float(part.rstrip("%"))
    return max(0, min(255, round(number * 2.55 if part.endswith("%") else number)))


def _alpha(part: str) -> float:
    number = float(part.rstrip("%"))
    return max(0.0, min(1.0, number / 100 if part.endswith("%") else number))


def _length_px(value: str) -> float | None:
    match = _LENGTH.match(value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    scale = {"pt": 4 / 3, "em": 16, "rem": 16, "%": 0.16, "cm": 37.8, "mm": 3.78, "in": 96}.get(unit, 1)
    return number * scale


def _is_zero(value: str) -> bool:
    length = _length_px(value)
    return length is not None and length <= 0


def hides_element(attrs: dict[str, str], css: Declarations) -> bool:
    """True when nothing inside the element would be seen."""
    if "hidden" in attrs or attrs.get("type", "").lower() == "hidden":
        return True
    if css.get("display") == "none" or css.get("visibility") in ("hidden", "collapse"):
        return True
    if css.get("mso-hide") == "all":
        return True
    if (opacity := css.get("opacity")) is not None:
        try:
            if _alpha(opacity) <= 0.05:
                return True
        except ValueError:
            pass
    font_size = _length_px(css.get("font-size", ""))
    if font_size is not None and font_size < 2:
        return True
    clipped = css.get("overflow", "").startswith("hidden")
    if clipped and any(_is_zero(css.get(p, "")) for p in ("height", "max-height", "width", "max-width")):
        return True
    if css.get("position") in ("absolute", "fixed") and any(
        (px := _length_px(css.get(side, ""))) is not None and px <= _OFFSCREEN_PX for side in ("left", "top")
    ):
        return True
    indent = _length_px(css.get("text-indent", ""))
    if indent is not None and indent <= _OFFSCREEN_PX:
        return True
    clip = css.get("clip", "") + css.get("clip-path", "")
    if re.search(r"rect\(\s*0[a-z]*[\s,]+0[a-z]*[\s,]+0[a-z]*[\s,]+0|inset\(\s*50%|circle\(\s*0", clip):
        return True
    return bool(re.search(r"scale\(\s*0(?:\.0+)?\s*[,)]", css.get("transform", "")))


def text_color_hidden(color: RGBA, background: tuple[int, int, int]) -> bool:
    """Transparent text, or text the colour of what is behind it (white on white)."""
    if color[3] <= 0.05:
        return True
    return all(abs(c - b) <= _INVISIBLE_CONTRAST for c, b in zip(color[:3], background, strict=True))
