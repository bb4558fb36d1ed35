"""OCR stage vs raw Tesseract on the same page images, and 1 vs 2 worker processes.

    python -m benchmarks.ocr_bench

1. Per page, in one run and interleaved (so both see the same machine load): our OCR stage (decode,
   clean-up, Tesseract with boxes, second look at numbers, tables) against `tesseract IMAGE - -l kor+eng`.
   Target: ours ≤ 1.15 × raw. Character accuracy of both is printed as well: the clean-up is what buys it.
2. The whole set through `ocr_many` with 1 and with 2 workers. Target: ≥ 1.8 × speed-up on 2 cores.
Both with OMP_THREAD_LIMIT=1 (../shared/RECIPES.md: Tesseract's own threads make it 3–4 × slower here).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.ocr_pages import BenchPage, invoice_pages, korean_pages
from extractors.ocr import ocr_image, ocr_many
from schemas.settings import Settings
from tests.fixtures_ocr import char_accuracy

RATIO_TARGET = 1.15
SPEEDUP_TARGET = 1.8


def _raw_tesseract(path: Path, languages: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        ["tesseract", str(path), "-", "-l", languages], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, result.stdout


def _plain_accuracy(reference: list[str], text: str) -> float:
    return Levenshtein.normalized_similarity("".join("".join(r.split()) for r in reference), "".join(text.split()))


def compare_with_raw(pages: list[BenchPage], settings: Settings) -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':28} {'raw s':>7} {'ours s':>7} {'ratio':>6} {'raw acc':>8} {'our acc':>8}")
    raw_total = ours_total = 0.0
    for page in pages:
        data = page.path.read_bytes()
        raw_seconds, raw_text = _raw_tesseract(page.path, settings.ocr_languages)
        started = time.perf_counter()
        (ours,) = ocr_image(data, settings)
        ours_seconds = time.perf_counter() - started
        raw_total += raw_seconds
        ours_total += ours_seconds
        print(
            f"{page.name:28} {raw_seconds:7.2f} {ours_seconds:7.2f} {ours_seconds / raw_seconds:6.2f} "
            f"{_plain_accuracy(page.reference, raw_text):8.3f} {char_accuracy(page.reference, ours):8.3f}"
        )
    ratio = ours_total / raw_total
    verdict = "meets" if ratio <= RATIO_TARGET else "MISSES"
    print(f"total: raw {raw_total:.1f} s, ours {ours_total:.1f} s -> ratio {ratio:.2f} ({verdict} ≤ {RATIO_TARGET})")
    print(f"ours, one process: {60 * len(pages) / ours_total:.1f} pages/minute")


def machine_parallelism(pages: list[BenchPage], languages: str) -> float:
    """How much faster two raw Tesseracts run side by side than one after the other, on this machine now.

    Other jobs on a shared machine take cores away; this is the ceiling for our own speed-up."""

    def command(page: BenchPage) -> list[str]:
        return ["tesseract", str(page.path), "-", "-l", languages]

    started = time.perf_counter()
    for page in pages:
        subprocess.run(command(page), capture_output=True, check=True)
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    for pair in zip(pages[::2], pages[1::2], strict=False):
        running = [subprocess.Popen(command(p), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in pair]
        for process in running:
            process.wait()
    return sequential / (time.perf_counter() - started)


def compare_workers(pages: list[BenchPage], settings: Settings, rounds: int = 2) -> None:
    """1 and 2 workers in alternation, best of `rounds` each: a shared machine's load comes and goes."""
    images = [p.path.read_bytes() for p in pages]
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(rounds):
        for workers in (1, 2):
            load = os.getloadavg()[0]
            started = time.perf_counter()
            outcomes = ocr_many(images, workers=workers, settings=settings)
            seconds[workers].append(time.perf_counter() - started)
            failed = sum(o.error is not None for o in outcomes)
            took = seconds[workers][-1]
            rate = 60 * len(images) / took
            print(f"{workers} worker(s): {len(images)} pages in {took:.1f} s ({rate:.1f} pages/minute), "
                  f"{failed} failed, load average {load:.1f}")  # fmt: skip
    speedup = min(seconds[1]) / min(seconds[2])
    verdict = "meets" if speedup >= SPEEDUP_TARGET else "MISSES"
    cores = os.cpu_count()
    print(f"speed-up 1 -> 2 workers, best runs: {speedup:.2f}x ({verdict} ≥ {SPEEDUP_TARGET}x on {cores} cores)")
    print(f"the machine's own ceiling now (two raw Tesseracts side by side): "
          f"{machine_parallelism(pages, settings.ocr_languages):.2f}x")


def main() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    settings = Settings(ocr_workers=1)
    with tempfile.TemporaryDirectory(prefix="intake-ocr-bench-") as folder:
        scans = korean_pages(Path(folder) / "scans", count=6, dpi=200) + invoice_pages(Path(folder), dpi=200)
        clean = korean_pages(Path(folder) / "clean", count=3, dpi=300, degraded=False)
        _raw_tesseract(scans[0].path, settings.ocr_languages)  # load the models into the page cache
        print("-- degraded scans (raw Tesseract gives up on the Korean tables, which makes it fast)")
        compare_with_raw(scans, settings)
        print("-- clean 300-dpi renders")
        compare_with_raw(clean, settings)
        compare_workers(scans, settings)


if __name__ == "__main__":
    main()
