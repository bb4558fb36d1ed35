"""The page images the OCR benchmarks read: Korean forms (rendered, then scanned badly) and real invoices.

Korean 거래명세서 / 발주서 come from the test generator (reportlab + NanumGothic) with their printed text
as reference; the real invoices of ../shared/data (when present) are rendered and degraded the same way,
their text layer being the reference. Everything is seeded: two runs read the same pixels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from extractors.layout_rows import Box, group_rows
from extractors.pdf import read_pdf
from tests.fixtures_ocr import degrade_scan, make_korean_document, render_korean_pdf, render_pdf_pages, shared_data_dir

SEED = 20251126
INVOICES = ("AzureInterior", "QualityHosting", "coolblue2", "saeco")


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: Path
    reference: list[str]  # the printed text, row by row


def korean_pages(folder: Path, count: int, dpi: int, degraded: bool = True) -> list[BenchPage]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for seed in range(count):
        document = make_korean_document(seed)
        pdf = render_korean_pdf(document, folder / f"korean-{seed}.pdf")
        (image,) = render_pdf_pages(pdf, folder / f"korean-{seed}-{dpi}", dpi)
        if degraded:
            image = degrade_scan(image, folder / f"korean-{seed}-{dpi}.jpg", seed)
        pages.append(BenchPage(f"{document.kind}-{seed}@{dpi}", image, document.text_lines))
    return pages


def invoice_pages(folder: Path, dpi: int) -> list[BenchPage]:
    """The first page of a few real invoices, degraded (empty when ../shared/data is absent)."""
    shared = shared_data_dir() / "invoice2data"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    pages = []
    for name in INVOICES:
        pdf = shared / f"{name}.pdf"
        if not pdf.exists():
            continue
        image = render_pdf_pages(pdf, folder / name, dpi)[0]
        scan = degrade_scan(image, folder / f"{name}-{dpi}.jpg", rng.randrange(1 << 30))
        text_page = read_pdf(pdf.read_bytes()).pages[0]
        boxes = [Box(w.text, *w.bbox) for line in text_page.lines for w in line.words if w.bbox]
        pages.append(BenchPage(f"{name}@{dpi}", scan, [" ".join(b.text for b in r.boxes) for r in group_rows(boxes)]))
    return pages
