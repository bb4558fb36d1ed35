"""Which Tesseract page segmentation mode to use: character accuracy and time of psm 3, 4 and 6.

    python -m benchmarks.ocr_psm

The same pages as the OCR benchmark (clean and degraded Korean forms, degraded real invoices), each read by
our OCR stage with every mode on two worker processes. The default in extractors.ocr_page cites this run.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.ocr_pages import BenchPage, invoice_pages, korean_pages
from extractors.ocr_page import ocr_page_image
from extractors.ocr_preprocess import decode_page
from tests.fixtures_ocr import char_accuracy

MODES = (3, 4, 6, 0)  # 0: chosen by page type, as the OCR stage does


def _read(page: BenchPage, psm: int) -> tuple[float, float]:
    gray = decode_page(page.path.read_bytes(), 0)
    started = time.perf_counter()
    result = ocr_page_image(gray, 1, "kor+eng", psm=psm or None)
    return char_accuracy(page.reference, result), time.perf_counter() - started


def main() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="intake-ocr-psm-") as folder:
        sets = {
            "korean clean 300 dpi": korean_pages(Path(folder) / "clean", 4, 300, degraded=False),
            "korean scan 200 dpi": korean_pages(Path(folder) / "scan", 4, 200),
            "invoice scan 200 dpi": invoice_pages(Path(folder) / "invoices", 200),
        }
        jobs = [(kind, page, psm) for kind, pages in sets.items() for page in pages for psm in MODES]
        with ProcessPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(_read, [j[1] for j in jobs], [j[2] for j in jobs]))
    print(f"{'pages':24} {'psm':>4} {'accuracy':>9} {'worst':>6} {'seconds':>8}")
    for kind in sets:
        for psm in MODES:
            measured = [r for (k, _, p), r in zip(jobs, results, strict=True) if k == kind and p == psm]
            if measured:
                accuracy = [a for a, _ in measured]
                print(f"{kind:24} {psm or 'auto':>4} {statistics.fmean(accuracy):9.3f} {min(accuracy):6.3f} "
                      f"{statistics.fmean(s for _, s in measured):8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
