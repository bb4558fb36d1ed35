"""Invoice header fields: number, date, currency, supplier and buyer, read from labelled text.

Each field takes the best of its candidates: a value beside its label, a value under its label (column
layouts: `Invoice Date:` over `03/20/2023`), and a weaker fallback (the first date, the letterhead's company).
Confidence says which of these it was and how sure the OCR was of the words.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from rapidfuzz import fuzz

from extractors.invoice_dates import find_dates
from extractors.invoice_labels import FIELD_LABELS, INVOICE_TITLES
from extractors.invoice_numbers import CURRENCY_CODES, CURRENCY_SYMBOLS
from extractors.invoice_text import LabelHit, TextRow, after_label, find_labels, label_pattern, row_span_of, rows_below
from schemas.company import CompanyConfig
from schemas.fields import Evidence, ExtractedField

BESIDE, BELOW, FALLBACK = 0.9, 0.8, 0.45
_GENERIC_LABEL = 6  # `date`, `datum`, `from`: short labels that need more context than long ones
_NUMBER_TOKEN = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9/_.\-#]*\d[A-Za-z0-9/_.\-]*|\d+")
_NOT_INVOICE_DATES = re.compile(
    r"(due|delivery|order|ship|fällig|liefer|leistungs|bestell|échéance|echeance|verval|start|end|period|납기|만기)\S*\s*$",
    re.IGNORECASE,
)
_LEGAL_FORM = re.compile(
    r"(?<![\w])(GmbH|AG|B\.?V\.?|N\.?V\.?|Inc\.?|Ltd\.?|Limited|LLC|Co\.|Corp\.?|S\.?A\.?S?|SARL|S\.r\.l\.|KG|OHG|"
    r"e\.K\.|Pvt\.?|PLC|Oy|AB|ApS)(?![\w])|\(주\)|㈜|주식회사|유한회사|\(유\)",
)
_LEGAL_SUFFIX_TAIL = re.compile(r"(?:\s*&\s*Co\.?(?:\s*KG)?|\s+(?:KG|KGaA|mbH))*")
_ATTENTION = re.compile(r"(?:attn|attention|z\.\s?hd|c/o|t\.a\.v|to the attention of)\.?\s*:?\s*", re.IGNORECASE)
# Korean form labels end the company name before them: `(주)동아베어링상사 성명 최동아`.
_SEPARATOR_WORDS = {"-", "–", "|", "●", "•", "·", "/", "성명", "대표", "대표자", "대표이사", "등록번호", "주소", "전화"}
# A purchase order names its parties the other way round (수신 is the supplier); spaced-out bold titles are
# often lost to OCR, so the order's own field labels count as well.
_ORDER_TITLES = (
    "발주서", "주문서", "발주번호", "발주일자", "purchase order", "bestellung", "bon de commande", "inkooporder",
)  # fmt: skip
_ORDER_PARTY_LABELS = {"supplier": ("수신", "수신처", "공급사"), "buyer": ("발신", "발주처", "발주자")}
_CURRENCY_WORDS = re.compile(
    rf"(?<![A-Za-z])({'|'.join(CURRENCY_CODES)})(?![A-Za-z])|([€$£₩¥₹])|(?<=\d)\s?(원)|(?<![\w])(Rs)\.?(?=\s?\d)"
)
_SERIAL = re.compile(r"No\.?\s*:?\s*([A-Za-z0-9][\w/-]*\d[\w/-]*)", re.IGNORECASE)
_ALL_FIELD_LABELS = label_pattern(label for labels in FIELD_LABELS.values() for label in labels)


def _field(value: object, confidence: float, evidence: Evidence | None, note: str) -> ExtractedField:
    return ExtractedField(
        value=value, confidence=round(confidence, 3), evidence=[evidence] if evidence else [], notes=[note]
    )


def read_number(rows: list[TextRow]) -> ExtractedField[str | None]:
    """The invoice number: the token after (or under) a number label that is not a date or an amount."""
    best: tuple[float, str, Evidence, str] | None = None
    for hit in find_labels(rows, label_pattern(FIELD_LABELS["number"])):
        specificity = min(len(hit.label) / 12, 1.0)
        offset, rest = after_label(hit)
        match = _NUMBER_TOKEN.match(rest)
        candidates = []
        if match and _is_identifier(match.group(0)):
            start = offset + match.start()
            candidates.append((BESIDE, hit.row, start, start + len(match.group(0)), "beside its label"))
        elif not match:
            for row, box in rows_below(rows, hit, limit=2):
                if _NUMBER_TOKEN.fullmatch(box.text) and _is_identifier(box.text):
                    start, end = row_span_of(row, box)
                    # The value right under its label beats one two rows down (under a title above the header).
                    distance = row.index - hit.row.index
                    candidates.append((BELOW * (1.1 - 0.1 * distance), row, start, end, "under its label"))
                    break
        for place, row, start, end, where in candidates:
            score = place * (0.8 + 0.2 * specificity) * row.confidence(start, end)
            if best is None or score > best[0]:
                best = (score, row.text[start:end].lstrip("#"), row.evidence(start, end), f"{where} '{hit.label}'")
    if best is None:
        return _serial_number(rows) or _field(None, 0.0, None, "no invoice number label found")
    score, value, evidence, note = best
    return _field(value, score, evidence, note)


def _serial_number(rows: list[TextRow]) -> ExtractedField[str | None] | None:
    """`No. 20261118-07` opening a row near the top: a Korean statement's serial number, printed without a label.

    Only at a row's start: `Tel No. 02-555-1234` is not one.
    """
    for row in rows[:12]:
        match = _SERIAL.match(row.text)
        if match and _is_identifier(match.group(1)) and re.search(r"\d", match.group(1)):
            start, end = match.span(1)
            return _field(match.group(1), 0.7 * row.confidence(start, end), row.evidence(start, end),
                          "'No.' at the start of a row near the top")  # fmt: skip
    return None


def _is_identifier(token: str) -> bool:
    if any(d.start == 0 and d.end == len(token) for d in find_dates(token)):
        return False
    # Amounts (`34,73`, `1.000,00`) and percentages are not invoice numbers; plain digit runs are.
    return not re.fullmatch(r"[\d.,]+[.,]\d{2}|\d+%", token)


def read_date(rows: list[TextRow], month_first: bool) -> ExtractedField[date | None]:
    """The issue date: the date after (or under) a date label; else the first date of the document."""
    best: tuple[float, date, Evidence, str] | None = None
    for hit in find_labels(rows, label_pattern(FIELD_LABELS["date"])):
        if len(hit.label) <= _GENERIC_LABEL and _NOT_INVOICE_DATES.search(hit.row.text[: hit.start]):
            continue  # `Due Date`, `Order date`: a date, not the invoice's
        specificity = min(len(hit.label) / 11, 1.0)
        offset, rest = after_label(hit)
        found = [d for d in find_dates(rest[:40], month_first) if d.start <= 3]
        placements = [(BESIDE, hit.row, offset + d.start, offset + d.end, d.value) for d in found[:1]]
        if not found:
            for row, box in rows_below(rows, hit, limit=2):
                start, end = row_span_of(row, box)
                below = [d for d in find_dates(row.text[start:], month_first) if d.start == 0]
                if below:
                    placements.append((BELOW, row, start, start + below[0].end, below[0].value))
                    break
        for place, row, start, end, value in placements:
            score = place * (0.85 + 0.15 * specificity) * row.confidence(start, end)
            if best is None or score > best[0]:
                best = (score, value, row.evidence(start, end), f"next to '{hit.label}'")
    if best is None:
        for row in rows:
            dates = find_dates(row.text, month_first)
            if dates:
                found_date = dates[0]
                evidence = row.evidence(found_date.start, found_date.end)
                return _field(found_date.value, FALLBACK, evidence, "no date label: the document's first date")
        return _field(None, 0.0, None, "no date found")
    score, value, evidence, note = best
    return _field(value, score, evidence, note)


def read_currency(rows: list[TextRow], company: CompanyConfig | None) -> ExtractedField[str | None]:
    """The currency most amounts are written in (codes and symbols counted over the whole document)."""
    counts: Counter[str] = Counter()
    written: set[str] = set()
    first: dict[str, Evidence] = {}
    for row in rows:
        for match in _CURRENCY_WORDS.finditer(row.text):
            code, symbol, won, rupees = match.groups()
            currency = code or (CURRENCY_SYMBOLS.get(symbol or won or "", None)) or ("INR" if rupees else None)
            if currency:
                # A written code outweighs a symbol, and wins a tie: OCR turns `E103184` into `£103184`, never
                # into `GBP`.
                counts[currency] += 2 if code else 1
                written.update([currency] if code else [])
                first.setdefault(currency, row.evidence(match.start(), match.end()))
    if counts:
        currency, count = max(counts.items(), key=lambda item: (item[1], item[0] in written))
        share = count / sum(counts.values())
        return _field(currency, 0.55 + 0.4 * share, first[currency], f"{count} of {sum(counts.values())} mentions")
    if any(re.search(r"[가-힣]", row.text) for row in rows[:40]):
        return _field("KRW", 0.6, None, "no currency written; a Korean document")
    if company is not None:
        return _field(company.seller.currency, 0.4, None, "no currency written; the company's own currency")
    return _field(None, 0.0, None, "no currency found")


def is_order(rows: list[TextRow]) -> bool:
    head = " ".join(row.text for row in rows[:8]).lower().replace(" ", "")
    return any(title.replace(" ", "") in head for title in _ORDER_TITLES)


def read_parties(
    rows: list[TextRow], company: CompanyConfig | None
) -> tuple[ExtractedField[str | None], ExtractedField[str | None]]:
    """(supplier, buyer): labelled parties first, then the letterhead's company for the supplier."""
    order = is_order(rows)
    parties = {}
    for role in ("supplier", "buyer"):
        labels = FIELD_LABELS[role] + (_ORDER_PARTY_LABELS[role] if order else ())
        parties[role] = _labelled_party(rows, labels)
    supplier, buyer = parties["supplier"], parties["buyer"]
    if supplier is None:
        taken = {e.text for e in buyer.evidence} if buyer else set()
        supplier = _letterhead_company([row for row in rows if not any(t in row.text for t in taken)])
    own = company.seller.name if company else None
    if own and supplier and fuzz.token_set_ratio(supplier.value, own) >= 90 and buyer is None:
        # Our own name in the letterhead means a copy of our invoice; on a supplier's invoice it is the buyer.
        buyer, supplier = supplier, None
    if own and buyer is None:
        buyer = _own_name(rows, own)
    return (
        supplier or _field(None, 0.0, None, "no supplier found"),
        buyer or _field(None, 0.0, None, "no buyer found"),
    )


