"""The threshold sweep (`intake calibrate`): rows checked against routes worked out by hand.

Synthetic documents with known confidences give exact truths; a copy of the second company's inbox with one
deliberately wrong label checks the command end to end against `intake eval` on the same files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fixtures_pricing import DAY, extraction, item, tiny_company
from typer.testing import CliRunner

from flows.calibration import (
    THRESHOLDS,
    Calibration,
    DocumentRouter,
    Margins,
    SweepRow,
    best_safe,
    frontier,
    one_at_a_time,
    sweep,
)
from flows.cli import app
from flows.stages import Outcome
from pricing.decision import decide
from pricing.engine import price_quote
from pricing.schema import PricingRules
from schemas.extraction import Extraction, Kind
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings(threshold_kind=0.6, threshold_customer=0.75, threshold_sku=0.8, threshold_quantity=0.8)
VALUES = (0.6, 0.8, 0.9)


def _outcome(doc: Extraction) -> Outcome:
    quote = price_quote(doc, tiny_company(), PricingRules(), DAY) if doc.kind.value != Kind.OTHER else None
    return Outcome(doc, quote, decide(doc, quote, SETTINGS))


def _quantity_read_at(confidence: float) -> Extraction:
    doc = extraction()
    doc.items[0].quantity.confidence = confidence
    return doc


def _sku_read_at(confidence: float) -> Extraction:
    doc = extraction(items=[item("BOLT-8", 10), item("NUT-8", 5)])
    doc.items[1].sku.confidence = confidence
    return doc


# (document, is every field right?) — the truths below follow from these confidences alone.
DOCS = [
    (extraction(), True),  # A: everything at 0.95
    (_quantity_read_at(0.7), False),  # B: a wrong quantity read with confidence 0.7
    (_sku_read_at(0.85), True),  # C: right, one SKU at 0.85
    (extraction(kind=Kind.OTHER, kind_confidence=0.65, items=[]), True),  # D: not a request, kind at 0.65
]


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return sweep([_outcome(doc) for doc, _ in DOCS], [right for _, right in DOCS], SETTINGS, VALUES)


@pytest.fixture(scope="module")
def swept(calibration: Calibration) -> tuple[list[SweepRow], SweepRow]:
    return calibration.rows, calibration.current


def _row(rows: list[SweepRow], **changed: float) -> SweepRow:
    wanted = {"kind": 0.6, "customer": 0.75, "sku": 0.8, "quantity": 0.8, "invoice": 0.8, **changed}
    return next(row for row in rows if row.thresholds == wanted)


def test_every_combination_is_a_row_and_the_current_setting_is_one_of_them(swept) -> None:
    rows, current = swept
    # customer's axis gains the current 0.75; the others already hold their current value
    assert len(rows) == 3 * 4 * 3 * 3 * 3
    assert list(current.thresholds) == list(THRESHOLDS)
    assert (current.auto_rate, current.undetected_error_rate) == (0.75, 0.0)  # A, C auto, D closed; B held


def test_a_too_low_quantity_threshold_lets_the_wrong_document_through(swept) -> None:
    rows, _ = swept
    low = _row(rows, quantity=0.6)
    assert (low.auto_rate, low.undetected_error_rate) == (1.0, 0.25)
    assert not low.safe


def test_higher_thresholds_hold_right_documents_too(swept) -> None:
    rows, _ = swept
    assert (_row(rows, sku=0.9).auto_rate, _row(rows, sku=0.9).undetected_error_rate) == (0.5, 0.0)  # C held
    assert _row(rows, kind=0.8).auto_rate == 0.5  # D unsure enough to need a person
    top = _row(rows, kind=0.9, customer=0.9, sku=0.9, quantity=0.9, invoice=0.9)
    assert (top.auto_rate, top.undetected_error_rate) == (0.25, 0.0)  # only A


def test_best_safe_and_frontier_keep_the_most_margin(swept) -> None:
    rows, _ = swept
    best = best_safe(rows)
    assert {row.auto_rate for row in best} == {0.75}
    assert all(r.thresholds["kind"] == 0.6 and r.thresholds["quantity"] > 0.7 and r.thresholds["sku"] <= 0.85
               for r in best)  # fmt: skip
    assert [(r.auto_rate, r.undetected_error_rate, tuple(r.thresholds.values())) for r in frontier(rows)] == [
        (0.25, 0.0, (0.9, 0.9, 0.9, 0.9, 0.9)),
        (0.5, 0.0, (0.9, 0.9, 0.8, 0.9, 0.9)),
        (0.75, 0.0, (0.6, 0.9, 0.8, 0.9, 0.9)),
        (1.0, 0.25, (0.6, 0.9, 0.8, 0.6, 0.9)),
    ]


def test_margin_is_the_drop_that_would_let_the_wrong_document_through(calibration: Calibration) -> None:
    rows, current, margins = calibration.rows, calibration.current, calibration.margins
    assert margins.of(current) == 0.1  # B's quantity was read at 0.7: the 0.8 threshold is 0.1 above it
    assert margins.of(_row(rows, quantity=0.6)) == 0.0
    assert margins.of(_row(rows, quantity=0.9, sku=0.9)) == 0.2  # not limited to the grid's values
    best = margins.most(best_safe(rows))
    assert best is not None
    assert (tuple(best.thresholds.values()), margins.of(best)) == ((0.6, 0.9, 0.8, 0.9, 0.9), 0.2)
    assert Margins([], []).of(current) is None  # no wrong document: no bound


def test_one_at_a_time_varies_a_single_threshold(swept) -> None:
    rows, current = swept
    quantity = [(value, row.auto_rate) for name, value, row in one_at_a_time(rows, current) if name == "quantity"]
    assert quantity == [(0.6, 1.0), (0.8, 0.75), (0.9, 0.75)]  # only B has a quantity below 0.9


def test_cached_routes_match_calling_decide_every_time() -> None:
    """The router caches by where thresholds fall among a document's confidences: it must never differ."""
    values = (0.0, 0.5, 0.65, 0.7, 0.85, 0.95, 1.0)
    for doc, _ in DOCS:
        outcome = _outcome(doc)
        router = DocumentRouter(outcome, SETTINGS)
        for kind in values:
            for quantity in values:
                for sku in values:
                    thresholds = {"kind": kind, "customer": 0.75, "sku": sku, "quantity": quantity, "invoice": 0.8}
                    update = {f"threshold_{name}": value for name, value in thresholds.items()}
                    direct = decide(doc, outcome.quote, SETTINGS.model_copy(update=update)).route
                    assert router.route(thresholds) == direct, thresholds


