"""Separate the request in a mail body from what is not the request: quoted earlier mail, signature, footer.

Quoted replies carry old quantities (often our own earlier quote), so they must not be read as the order;
a forwarded mail is the opposite: what was forwarded *is* the request. The signature is kept apart rather
than thrown away, because a customer writing from a personal address may name the company only there.
A signature is cut only when nothing after its start looks like an order line, so items are never lost.
Every line keeps its offset in the original text, so evidence still points at the right characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.quantities import find_quantities

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?P<label>original message|원본 메시지|원본 메일|원본메일|forwarded message|전달된 메시지|"
    r"전달 메시지|전달된 메일|forwarded e-?mail)\s*-{2,}\s*$",
    re.I,
)
_WROTE = re.compile(r"(?:\bwrote|a écrit|schrieb|님이 작성|님이 작성한 메시지|작성함)\s*:?\s*$", re.I)
_ON_START = re.compile(r"^\s*(?:on\b|\d{4}[년.\-/]|\d{1,2}[./]\d{1,2}[./]\d{2,4})", re.I)
_HEADER_FIELD = re.compile(
    r"^\s*\*?(?P<name>from|sent|date|to|cc|subject|보낸 ?사람|보낸 ?날짜|받는 ?사람|참조|제목|발신|발신자|발신 ?일시|"
    r"수신|수신자|날짜)\s*\*?\s*[:：]",
    re.I,
)
_FROM_FIELD = re.compile(r"^\s*\*?(?:from|보낸 ?사람|발신|발신자)\s*\*?\s*[:：]", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*\*?(?:subject|제목)\s*\*?\s*[:：]\s*(?:fw|fwd|전달)\s*[:：]", re.I)
_RULE_LINE = re.compile(r"^\s*[_=]{8,}\s*$")
_QUOTED = re.compile(r"^\s*>")
_SIG_DASHES = re.compile(r"^-- ?$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \w+|iphone에서 보냄|galaxy에서 보냄|samsung galaxy.{0,20}보냄|.{0,20}에서 보낸 메일|"
    r"get outlook for \w+|모바일에서 보냄|네이버 메일 앱에서 보냄)",
    re.I,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:감사합니다|감사드립니다|고맙습니다|수고하세요|수고하십시오|수고하셨습니다|좋은 하루 되세요|"
    r"thanks|thank you|many thanks|best regards|kind regards|warm regards|regards|best|cheers|sincerely|br)"
    r"[\s.!,~^]*(?:\S{1,12}\s*(?:드림|올림|배상)?)?[\s.!,~]*$",
    re.I,
)
_DISCLAIMER = re.compile(
    r"(?:confidential|this e-?mail (?:and any|is intended|may contain)|if you are not the intended recipient|"
    r"본 (?:메일|메시지|이메일)은|이 (?:메일|메시지|이메일)은 .{0,40}(?:발송|전용|포함)|수신을 원하지 않으시면|"
    r"수신거부|unsubscribe|법적 책임|무단 (?:전재|배포|복제)|this message contains)",
    re.I,
)
_CONTACT = re.compile(
    r"(?:\b(?:tel|fax|mobile|phone|cell|hp|h\.p|e-?mail|web|www|address|addr)\b|전화|휴대폰|핸드폰|팩스|이메일|주소|"
    r"@[\w-]+\.|https?://|\d{2,4}[-. )]\d{3,4}[-. ]\d{4}|(?:\(주\)|㈜|주식회사|co\.,? ?ltd|inc\.|corp\.)|"
    r"(?:팀장|과장|대리|부장|차장|사원|주임|대표|이사|실장|manager|director|purchasing|구매팀|자재팀))",
    re.I,
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SIGNATURE_WINDOW = 15


@dataclass(frozen=True)
class TextLine:
    text: str
    start: int  # offset of the line in the text it came from

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class MessageSections:
    request: list[TextLine] = field(default_factory=list)
    signature: list[TextLine] = field(default_factory=list)
    quoted: list[TextLine] = field(default_factory=list)
    footer: list[TextLine] = field(default_factory=list)
    forwarded: bool = False
    forwarded_from: str | None = None  # the address on the forwarded mail's From line: the real requester

    def merge(self, later: MessageSections) -> None:
        """Add the sections of a later stretch of the same mail (after a forward or an inline quote)."""
        self.request.extend(later.request)
        self.signature.extend(later.signature)
        self.quoted.extend(later.quoted)
        self.footer.extend(later.footer)
        self.forwarded = self.forwarded or later.forwarded
        self.forwarded_from = self.forwarded_from or later.forwarded_from

    @property
    def request_text(self) -> str:
        return _join(self.request)

    @property
    def signature_text(self) -> str:
        return _join(self.signature)


def split_message(text: str) -> MessageSections:
    """Sort each line of a mail body into request, signature, quoted or footer."""
    return _split(_lines(text))


def strip_non_request(text: str) -> str:
    """The request, then the signature (it may be the only place the customer's company is named)."""
    sections = split_message(text)
    return "\n\n".join(part for part in (sections.request_text, sections.signature_text) if part.strip())


def _lines(text: str) -> list[TextLine]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        lines.append(TextLine(raw.rstrip("\r"), offset))
        offset += len(raw) + 1
    return lines


def _join(lines: list[TextLine]) -> str:
    return "\n".join(line.text for line in lines).strip("\n")


def _split(lines: list[TextLine]) -> MessageSections:
    sections = MessageSections()
    boundary = _quote_boundary(lines)
    own = lines if boundary is None else lines[: boundary.index]
    sections.quoted.extend(line for line in own if _QUOTED.match(line.text))
    body, signature, footer = _cut_signature([line for line in own if not _QUOTED.match(line.text)])
    sections.request, sections.signature, sections.footer = body, signature, footer
    if boundary is None:
        return sections
    sections.quoted.extend(lines[boundary.index : boundary.body_index])
    rest = lines[boundary.body_index :]
    if boundary.forward:
        # The forwarded mail is the request; its own quotes and signature are sorted the same way.
        sections.forwarded = True
        sections.forwarded_from = _from_address(lines[boundary.index : boundary.body_index])
        sections.merge(_split(rest))
    elif boundary.bottom_posted:
        # "On ... wrote:", then "> ..." lines, then new text: only the header and the "> " lines are old.
        sections.quoted.extend(line for line in rest if _QUOTED.match(line.text))
        sections.merge(_split([line for line in rest if not _QUOTED.match(line.text)]))
    else:
        sections.quoted.extend(rest)
    return sections


@dataclass(frozen=True)
class _Boundary:
    index: int  # first line of the quoted or forwarded block
    body_index: int  # first line after its header
    forward: bool
    bottom_posted: bool = False


def _quote_boundary(lines: list[TextLine]) -> _Boundary | None:
    for i, line in enumerate(lines):
        text = line.text
        if match := _SEPARATOR.match(text):
            forward = bool(re.search(r"forward|전달", match.group("label"), re.I))
            header_end = _header_block_end(lines, i + 1)
            forward = forward or _has_forward_subject(lines[i + 1 : header_end])
            return _Boundary(i, header_end, forward)
        if _WROTE.search(text) and (_ON_START.match(text) or (i > 0 and _ON_START.match(lines[i - 1].text))):
            start = i - 1 if not _ON_START.match(text) and i > 0 else i
            return _Boundary(start, i + 1, forward=False, bottom_posted=_followed_by_quote(lines, i + 1))
        if _FROM_FIELD.match(text) and _header_block_end(lines, i) - i >= 3:
            start = i - 1 if i > 0 and _RULE_LINE.match(lines[i - 1].text) else i
            header_end = _header_block_end(lines, i)
            return _Boundary(start, header_end, forward=_has_forward_subject(lines[i:header_end]))
    return None


def _header_block_end(lines: list[TextLine], start: int) -> int:
    """Index after the `From:/Sent:/To:/Subject:` lines starting at `start` (blank lines inside are allowed)."""
    end = start
    while end < len(lines) and (_HEADER_FIELD.match(lines[end].text) or not lines[end].text.strip()):
        if not lines[end].text.strip() and end > start and not _HEADER_FIELD.match(_next_text(lines, end)):
            break
        end += 1
    return end


def _next_text(lines: list[TextLine], index: int) -> str:
    return next((line.text for line in lines[index + 1 :] if line.text.strip()), "")


def _has_forward_subject(lines: list[TextLine]) -> bool:
    return any(_FORWARD_SUBJECT.match(line.text) for line in lines)


def _from_address(header: list[TextLine]) -> str | None:
    for line in header:
        if _FROM_FIELD.match(line.text) and (match := _ADDRESS.search(line.text)):
            return match.group().lower()
    return None


def _followed_by_quote(lines: list[TextLine], start: int) -> bool:
    following = [line for line in lines[start:] if line.text.strip()]
    return bool(following) and bool(_QUOTED.match(following[0].text))


def _cut_signature(lines: list[TextLine]) -> tuple[list[TextLine], list[TextLine], list[TextLine]]:
    """(body, signature, footer). The cut is made only where no order line follows it."""
    end = len(lines)
    footer_start = next((i for i, line in enumerate(lines) if _DISCLAIMER.search(line.text)), end)
    if footer_start < end and _has_order_line(lines[footer_start:]):
        footer_start = end
    signature_start = _signature_start(lines[:footer_start])
    return lines[:signature_start], lines[signature_start:footer_start], lines[footer_start:]


def _signature_start(lines: list[TextLine]) -> int:
    end = len(lines)
    for i, line in enumerate(lines):
        if (_SIG_DASHES.match(line.text) or _MOBILE.match(line.text)) and not _has_order_line(lines[i + 1 :]):
            return i
    window_start = max(0, end - _SIGNATURE_WINDOW)
    for i in range(end - 1, window_start - 1, -1):
        if _SIGN_OFF.match(lines[i].text) and not _has_order_line(lines[i + 1 :]):
            return _earliest_sign_off(lines, i)
    return _contact_block_start(lines)


def _earliest_sign_off(lines: list[TextLine], index: int) -> int:
    """ "감사합니다." often follows "잘 부탁드립니다." directly: both close the message."""
    while index > 0 and _SIGN_OFF.match(lines[index - 1].text):
        index -= 1
    return index


def _contact_block_start(lines: list[TextLine]) -> int:
    """A trailing block of contact lines (phone, mail, title, company form) with no sign-off before it."""
    end = len(lines)
    start, contacts = end, 0
    for i in range(end - 1, max(-1, end - _SIGNATURE_WINDOW - 1), -1):
        text = lines[i].text.strip()
        if not text:
            continue
        if _CONTACT.search(text) and len(text) <= 80 and not find_quantities(text):
            start, contacts = i, contacts + 1
            continue
        if start < end and len(text) <= 12 and not any(ch.isdigit() for ch in text):
            start = i  # a name line right above the contact lines
        break
    return start if contacts >= 2 else end


def _has_order_line(lines: list[TextLine]) -> bool:
    return any(find_quantities(line.text) for line in lines)
