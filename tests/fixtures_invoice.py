"""Ground truth for the real invoices in ../shared/data and the per-field scoring of an extraction.

invoice2data labels: `issuer`/`partner_name` is the supplier, `lines[].qty` and `price_unit|price`,
`amount` (gross), `amount_untaxed` (net), `amount_tax`. ZUGFeRD labels: the embedded CII XML, flattened.
Two ZUGFeRD samples print a different invoice than the XML they embed (the label's invoice number is not
on the page); `visible_in` finds those so the tests can leave them out and say why.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz

from schemas.extraction import InvoiceHeader, LineItem

Pair = tuple[Decimal | None, Decimal | None]


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).normalize()


@dataclass
class InvoiceTruth:
    name: str
    pdf: Path
    suppliers: list[str]
    buyer: str | None
    number: str | None
    issued: date | None
    currency: str | None
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None
    lines: list[Pair] | None  # None: the label has no line quantities to score


def invoice2data_truths(folder: Path) -> list[InvoiceTruth]:
    truths = []
    for label_file in sorted(folder.glob("*.json")):
        pdf = label_file.with_suffix(".pdf")
        if not pdf.exists():
            continue
        label = json.loads(label_file.read_text(encoding="utf-8"))[0]
        lines = [
            (_decimal(line["qty"]), _decimal(line.get("price_unit", line.get("price"))))
            for line in label.get("lines", [])
            if "qty" in line
        ]
        truths.append(
            InvoiceTruth(
                name=label_file.stem,
                pdf=pdf,
                suppliers=[n for n in (label.get("issuer"), label.get("partner_name")) if n],
                buyer=None,
                number=str(label["invoice_number"]) if label.get("invoice_number") else None,
                issued=date.fromisoformat(label["date"]) if label.get("date") else None,
                currency=label.get("currency"),
                net=_decimal(label.get("amount_untaxed")),
                tax=_decimal(label.get("amount_tax")),
                gross=_decimal(label.get("amount")),
                lines=lines or None,
            )
        )
    return truths


def zugferd_truths(folder: Path) -> list[InvoiceTruth]:
    truths = []
    for label_file in sorted(folder.glob("*.label.json")):
        label = json.loads(label_file.read_text(encoding="utf-8"))
        totals = label.get("totals", {})
        lines = [(_decimal(line.get("qty")), _decimal(line.get("unit_price_net"))) for line in label["lines"]]
        truths.append(
            InvoiceTruth(
                name=label_file.name.removesuffix(".label.json"),
                pdf=label_file.with_name(label_file.name.removesuffix(".label.json") + ".pdf"),
                suppliers=[label["seller"]["name"]],
                buyer=label["customer"]["name"],
                number=label["invoice_number"],
                issued=datetime.strptime(label["issue_date"], "%Y%m%d").date(),
                currency=label.get("currency"),
                net=_decimal(totals.get("TaxBasisTotalAmount", totals.get("LineTotalAmount"))),
                tax=_decimal(totals.get("TaxTotalAmount")),
                gross=_decimal(totals.get("GrandTotalAmount")),
                lines=lines if all(q is not None for q, _ in lines) else None,
            )
        )
    return truths


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def visible_in(truth: InvoiceTruth, page_text: str) -> bool:
    """Whether the labelled invoice is the one printed (its number appears on the page)."""
    return truth.number is None or _compact(truth.number) in _compact(page_text)


@dataclass
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, other: Counts) -> None:
        self.true_positive += other.true_positive
        self.false_positive += other.false_positive
        self.false_negative += other.false_negative

    @property
    def f1(self) -> float:
        denominator = 2 * self.true_positive + self.false_positive + self.false_negative
        return 2 * self.true_positive / denominator if denominator else 1.0


def multiset_counts(predicted: list[object], gold: list[object]) -> Counts:
    """Lines matched as a multiset: order-free, each gold value used once."""
    matched = sum((Counter(predicted) & Counter(gold)).values())
    return Counts(matched, len(predicted) - matched, len(gold) - matched)


@dataclass
class DocumentScore:
    name: str
    variant: str
    quantity: Counts = field(default_factory=Counts)
    unit_price: Counts = field(default_factory=Counts)
    fields: dict[str, bool] = field(default_factory=dict)  # field -> right; only fields the label has


def _same_amount(value: Decimal | None, gold: Decimal) -> bool:
    return value is not None and abs(value - gold) <= Decimal("0.01")


def _same_name(value: str | None, gold: str) -> bool:
    return bool(value) and fuzz.token_set_ratio(value.lower(), gold.lower()) >= 85


def score_invoice(
    truth: InvoiceTruth, variant: str, header: InvoiceHeader, items: list[LineItem], score_lines: bool
) -> DocumentScore:
    result = DocumentScore(truth.name, variant)
    if truth.lines is not None and score_lines:
        predicted = [(_norm(i.quantity.value), _norm(i.unit_price.value if i.unit_price else None)) for i in items]
        result.quantity = multiset_counts([q for q, _ in predicted], [q for q, _ in truth.lines])
        result.unit_price = multiset_counts([p for _, p in predicted], [p for _, p in truth.lines])
    if truth.number:
        value = header.number.value or ""
        result.fields["number"] = _compact(value) == _compact(truth.number)
    if truth.issued:
        result.fields["date"] = header.date.value == truth.issued
    if truth.currency:
        result.fields["currency"] = header.currency.value == truth.currency
    for name in ("net", "tax", "gross"):
        gold = getattr(truth, name)
        if gold is not None:
            result.fields[name] = _same_amount(getattr(header, name).value, gold)
    if truth.suppliers:
        result.fields["supplier"] = any(_same_name(header.supplier.value, gold) for gold in truth.suppliers)
    if truth.buyer:
        result.fields["buyer"] = _same_name(header.buyer.value, truth.buyer)
    return result


def _norm(value: Decimal | None) -> Decimal | None:
    return value.normalize() if value is not None else None


def summary_table(scores: list[DocumentScore]) -> str:
    """The per-document table the tests print (pytest -s)."""
    fields = ["number", "date", "currency", "net", "tax", "gross", "supplier", "buyer"]
    head = f"{'document':42} {'variant':9} {'qty tp/fp/fn':>12} {'price tp/fp/fn':>14}  " + " ".join(
        f"{f[:8]:>8}" for f in fields
    )
    out = [head, "-" * len(head)]
    for s in scores:
        q, p = s.quantity, s.unit_price
        cells = " ".join(f"{'-' if f not in s.fields else ('ok' if s.fields[f] else 'WRONG'):>8}" for f in fields)
        out.append(
            f"{s.name[:42]:42} {s.variant:9} {q.true_positive:>4}/{q.false_positive}/{q.false_negative:<4} "
            f"{p.true_positive:>6}/{p.false_positive}/{p.false_negative:<5}  {cells}"
        )
    return "\n".join(out)


def totals_by_variant(scores: list[DocumentScore]) -> dict[str, dict[str, float]]:
    """Per variant: quantity and unit price F1 over all lines, and each field's accuracy."""
    out: dict[str, dict[str, float]] = {}
    for variant in sorted({s.variant for s in scores}):
        chosen = [s for s in scores if s.variant == variant]
        quantity, unit_price = Counts(), Counts()
        for s in chosen:
            quantity.add(s.quantity)
            unit_price.add(s.unit_price)
        numbers: dict[str, float] = {"quantity_f1": quantity.f1, "unit_price_f1": unit_price.f1}
        for name in sorted({f for s in chosen for f in s.fields}):
            marks = [s.fields[name] for s in chosen if name in s.fields]
            numbers[name] = sum(marks) / len(marks)
        out[variant] = numbers
    return out
