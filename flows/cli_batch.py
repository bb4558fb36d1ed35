"""`intake batch DIR`: a folder of invoices (or any documents) with a progress bar, resumable, with an export."""

from __future__ import annotations

import json
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from flows.batch_export import EXPORT_SUFFIXES, InvoiceRow, invoice_rows, write_export
from flows.polling import exclusive_poll
from flows.process_batch import BatchEntry, BatchReport, process_batch
from flows.results import failure_reason
from flows.runtime import open_runtime
from schemas.company import ConfigError
from schemas.settings import Settings

EXIT_INTERRUPTED = 130  # what a shell reports for a program ended by SIGINT

FolderArgument = Annotated[Path, typer.Argument(help="folder of PDFs, scans (PNG/JPG/TIFF) and .eml; read recursively")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="company folder (default samples/company)")]
OutOption = Annotated[Path | None, typer.Option("--out", help="where quote PDFs and the outbox go")]
ExportOption = Annotated[
    list[Path] | None, typer.Option("--export", help="write the invoice lines to a .csv or .json file (repeatable)")
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="documents at a time, OCR processes (default INTAKE_OCR_WORKERS)")
]
RetryOption = Annotated[bool, typer.Option("--retry-failed", help="process the files that failed before again")]
ProgressOption = Annotated[
    bool | None, typer.Option("--progress/--no-progress", help="progress bar (default: when stderr is a terminal)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print the summary and the rows as one JSON object")]


class _RateColumn(ProgressColumn):
    """Documents per minute over the whole run: rich's own speed column shows per second, and 0.1/s says little."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = 60 * task.completed / elapsed if elapsed > 0 and task.completed else 0.0
        return Text(f"{rate:.1f} docs/min", style="progress.data.speed")


class _BatchProgress:
    """The flow's observer: a progress bar on stderr (or none), and the Ctrl-C flag."""

    def __init__(self, console: Console, show: bool) -> None:
        self.stop = threading.Event()
        self.failed = 0
        self.bar = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                _RateColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
            )
            if show
            else None
        )
        # Not started until the documents are listed: Prefect's start-up is no part of the rate or the ETA.
        self.task_id = self.bar.add_task("documents", total=None, failed=0, start=False) if self.bar else None

    def started(self, todo: int, done_before: int) -> None:
        if self.bar is not None and self.task_id is not None:
            before = f" ({done_before} done earlier)" if done_before else ""
            self.bar.update(self.task_id, total=todo, description=f"documents{before}")
            self.bar.start_task(self.task_id)
            self.bar.start()

    def finished(self, entry: BatchEntry) -> None:
        self.failed += entry.status == "failed"
        if self.bar is not None and self.task_id is not None:
            self.bar.update(self.task_id, advance=1, failed=self.failed)

    def stop_requested(self) -> bool:
        return self.stop.is_set()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def _first_ctrl_c_stops(progress: _BatchProgress, err_console: Console) -> Iterator[None]:
    """First Ctrl-C: start no more documents and finish those in progress. Second: stop at once (the next
    run finishes what was cut off, as after a kill)."""

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if progress.stop.is_set():
            raise KeyboardInterrupt
        progress.stop.set()
        err_console.print("stopping after the documents in progress (Ctrl-C again to stop at once) …")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _resume_hint(what: str, folder: Path) -> str:
    return f"{what}. Run `intake batch {shlex.quote(str(folder))}` again to continue where it stopped."


def _summary_json(report: BatchReport, rows: list[InvoiceRow], others: int, exported: list[Path]) -> str:
    return json.dumps(
        {
            "folder": report.folder,
            "files": len(report.entries),
            "processed": report.processed,
            "interrupted": report.interrupted,
            "seconds": round(report.seconds, 1),
            "counts": report.counts(),
            "failures": [{"file": e.file, "error": e.error} for e in report.failures],
            "duplicates": [{"file": e.file, "same_as": e.duplicate_of} for e in report.duplicates],
            "skipped": report.skipped,
            "other_documents": others,
            "exported": [str(p) for p in exported],
            "entries": [e.model_dump(mode="json") for e in report.entries],
            "rows": [r.model_dump(mode="json") for r in rows],
        },
        ensure_ascii=False,
        indent=2,
    )