def _labelled_party(rows: list[TextRow], labels: tuple[str, ...]) -> ExtractedField[str | None] | None:
    for hit in find_labels(rows, label_pattern(labels)):
        korean = re.search(r"[가-힣]", hit.label) is not None
        next_word = hit.row.text[hit.end :].split(maxsplit=1)[:1]
        colon = hit.row.text[: hit.end].rstrip().endswith((":", "：")) or (next_word and next_word[0].endswith(":"))
        labelled = colon or (korean and hit.start == 0)
        if not labelled:
            continue  # `from` in a sentence, `Lieferant GmbH` as a name: a party label ends with a colon
        offset, rest = after_label(hit, skip_fillers=False)
        name = _name_segment(hit, offset)
        if name:
            start, end = name
            return _field(hit.row.text[start:end], BESIDE * hit.row.confidence(start, end),
                          hit.row.evidence(start, end), f"beside '{hit.label}'")  # fmt: skip
        if rest.strip() and not rest.strip().endswith(":"):
            continue  # `Customer: 2`: a customer number, not a name
        for row, _box in rows_below(rows, hit, limit=5):
            # Under `Verkäufer:` come `Nummer : 549910` lines before the name; the name has no colon
            # (but may be addressed: `ATTN: iViveLabs Limited`).
            attention = _ATTENTION.match(row.text)
            skip = attention.end() if attention else 0
            if ":" in row.text[skip:] or not re.search(r"[^\W\d_]{2}", row.text[skip:]):
                continue
            start, end = _company_span(row, skip)
            return _field(row.text[start:end], BELOW * row.confidence(start, end), row.evidence(start, end),
                          f"under '{hit.label}'")  # fmt: skip
    return None