def _mislabelled_inbox(folder: Path) -> Path:
    """The second company's inbox with GL-PE asked as 10 in 002 (the mail says 1): that document is now wrong."""
    inbox = ROOT / "tests" / "companies" / "second" / "inbox"
    shutil.copytree(inbox, folder)
    labels = [json.loads(line) for line in (inbox / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    for label in labels:
        if label["file"] == "docs/002_rfq_en.eml":
            label["items"] = [dict(i, quantity=10) if i["sku"] == "GL-PE" else i for i in label["items"]]
    (folder / "labels.jsonl").write_text("\n".join(json.dumps(label) for label in labels) + "\n", encoding="utf-8")
    return folder


def test_calibrate_command_agrees_with_eval_and_finds_a_safe_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_HOME", str(tmp_path / "home"))
    dataset = _mislabelled_inbox(tmp_path / "inbox")
    config = str(ROOT / "tests" / "companies" / "second")
    runner = CliRunner()
    evaluated = runner.invoke(app, ["eval", str(dataset), "--config", config, "--json"])
    calibrated = runner.invoke(app, ["calibrate", str(dataset), "--config", config, "--values", "0.8,0.9", "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert calibrated.exit_code == 0, calibrated.output
    metrics, result = json.loads(evaluated.stdout), json.loads(calibrated.stdout)
    current = result["current"]
    assert (current["auto_rate"], current["undetected_error_rate"]) == (
        metrics["auto_rate"],
        metrics["undetected_error_rate"],
    )
    # 002, 003 and 004 go through at the defaults (001 fails its unit checks); 002 is now the wrong one
    assert (current["auto_rate"], current["undetected_error_rate"]) == (0.75, 0.3333)
    # kind and customer add their current 0.6 and 0.75 to the grid
    assert result["settings"] == len(result["rows"]) == 3 * 3 * 2 * 2 * 2
    best = result["best_safe"]
    assert best["undetected_error_rate"] == 0 and 0 < best["auto_rate"] < 0.75
    assert current["margin"] == 0 and best["margin"] > 0
    flagged = [row for row in result["rows"] if row["best_safe"]]
    assert {**{k: v for k, v in best.items() if k != "margin"}, "best_safe": True} in flagged
    assert all(row["undetected_error_rate"] == 0 and row["auto_rate"] == best["auto_rate"] for row in flagged)


def test_calibrate_refuses_bad_values() -> None:
    inbox = str(ROOT / "tests" / "companies" / "second" / "inbox")
    for values in ("0.5,high", "0.5,1.5", ""):
        result = CliRunner().invoke(app, ["calibrate", inbox, "--values", values])
        assert result.exit_code == 2, values
        assert "--values wants" in result.output
