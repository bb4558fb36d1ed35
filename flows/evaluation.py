"""Metrics on a labelled set (`labels.jsonl`), exactly as DESIGN.md defines `intake eval --json`."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field

from flows.runtime import Runtime
from flows.stages import Outcome, evaluate_file
from schemas.extraction import Kind
from schemas.review import Route


class LabelItem(BaseModel):
    sku: str
    quantity: Decimal


class Label(BaseModel):
    file: str
    kind: Kind
    customer_id: str | None
    items: list[LabelItem] = Field(default_factory=list)


def load_labels(dataset: Path) -> list[Label]:
    path = dataset / "labels.jsonl"
    labels = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                labels.append(Label.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}, line {line_no}: {exc}") from None
    return labels


@dataclass
class Prediction:
    route: Route
    kind: Kind | None
    customer_id: str | None
    items: list[tuple[str | None, Decimal | None]]
    seconds: float


def predict(rt: Runtime, dataset: Path, label: Label, on: date) -> tuple[Outcome, Prediction]:
    """What the pipeline makes of one labelled document (nothing recorded), and that as a Prediction."""
    started = time.perf_counter()
    outcome = evaluate_file(rt, dataset / label.file, on)
    ex = outcome.extraction
    prediction = Prediction(
        route=outcome.decision.route,
        kind=ex.kind.value if ex else None,
        customer_id=ex.customer_id.value if ex else None,
        items=[(i.sku.value, i.quantity.value) for i in ex.items] if ex else [],
        seconds=time.perf_counter() - started,
    )
    return outcome, prediction


def _is_request(kind: Kind | None) -> bool:
    return kind in (Kind.RFQ, Kind.PO)


def _item_counts(items: list[tuple[str | None, Decimal | None]]) -> Counter[tuple[str | None, Decimal | None]]:
    return Counter((sku, Decimal(q).normalize() if q is not None else None) for sku, q in items)


def document_correct(label: Label, pred: Prediction) -> bool:
    """Every field right: request-or-not, the customer, and the items (sku and quantity) as a multiset."""
    if _is_request(label.kind) != _is_request(pred.kind):
        return False
    if label.customer_id != pred.customer_id:
        return False
    return _item_counts([(i.sku, i.quantity) for i in label.items]) == _item_counts(pred.items)


def goes_straight_through(route: Route) -> bool:
    """No person sees it: a quote sent, or a "not a request" closed without review."""
    return route in (Route.AUTO, Route.NOT_REQUEST)


def routing_rates(routes: Sequence[Route], correct: Sequence[bool]) -> tuple[float, float]:
    """auto_rate (share of documents straight through) and undetected_error_rate (share of those with a wrong field)."""
    straight = straight_wrong = 0
    for route, right in zip(routes, correct, strict=True):
        if goes_straight_through(route):
            straight += 1
            straight_wrong += not right
    auto_rate = straight / len(routes) if routes else 0.0
    return round(auto_rate, 4), round(straight_wrong / straight, 4) if straight else 0.0


def compute_metrics(labels: list[Label], preds: list[Prediction]) -> dict[str, object]:
    tp = fp = fn = 0
    customer_right = 0
    correct = []
    for label, pred in zip(labels, preds, strict=True):
        truth = _item_counts([(i.sku, i.quantity) for i in label.items])
        got = _item_counts(pred.items)
        hit = sum((truth & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(truth.values()) - hit
        customer_right += label.customer_id == pred.customer_id
        correct.append(document_correct(label, pred))
    auto_rate, undetected = routing_rates([p.route for p in preds], correct)
    n = len(labels)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": n,
        "customer": {"accuracy": round(customer_right / n, 4) if n else 0.0},
        "items": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
        "doc_exact": round(sum(correct) / n, 4) if n else 0.0,
        "auto_rate": auto_rate,
        "undetected_error_rate": undetected,
        "seconds_per_doc": round(sum(p.seconds for p in preds) / n, 3) if n else 0.0,
    }


def dump(metrics: dict[str, object]) -> str:
    return json.dumps(metrics, ensure_ascii=False)
