"""Net, tax and gross: every labelled amount is a candidate; the arithmetic picks among them.

Invoices print several `Subtotal`s (one per section), a `Total` that is the gross or the net depending on
the country, and tax lines like `Tax 15% on $ 112.90   $ 16.94`. The combination where net + tax = gross
and the lines add up to the net (or, with prices incl. VAT, to the gross) wins; without such evidence the
last labelled amount of each kind does (document totals come after section subtotals).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.invoice_labels import FIELD_LABELS, NOT_TOTALS, normalise_label
from extractors.invoice_lines import amounts_agree
from extractors.invoice_numbers import NumberStyle, find_numbers, parse_number
from extractors.invoice_text import LabelHit, TextRow, label_pattern, row_span_of, rows_below
from schemas.fields import Evidence

TOTAL_KINDS = ("net", "tax", "gross")
_KIND_BY_LABEL: dict[str, str | None] = {
    normalise_label(label): kind for kind in TOTAL_KINDS for label in FIELD_LABELS[kind]
}
# Longer phrases that contain a totals label but name something else (matched, then ignored).
_KIND_BY_LABEL |= {normalise_label(label): None for label in NOT_TOTALS}
_TABLE_TOTAL = re.compile(r"합?계")
_TOTALS = label_pattern([*(label for kind in TOTAL_KINDS for label in FIELD_LABELS[kind]), *NOT_TOTALS])


@dataclass(frozen=True)
class AmountCandidate:
    kind: str
    value: Decimal
    label: str
    position: int  # row index: later rows hold the document's totals
    evidence: Evidence
    confidence: float  # the words' OCR confidence


@dataclass(frozen=True)
class Totals:
    net: AmountCandidate | None
    tax: AmountCandidate | None
    gross: AmountCandidate | None
    consistent: bool  # net + tax = gross held for the chosen three
    lines_match: str | None  # "net" or "gross" when the line amounts add up to it


def total_candidates(rows: list[TextRow], style: NumberStyle) -> list[AmountCandidate]:
    """Each totals label with the amounts that follow it on its row (or the amount right under it).

    `Tax 15% on $ 112.90   $ 16.94` wants the last amount after the label, `Exclusief BTW € 593,36  Subtotaal
    € 717,97` the first: both are candidates and the arithmetic chooses.
    """
    found = []
    for row in rows:
        found.extend(_table_total_row(row, style))
        matches = list(_TOTALS.finditer(row.text))
        for match, following in itertools.zip_longest(matches, matches[1:]):
            kind = _KIND_BY_LABEL.get(normalise_label(match.group(0)))
            if kind is None:
                continue
            end = following.start() if following else len(row.text)
            amounts = [n for n in find_numbers(row.text[match.end() : end], style) if not n[0].percent]
            hit = LabelHit(row, match.start(), match.end(), normalise_label(match.group(0)))
            if not amounts and not row.text[match.end() : end].strip():
                found.extend(_amount_below(rows, hit, kind, style))
            for number, start, stop in amounts[:1] + amounts[1:][-1:]:
                found.append(_candidate(kind, number.value, hit.label, row, start + match.end(), stop + match.end()))
    return found


def _table_total_row(row: TextRow, style: NumberStyle) -> list[AmountCandidate]:
    """`계  3,782,000  378,200`: a Korean statement's item table ends with the sums of its 공급가액 and 세액
    columns. Candidates only: the arithmetic (lines sum, net + tax = gross) decides whether they are.
    """
    if not row.boxes or _TABLE_TOTAL.fullmatch(row.boxes[0].text) is None:
        return []
    cells = [(parse_number(box.text, style), box) for box in row.boxes[1:]]
    if len(cells) != 2 or any(number is None or number.percent for number, _ in cells):
        return []
    return [
        _candidate(kind, number.value, "계", row, *row_span_of(row, box))
        for kind, (number, box) in zip(("net", "tax"), cells, strict=True)
        if number is not None
    ]


def _candidate(kind: str, value: Decimal, label: str, row: TextRow, start: int, end: int) -> AmountCandidate:
    return AmountCandidate(kind, value, label, row.index, row.evidence(start, end), row.confidence(start, end))


def _amount_below(rows: list[TextRow], hit: LabelHit, kind: str, style: NumberStyle) -> list[AmountCandidate]:
    """Korean tax invoices print `공급가액 | 세액 | 합계금액` as a header with the amounts in the row under it."""
    for row, box in rows_below(rows, hit, limit=1):
        parsed = parse_number(box.text, style)
        if parsed is not None and not parsed.percent:
            start, end = row_span_of(row, box)
            return [_candidate(kind, parsed.value, hit.label, row, start, end)]
    return _amount_in_next_cell(rows, hit, kind, style)


def _amount_in_next_cell(rows: list[TextRow], hit: LabelHit, kind: str, style: NumberStyle) -> list[AmountCandidate]:
    """`합계금액 | 일금 사백일십육만이백원정 (₩4,160,200)`: the value cell right of the label, its baseline a little
    lower (so it lands on the next row); the amount in words first, then in figures with the currency sign.
    """
    label = hit.row.box_at(hit.start)
    if label is None or not hit.row.placed or hit.row.index + 1 >= len(rows):
        return []
    row = rows[hit.row.index + 1]
    if row.page != hit.row.page or row.part != hit.row.part or not row.placed:
        return []
    if row.boxes[0].top >= label.bottom or row.boxes[0].x0 < label.x1:
        return []  # not beside the label: a row of its own below
    marked = [(n, s, e) for n, s, e in find_numbers(row.text, style) if n.currency and not n.percent]
    if not marked:
        return []
    number, start, end = marked[0]
    return [_candidate(kind, number.value, hit.label, row, start, end)]


def choose_totals(candidates: list[AmountCandidate], lines_sum: Decimal | None) -> Totals:
    by_kind: dict[str, list[AmountCandidate | None]] = {
        kind: [*[c for c in candidates if c.kind == kind][-6:], None] for kind in TOTAL_KINDS
    }
    best: tuple[tuple[float, ...], Totals] | None = None
    for net, tax, gross in itertools.product(by_kind["net"], by_kind["tax"], by_kind["gross"]):
        consistent = bool(net and tax and gross and amounts_agree(net.value + tax.value, gross.value))
        lines_match = None
        if lines_sum is not None and net and amounts_agree(lines_sum, net.value):
            lines_match = "net"
        elif lines_sum is not None and gross and amounts_agree(lines_sum, gross.value):
            lines_match = "gross"
        if gross and ((tax and abs(tax.value) > abs(gross.value)) or (net and abs(net.value) > abs(gross.value) * 2)):
            continue  # a tax above the gross is a VAT number or an IBAN read as an amount
        present = sum(c is not None for c in (net, tax, gross))
        lateness = sum(c.position for c in (net, tax, gross) if c is not None)
        score = (4.0 * consistent + 2.0 * (lines_match is not None) + present, lateness)
        if best is None or score > best[0]:
            best = (score, Totals(net, tax, gross, consistent, lines_match))
    return best[1] if best else Totals(None, None, None, consistent=False, lines_match=None)