def _failure_line(entry: BatchEntry) -> str:
    return f"{entry.file}: {failure_reason(entry.error, entry.file)}"


def _print_summary(console: Console, report: BatchReport, rows: list[InvoiceRow], others: int) -> None:
    documents = sum(report.counts().values())
    console.print(f"[bold]{escape(report.folder)}[/bold]: {len(report.entries)} file(s), {documents} document(s)")
    rate = f" ({60 * report.processed / report.seconds:.1f} docs/min)" if report.processed and report.seconds else ""
    console.print(f"processed now: {report.processed} in {report.seconds:.0f} s{rate}")
    console.print("outcomes: " + ", ".join(f"{n} {status}" for status, n in sorted(report.counts().items())))
    invoices = len({r.document_id for r in rows})
    console.print(f"invoices: {invoices} ({len(rows)} line row(s)); other documents: {others}")
    if report.failures:
        console.print(f"[red]failed ({len(report.failures)}):[/red]")
        for entry in report.failures:
            console.print(escape(f"  {_failure_line(entry)}"), soft_wrap=True)
    if report.duplicates:
        console.print(f"duplicates (same bytes, processed once): {len(report.duplicates)}")
        for entry in report.duplicates:
            console.print(escape(f"  {entry.file} = {entry.duplicate_of}"), soft_wrap=True)
    if report.skipped:
        console.print(escape(f"skipped, not a document type we read: {', '.join(report.skipped)}"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    console, err_console = Console(), Console(stderr=True)

    @app.command("batch")
    def batch(
        folder: FolderArgument,
        config: ConfigOption = None,
        out: OutOption = None,
        export: ExportOption = None,
        workers: WorkersOption = None,
        retry_failed: RetryOption = False,
        show_progress: ProgressOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Process every document in FOLDER: invoices become rows, requests quotes or review tasks.

        Resumable: after Ctrl-C, a kill or a crash, run it again and it goes on where it stopped.

        Each document (one per distinct file content, by sha256) is processed once, however often it runs.

        A file that failed is not retried on the next run unless --retry-failed is given.

        Exit code: 0 all done; 1 some documents failed (each listed with its reason); 2 bad usage (no such
        folder, an export name not .csv or .json, another batch running on the same data home); 130 interrupted.
        """
        if not folder.is_dir():
            err_console.print(f"not a folder: {folder}")
            raise typer.Exit(2)
        exports = export or []
        bad = [str(p) for p in exports if p.suffix.lower() not in EXPORT_SUFFIXES or not p.parent.is_dir()]
        if bad:
            err_console.print(f"--export takes a .csv or .json file in an existing folder, not {', '.join(bad)}")
            raise typer.Exit(2)
        settings = Settings()
        progress = _BatchProgress(err_console, sys.stderr.isatty() if show_progress is None else show_progress)
        try:
            with open_runtime(settings, config_dir=config, out_dir=out), exclusive_poll(settings, "batch") as ours:
                if not ours:
                    err_console.print(f"another `intake batch` is running on this data home ({settings.home})")
                    raise typer.Exit(2)
                with _first_ctrl_c_stops(progress, err_console):
                    try:
                        report = process_batch(
                            str(folder), workers or settings.ocr_workers, retry_failed=retry_failed, observer=progress
                        )
                    finally:
                        progress.close()
                rows, others = invoice_rows(report.entries)
        except ConfigError as exc:
            err_console.print(f"[red]company configuration error:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print(_resume_hint("stopped", folder), soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        for path in exports:
            write_export(path, rows)
        if as_json:
            print(_summary_json(report, rows, others, exports))
        else:
            _print_summary(console, report, rows, others)
            for path in exports:
                console.print(f"exported {len(rows)} row(s) to {path}")
        if report.interrupted:
            err_console.print(_resume_hint("interrupted", folder), soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED)
        raise typer.Exit(1 if report.failures else 0)
