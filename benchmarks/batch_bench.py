"""`intake batch` on 1 vs 2 workers: the same folder of single-page scans, end to end (LLM off).

    python -m benchmarks batch

Each run gets a fresh data home (empty store), so both process every page; the order alternates
(1, 2, then 2, 1, ...) and the best of the three runs of each counts, because a shared machine's load comes and
goes. The time is the flow's own, from listing the folder to the last document stored: Prefect's start-up
is outside it, and so is the OCR processes' (the warm-up runs start them, as the first documents of a long
batch do). Target: ≥ 1.8 × on 2 cores.

Measured (10 pages, 2 cores, load ~1): before 2026-11-26, 1 worker 16-27 pages/minute, 2 workers 33-35
(1.22×): a second of each document went to waiting on Prefect (heartbeat thread joins, 2 s retries after
SQLite "database is locked"). Without those waits, with documents read ahead in the OCR processes
(flows/read_ahead.py) and those at niceness 5: 1.76× on 10 pages, 1.75× on 30 (INTAKE_BENCH_KOREAN_PAGES=26).
With the largest files first (flows/process_batch.py; the listing puts the largest scan last) and Latin pages
read with `eng` alone: 1.83–1.86× on 10 pages (51–56 and 95–102 pages/minute), 1.85× on 30 (58.5 and 108.3),
where the same runs measured 1.69–1.80× in listing order. Two raw Tesseracts side by side ran 1.63–1.90× as
fast as one after the other in the same runs (the machine is shared: that ceiling moves from run to run).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.ocr_bench import machine_parallelism
from benchmarks.ocr_pages import BenchPage, invoice_pages, korean_pages

SPEEDUP_TARGET = 1.8
ROUNDS = 3


def _scan_folder(folder: Path) -> list[BenchPage]:
    work = folder / "render"
    # INTAKE_BENCH_KOREAN_PAGES: a longer batch, where filling and draining the read-ahead weigh less.
    count = int(os.environ.get("INTAKE_BENCH_KOREAN_PAGES", "6"))
    pages = korean_pages(work / "korean", count=count, dpi=200) + invoice_pages(work / "invoices", dpi=200)
    batch = folder / "batch"
    batch.mkdir()
    for page in pages:
        (batch / page.path.name).write_bytes(page.path.read_bytes())
    return pages


def _run_batch(batch: Path, home: Path, workers: int) -> tuple[float, dict[str, int]]:
    from flows.process_batch import process_batch
    from flows.runtime import open_runtime
    from schemas.settings import Settings

    with open_runtime(Settings(home=home)):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        report = process_batch(str(batch), workers)
        took = time.perf_counter() - started
    print(f"{workers} worker(s): {len(report.entries)} pages in {took:.1f} s "
          f"({60 * len(report.entries) / took:.1f} pages/minute), outcomes {report.counts()}, "
          f"load average before {load:.1f}")  # fmt: skip
    return took, report.counts()


def main() -> None:
    os.environ.setdefault("INTAKE_LLM", "off")  # the batch's own work, not the local model's
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="intake-batch-bench-") as tmp:
        folder = Path(tmp)
        os.environ["INTAKE_HOME"] = str(folder / "prefect-home")  # before `flows` is imported: Prefect's home
        pages = _scan_folder(folder)
        print(f"{len(pages)} single-page scans (Korean forms and real invoices, degraded, 200 dpi) on "
              f"{os.cpu_count()} cores")  # fmt: skip
        warm_up = folder / "warm-up"
        warm_up.mkdir()
        # A Korean form and a Latin invoice: both model sets (kor+eng and eng, extractors/ocr_page.py) loaded.
        for page in (pages[0], pages[-1]):
            (warm_up / page.path.name).write_bytes(page.path.read_bytes())
        # Prefect's API and the OCR models into memory: in this process (1 worker) and in the OCR processes (2).
        for workers in (1, 2):
            _run_batch(warm_up, folder / f"warm-up-home-{workers}", workers)
        seconds: dict[int, list[float]] = {1: [], 2: []}
        for round_number in range(ROUNDS):
            for workers in (1, 2) if round_number % 2 == 0 else (2, 1):
                took, _ = _run_batch(folder / "batch", folder / f"home-{round_number}-{workers}", workers)
                seconds[workers].append(took)
        best = {workers: min(times) for workers, times in seconds.items()}
        speedup = best[1] / best[2]
        verdict = "meets" if speedup >= SPEEDUP_TARGET else "MISSES"
        print(f"best: 1 worker {60 * len(pages) / best[1]:.1f} pages/minute, "
              f"2 workers {60 * len(pages) / best[2]:.1f} pages/minute")  # fmt: skip
        print(f"speed-up 1 -> 2 workers: {speedup:.2f}x ({verdict} ≥ {SPEEDUP_TARGET}x)")
        print(f"the machine's own ceiling now (two raw Tesseracts side by side): "
              f"{machine_parallelism(pages, 'kor+eng'):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
