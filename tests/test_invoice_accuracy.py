"""Per-field accuracy on the real invoices of ../shared/data, born-digital and as degraded scans.

Born-digital: the PDF's text layer (extractors.pdf). Degraded: every page rendered with pdftoppm at 150 or
200 dpi, turned 1–3°, blurred, noised and saved as JPEG quality 60 (fixed seeds), then read by our OCR stage
on two worker processes. Run with `pytest -s` to see the per-document table.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fixtures_invoice import (
    DocumentScore,
    InvoiceTruth,
    invoice2data_truths,
    score_invoice,
    summary_table,
    totals_by_variant,
    visible_in,
    zugferd_truths,
)
from fixtures_ocr import degrade_scan, render_pdf_pages, shared_data_dir

from extractors.invoice import extract_invoice
from extractors.ocr import ocr_many
from extractors.pdf import read_pdf
from schemas.text import DocumentText, Page, PartText

SHARED = shared_data_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "invoice2data").is_dir(), reason=f"third-party invoices not found at {SHARED} (INTAKE_SHARED_DATA)"
)
SEED = 20251126


def _document(name: str, pages: list[Page]) -> DocumentText:
    return DocumentText(parts=[PartText(part=name, role="file", content_type="application/pdf", pages=pages)])


def _truths() -> list[InvoiceTruth]:
    return invoice2data_truths(SHARED / "invoice2data") + zugferd_truths(SHARED / "zugferd")


@pytest.fixture(scope="module")
def born_digital() -> dict[str, list[Page]]:
    return {t.name: read_pdf(t.pdf.read_bytes()).pages for t in _truths()}


@pytest.fixture(scope="module")
def scored(born_digital: dict[str, list[Page]], tmp_path_factory: pytest.TempPathFactory) -> list[DocumentScore]:
    truths = [t for t in _truths() if visible_in(t, "\n".join(p.text for p in born_digital[t.name]))]
    scores = []
    for truth in truths:
        header, items, _ = extract_invoice(_document(truth.name, born_digital[truth.name]))
        scores.append(score_invoice(truth, "born", header, items, score_lines=True))

    folder = tmp_path_factory.mktemp("degraded")
    rng = random.Random(SEED)
    images: list[bytes] = []
    owners: list[str] = []
    for truth in truths:
        dpi = rng.choice([150, 200])
        for number, page in enumerate(render_pdf_pages(truth.pdf, folder / truth.name, dpi), start=1):
            scan = degrade_scan(page, folder / f"{truth.name}-{number}.jpg", seed=rng.randrange(1 << 30))
            images.append(scan.read_bytes())
            owners.append(truth.name)
    outcomes = ocr_many(images, workers=2)
    for truth in truths:
        pages = [p for owner, o in zip(owners, outcomes, strict=True) if owner == truth.name for p in o.pages]
        for number, page in enumerate(pages, start=1):
            page.number = number
        header, items, _ = extract_invoice(_document(truth.name, pages))
        scores.append(score_invoice(truth, "degraded", header, items, score_lines=True))
    print("\n" + summary_table(scores))
    for variant, numbers in totals_by_variant(scores).items():
        print(variant, " ".join(f"{k}={v:.2f}" for k, v in numbers.items()))
    return scores


def test_labels_of_another_invoice_are_left_out(born_digital: dict[str, list[Page]]) -> None:
    """Two ZUGFeRD samples embed XML of a different invoice than they print; only those are skipped."""
    hidden = [t.name for t in _truths() if not visible_in(t, "\n".join(p.text for p in born_digital[t.name]))]
    assert sorted(hidden) == ["acme_invoice-42_ZUGFeRD", "sample_inofficial_20190125_atgp_factur-x_v_1_0"]


def test_born_digital_lines(scored: list[DocumentScore]) -> None:
    """Target 0.9; measured 1.00 for both."""
    numbers = totals_by_variant(scored)["born"]
    assert numbers["quantity_f1"] >= 0.95
    assert numbers["unit_price_f1"] >= 0.95


def test_degraded_scan_lines(scored: list[DocumentScore]) -> None:
    """Target 0.8; measured 0.98 (quantity) and 0.90 (unit price: 150-dpi JPEG turns 1,0000 into 1,0900)."""
    numbers = totals_by_variant(scored)["degraded"]
    assert numbers["quantity_f1"] >= 0.9
    assert numbers["unit_price_f1"] >= 0.85


@pytest.mark.parametrize("variant", ["born", "degraded"])
def test_header_fields(scored: list[DocumentScore], variant: str) -> None:
    """Share of the labelled documents with the field right (measured: see the printed table)."""
    numbers = totals_by_variant(scored)[variant]
    assert numbers["number"] >= 0.8
    assert numbers["date"] >= 0.95
    assert numbers["gross"] >= 0.9
    assert numbers["tax"] >= 0.8
    assert numbers["currency"] >= 0.9
    assert numbers["net"] >= 0.6
    assert numbers["supplier"] >= 0.5


def test_scan_of_a_page_keeps_boxes_and_confidence(tmp_path: Path) -> None:
    """The OCR page carries what the extraction's evidence needs: word boxes in points, confidence, tables."""
    pdf = SHARED / "invoice2data" / "AzureInterior.pdf"
    page_image = render_pdf_pages(pdf, tmp_path, 200)[0]
    scan = degrade_scan(page_image, tmp_path / "azure.jpg", seed=SEED)
    (outcome,) = ocr_many([scan.read_bytes()], workers=1)
    assert outcome.error is None
    (page,) = outcome.pages
    assert page.method == "ocr" and 0.5 < (page.ocr_confidence or 0) <= 1
    words = [w for line in page.lines for w in line.words]
    assert all(w.bbox and 0 <= w.bbox[0] < w.bbox[2] <= page.width for w in words)
    assert 550 < (page.width or 0) < 680, "boxes are in points on a ~A4 page"
    assert page.tables and page.tables[0].rows[0][:3] == ["Description", "Quantity", "Unit Price"]
    _, items, _ = extract_invoice(_document("azure.jpg", [page]))
    assert items[0].quantity.evidence[0].bbox is not None
    assert items[0].quantity.evidence[0].ocr_confidence is not None


def test_every_real_invoice_is_read_as_an_invoice_by_the_pipeline(intake_home: Path) -> None:
    """Classification in the pipeline: English, German, French and Dutch titles all make an invoice, checked as one."""
    from flows.runtime import open_runtime
    from flows.stages import extract_file

    with open_runtime() as rt:
        kinds = {t.name: extract_file(rt, t.pdf) for t in _truths()}
    assert {name: e.kind.value.value for name, e in kinds.items() if e.kind.value.value != "invoice"} == {}
    assert all(e.invoice is not None for e in kinds.values())
    # A supplier's lines are not our catalog's: they are checked by their arithmetic, not by sku or unit.
    checks = {v.name for e in kinds.values() for v in e.validators}
    assert "line_arithmetic" in checks and not checks & {"sku_known", "unit_matches_catalog", "quantity_whole"}