def _name_segment(hit: LabelHit, offset: int) -> tuple[int, int] | None:
    """The words after a label up to a column gap or the next label (`공급자: A사  공급받는자: B사`)."""
    row = hit.row
    end = len(row.text)
    following = _ALL_FIELD_LABELS.search(row.text, offset)
    if following and following.start() > offset:
        end = following.start()
    boxes = [(b, s, e) for b, (s, e) in zip(row.boxes, row.spans, strict=True) if s >= offset and e <= end]
    if not boxes:
        return None
    last = boxes[0]
    for box in boxes[1:]:
        if row.placed and box[0].x0 - last[0].x1 > 1.5 * box[0].height:
            break
        last = box
    start, stop = boxes[0][1], last[2]
    if row.text[start:stop].rstrip().endswith((":", "：")):
        return None  # `Bill to Address:`: the label goes on; the name is on the next line
    text = row.text[start:stop].strip(" :,")
    return (start, start + len(text)) if re.search(r"[^\W\d_]{2}", text) else None


def _company_span(row: TextRow, skip: int = 0) -> tuple[int, int]:
    """The part of a row that names a company: around its legal form, else the row's first phrase.

    Latin legal forms end the name (`QualityHosting AG Uferweg 40-42` when OCR lost the dash); Korean ones
    (`주식회사 한빛`, `(주)한빛`) come first and the name follows.
    """
    match = _LEGAL_FORM.search(row.text, skip)
    start, end = _phrase_around(row, match.start() if match else skip, skip)
    if match and not re.search(r"[가-힣㈜]", match.group(0)):
        suffix = _LEGAL_SUFFIX_TAIL.match(row.text, match.end())
        end = min(end, suffix.end() if suffix else match.end())
    return start, end


def _phrase_around(row: TextRow, offset: int, earliest: int = 0) -> tuple[int, int]:
    """The run of words holding `offset` (none before `earliest`), bounded by separators and column gaps."""
    index = next((k for k, (s, e) in enumerate(row.spans) if s <= offset < e), 0)

    def joined(left: int, right: int) -> bool:
        if row.boxes[right].text in _SEPARATOR_WORDS or row.boxes[left].text in _SEPARATOR_WORDS:
            return False
        return not row.placed or row.boxes[right].x0 - row.boxes[left].x1 <= 1.5 * row.boxes[right].height

    first = index
    while first > 0 and row.spans[first - 1][0] >= earliest and joined(first - 1, first):
        first -= 1
    last = index
    while last + 1 < len(row.boxes) and joined(last, last + 1):
        last += 1
    start, end = row.spans[first][0], row.spans[last][1]
    return start, start + len(row.text[start:end].rstrip(" ,;"))


def _letterhead_company(rows: list[TextRow]) -> ExtractedField[str | None] | None:
    """The first company named at the top of the first page (legal form), else the document's first row."""
    if not rows:
        return None
    first_page = [r for r in rows if r.page == rows[0].page and r.part == rows[0].part][:12]
    for row in first_page:
        if _LEGAL_FORM.search(row.text):
            start, end = _company_span(row)
            return _field(row.text[start:end], 0.7 * row.confidence(start, end), row.evidence(start, end),
                          "the company in the letterhead")  # fmt: skip
    row = first_page[0]
    text = re.sub(rf"\b({'|'.join(INVOICE_TITLES)})\b", "", row.text, flags=re.IGNORECASE).strip(" .:-")
    if not re.search(r"[^\W\d_]{2}", text):
        return None
    start = row.text.find(text)
    return _field(text, 0.35 * row.confidence(start, start + len(text)), row.evidence(start, start + len(text)),
                  "no label and no legal form: the first line of the document")  # fmt: skip


def _own_name(rows: list[TextRow], own: str) -> ExtractedField[str | None] | None:
    for row in rows:
        if fuzz.partial_ratio(own, row.text) >= 92:
            return _field(own, 0.7, row.evidence(0, len(row.text)), "the company's own name appears in the document")
    return None
