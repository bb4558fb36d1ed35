"""`intake batch DIR` on real invoices: outcomes, failures with reasons, the export read back against the labels,
resume after kill -9 and after Ctrl-C, and a finished batch run again (real Tesseract, real store, LLM off).

The kill and Ctrl-C tests run the CLI in its own process group (as a terminal would) against the session's
Prefect API, and judge by the store, never by timing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures_invoice import InvoiceTruth, invoice2data_truths, zugferd_truths
from fixtures_ocr import degrade_scan, render_pdf_pages, shared_data_dir
from rapidfuzz import fuzz
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.cli import app
from store import documents
from store.audit import list_events, verify_chain
from store.blobs import BlobStore
from store.db import make_engine, session_scope
from store.models import ExtractionRow

SHARED = shared_data_dir()
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    not (SHARED / "invoice2data").is_dir(), reason=f"third-party invoices not found at {SHARED} (INTAKE_SHARED_DATA)"
)
FINAL = {"quoted", "review", "not_request", "recorded", "rejected", "failed"}
# One of these per document is its outcome (flows/tasks.py: close_document, queue_for_review, issue_quote).
OUTCOME_ACTIONS = {"document.failed", "document.recorded", "document.not_request", "review.queued", "quote.issued"}


def _truth(name: str) -> InvoiceTruth:
    truths = invoice2data_truths(SHARED / "invoice2data") + zugferd_truths(SHARED / "zugferd")
    return next(t for t in truths if t.name == name)


def _bad_files(folder: Path) -> None:
    (folder / "broken.pdf").write_bytes(random.Random(4).randbytes(3000))
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.txt").write_text("not a document\n")
    (folder / ".partial.pdf").write_bytes(b"%PDF-1.4 still being copied")


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read the CSV as UTF-8"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))


def _amount(cell: str) -> Decimal | None:
    return Decimal(cell) if cell else None


def _assert_rows_match(rows: list[dict[str, str]], truth: InvoiceTruth) -> None:
    assert rows, f"no export rows for {truth.name}"
    for row in rows:
        assert any(fuzz.token_set_ratio(row["supplier"].lower(), s.lower()) >= 85 for s in truth.suppliers), row
        assert row["invoice_number"] == truth.number
        assert row["invoice_date"] == truth.issued.isoformat()
        assert row["currency"] == truth.currency
        for name in ("net", "tax", "gross"):
            if getattr(truth, name) is not None:
                assert _amount(row[name]) == getattr(truth, name), (name, row)
    if truth.buyer:
        assert fuzz.token_set_ratio(rows[0]["buyer"].lower(), truth.buyer.lower()) >= 85
    assert truth.lines is not None
    read = Counter((_amount(r["quantity"]), _amount(r["unit_price"])) for r in rows)
    assert read == Counter(truth.lines)


def test_batch_outcomes_failures_and_export(prefect_harness: None, intake_home: Path, tmp_path: Path) -> None:
    """Born-digital invoices, one scanned, a copy, a corrupt and an empty file: each outcome, and the export."""
    folder = tmp_path / "inbox"
    (folder / "later").mkdir(parents=True)
    einfach, coolblue = _truth("zugferd_2p0_EN16931_Einfach"), _truth("coolblue2")
    shutil.copy(einfach.pdf, folder / "einfach.pdf")
    shutil.copy(einfach.pdf, folder / "later" / "einfach-again.pdf")
    shutil.copy(coolblue.pdf, folder / "coolblue2.pdf")
    page = render_pdf_pages(_truth("AzureInterior").pdf, tmp_path / "render", 200)[0]
    degrade_scan(page, folder / "azure-scan.jpg", seed=7)
    _bad_files(folder)
    export_csv, export_json = tmp_path / "out.csv", tmp_path / "out.json"

    result = CliRunner().invoke(
        app, ["batch", str(folder), "--json", "--export", str(export_csv), "--export", str(export_json)]
    )

    assert result.exit_code == 1, result.output  # two documents failed
    summary = json.loads(result.stdout)
    failures = {f["file"]: f["error"] for f in summary["failures"]}
    assert set(failures) == {"broken.pdf", "empty.pdf"}
    assert "empty" in failures["empty.pdf"]
    assert "named .pdf but is not a PDF" in failures["broken.pdf"]
    assert summary["duplicates"] == [{"file": "later/einfach-again.pdf", "same_as": "einfach.pdf"}]
    assert summary["skipped"] == ["notes.txt"]
    assert summary["processed"] == 5 and sum(summary["counts"].values()) == 5
    entries = {e["file"]: e for e in summary["entries"]}
    assert entries["azure-scan.jpg"]["status"] in {"review", "recorded"}
    assert entries["azure-scan.jpg"]["kind"] == "invoice"

    rows = _read_csv(export_csv)
    by_file = {name: [r for r in rows if r["source_file"] == name] for name in {r["source_file"] for r in rows}}
    assert set(by_file) == {"einfach.pdf", "coolblue2.pdf", "azure-scan.jpg"}
    _assert_rows_match(by_file["einfach.pdf"], einfach)
    _assert_rows_match(by_file["coolblue2.pdf"], coolblue)
    for row in rows:
        assert row["sha256"] == entries[row["source_file"]]["sha256"]
        assert row["status"] == entries[row["source_file"]]["status"]
    assert json.loads(export_json.read_text(encoding="utf-8")) == summary["rows"]
    assert all(isinstance(r["quantity"], int | float) for r in summary["rows"] if r["line"])

    again = CliRunner().invoke(app, ["batch", str(folder), "--json"])
    assert again.exit_code == 1  # the failures are still there, and not retried
    assert json.loads(again.stdout)["processed"] == 0


def test_each_failure_line_names_its_file_once_with_the_reason(
    prefect_harness: None, intake_home: Path, tmp_path: Path
) -> None:
    """A file's document error starts with its part's name, which is the file's own: the line must not repeat it.
    A text file named .pdf is recorded (bytes kept) and fails like a corrupt PDF, instead of passing as "other"."""
    folder = tmp_path / "inbox"
    (folder / "later").mkdir(parents=True)
    _bad_files(folder)
    (folder / "later" / "broken-too.pdf").write_bytes(random.Random(5).randbytes(3000))
    fake = b"hello, this is not a pdf\n"
    (folder / "something.pdf").write_bytes(fake)

    result = CliRunner().invoke(app, ["batch", str(folder), "--no-progress"])

    assert result.exit_code == 1, result.output
    failure_lines = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ") and ": " in line]
    assert failure_lines == [
        "broken.pdf: named .pdf but is not a PDF (content type unknown)",
        "empty.pdf: empty file",
        "later/broken-too.pdf: named .pdf but is not a PDF (content type unknown)",
        "something.pdf: named .pdf but is not a PDF (content looks like plain text)",
    ]
    engine = make_engine(f"sqlite:///{intake_home / 'intake.db'}")
    with session_scope(engine) as session:
        [document] = [d for d in documents.list_documents(session) if d.source_name == "something.pdf"]
        assert (document.status.value, document.sha256) == ("failed", hashlib.sha256(fake).hexdigest())
    engine.dispose()
    assert BlobStore.from_settings().path(document.sha256).read_bytes() == fake  # the original is kept


def test_a_failure_line_drops_only_the_files_own_name_from_the_reason() -> None:
    from flows.cli_batch import _failure_line
    from flows.process_batch import BatchEntry

    def line(file: str, error: str | None) -> str:
        return _failure_line(BatchEntry(file=file, status="failed", error=error))

    assert line("later/scan.pdf", "scan.pdf: corrupt PDF: no trailer") == "later/scan.pdf: corrupt PDF: no trailer"
    assert line("mail.eml", "order.pdf: corrupt PDF") == "mail.eml: order.pdf: corrupt PDF"  # which attachment
    assert line("gone.pdf", "cannot read: Permission denied") == "gone.pdf: cannot read: Permission denied"
    assert line("odd.pdf", None) == "odd.pdf: failed (no reason recorded)"


def test_bad_usage_exits_2_before_anything_is_processed(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["batch", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["batch", str(tmp_path), "--export", str(tmp_path / "rows.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["batch", str(tmp_path), "--export", str(tmp_path / "no" / "rows.csv")]).exit_code == 2
    assert runner.invoke(app, ["batch", str(tmp_path), "--workers", "0"]).exit_code == 2


@pytest.mark.parametrize("workers", ["1", "2"])  # everything in this process; documents read ahead in the pool
def test_a_finished_batch_processes_nothing_again(
    prefect_harness: None, intake_home: Path, tmp_path: Path, workers: str
) -> None:
    """Judged by the store: no new audit event, no new extraction, on the second run."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(_truth("coolblue2").pdf, folder)
    shutil.copy(_truth("AzureInterior").pdf, folder)
    first = CliRunner().invoke(app, ["batch", str(folder), "--workers", workers, "--json"])
    assert first.exit_code == 0, first.output
    assert {e["status"] for e in json.loads(first.stdout)["entries"]} <= {"review", "recorded"}
    engine = make_engine(f"sqlite:///{intake_home / 'intake.db'}")
    with session_scope(engine) as session:
        events_before = len(list_events(session))
    second = CliRunner().invoke(app, ["batch", str(folder), "--json"])
    assert second.exit_code == 0
    assert json.loads(second.stdout)["processed"] == 0
    with session_scope(engine) as session:
        assert len(list_events(session)) == events_before
    engine.dispose()


class _FinishOrder:
    def __init__(self) -> None:
        self.files: list[str] = []

    def started(self, todo: int, done_before: int) -> None:
        pass

    def finished(self, entry: object) -> None:
        self.files.append(entry.file)  # type: ignore[attr-defined]

    def stop_requested(self) -> bool:
        return False


@pytest.mark.parametrize("workers", [1, 2])
def test_with_workers_in_parallel_the_largest_files_go_first(
    prefect_harness: None, intake_home: Path, tmp_path: Path, workers: int
) -> None:
    """A large file read last would keep one core busy at the end while the others wait; one worker keeps the
    listing's order."""
    from flows.process_batch import process_batch
    from flows.runtime import open_runtime

    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("AzureInterior", "QualityHosting", "coolblue2"):
        shutil.copy(_truth(name).pdf, folder)
    listed = sorted(path.name for path in folder.iterdir())
    by_size = sorted(listed, key=lambda name: (folder / name).stat().st_size, reverse=True)
    assert by_size != listed
    order = _FinishOrder()
    with open_runtime():
        process_batch(str(folder), workers, observer=order)
    assert order.files == (by_size if workers > 1 else listed)


def test_an_interrupted_document_resumes_from_its_stored_text(
    prefect_harness: None, intake_home: Path, tmp_path: Path
) -> None:
    """A run killed after the text stage: the next run does not read (OCR) the document again."""
    from flows.runtime import open_runtime
    from flows.tasks import read_text, record_input
    from schemas.envelope import Channel

    folder = tmp_path / "inbox"
    folder.mkdir()
    pdf = shutil.copy(_truth("coolblue2").pdf, folder)
    with open_runtime():
        document_id, _ = record_input(Path(pdf).read_bytes(), "coolblue2.pdf", Channel.FILE)
        read_text(document_id)
    assert CliRunner().invoke(app, ["batch", str(folder)]).exit_code == 0
    with session_scope(make_engine(f"sqlite:///{intake_home / 'intake.db'}")) as session:
        actions = Counter(e.action for e in list_events(session, document_id=document_id))
        assert documents.get_status(session, document_id) == "review"
    assert actions["text.read"] == 1 and actions["extract.done"] == 1 and actions["review.queued"] == 1


# ---------------------------------------------------------------- the CLI in its own process group


@pytest.fixture
def cli_env(prefect_harness: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for `intake` subprocesses: their own data home, the session's Prefect API (no start-up)."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ, INTAKE_HOME=str(tmp_path / "cli-home"), INTAKE_LLM="off")
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    yield env


def _invoice_folder(folder: Path) -> int:
    """Ten born-digital invoices, a copy of one and an empty file: eleven distinct documents, twelve files."""
    folder.mkdir()
    pdfs = sorted((SHARED / "invoice2data").glob("*.pdf"))[:6] + sorted((SHARED / "zugferd").glob("*.pdf"))[:4]
    for pdf in pdfs:
        shutil.copy(pdf, folder)
    shutil.copy(pdfs[0], folder / "copy-of-first.pdf")
    (folder / "empty.pdf").write_bytes(b"")
    return len(pdfs) + 1


def _start_batch(folder: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from flows.cli import app; app()", "batch", str(folder), "--no-progress"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _finished_documents(home: Path) -> int:
    database = home / "intake.db"
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        try:
            marks = ",".join("?" * len(FINAL))
            query = f"SELECT count(*) FROM documents WHERE status IN ({marks})"
            return connection.execute(query, sorted(FINAL)).fetchone()[0]
        except sqlite3.OperationalError:  # migrations not run yet
            return 0


def _wait_for_finished(process: subprocess.Popen[str], home: Path, at_least: int, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        finished = _finished_documents(home)
        if finished >= at_least:
            return finished
        time.sleep(0.1)
    raise AssertionError(f"batch did not finish {at_least} document(s) in time: {process.communicate()}")


def test_kill_9_halfway_then_rerun_processes_every_file_exactly_once(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Evidence of "processed once", from the store after a kill -9 and a second run:

    - one document row per distinct sha256 (the copy shares its original's row);
    - every document in a final state;
    - per document exactly one `envelope.recorded` event (recorded once) and exactly one outcome event
      (document.recorded / document.failed / review.queued / ...: closed once), at most one `text.read` and one
      `extract.done`, and as many extraction rows as `extract.done` events (no stage ran twice, even for the
      document the kill cut in half: the second run goes on from what it had stored);
    - the audit chain still verifies (the kill left no half-written event).
    """
    folder = tmp_path / "inbox"
    distinct = _invoice_folder(folder)
    home = Path(cli_env["INTAKE_HOME"])
    first = _start_batch(folder, cli_env)
    finished = _wait_for_finished(first, home, at_least=3)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert finished < distinct, "the batch ended before it could be killed; the test proves nothing"

    second = _start_batch(folder, cli_env)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 1, err  # the empty file failed, and is reported
    assert "empty.pdf" in out

    engine = make_engine(f"sqlite:///{home / 'intake.db'}")
    with session_scope(engine) as session:
        rows = documents.list_documents(session)
        assert len(rows) == distinct
        assert len({row.sha256 for row in rows}) == distinct
        assert {row.status.value for row in rows} <= FINAL
        for row in rows:
            actions = Counter(e.action for e in list_events(session, document_id=row.id))
            assert actions["envelope.recorded"] == 1, (row.source_name, actions)
            assert sum(actions[a] for a in OUTCOME_ACTIONS) == 1, (row.source_name, actions)
            assert actions["text.read"] <= 1 and actions["extract.done"] <= 1, (row.source_name, actions)
            extractions = session.scalar(
                select(func.count()).select_from(ExtractionRow).where(ExtractionRow.document_id == row.id)
            )
            assert extractions == actions["extract.done"]
        assert verify_chain(session).ok
    engine.dispose()


def test_ctrl_c_finishes_the_documents_in_progress_and_says_how_to_resume(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    distinct = _invoice_folder(folder)
    home = Path(cli_env["INTAKE_HOME"])
    process = _start_batch(folder, cli_env)
    _wait_for_finished(process, home, at_least=1)
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert f"intake batch {folder}` again" in err
    with sqlite3.connect(home / "intake.db") as connection:
        statuses = [s for (s,) in connection.execute("SELECT status FROM documents")]
    assert 1 <= len(statuses) < distinct
    assert set(statuses) <= FINAL, "a document was left half-done by Ctrl-C"


def _children(parent: int, marker: bytes) -> list[int]:
    """Process ids of `parent`'s children whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == parent and marker in cmdline:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # killed, waiting to be reaped: not running


def test_kill_9_of_the_batch_process_alone_leaves_no_process_behind(tmp_path: Path) -> None:
    """`kill -9 <pid>` (not the process group): the Prefect server the batch started and its OCR processes (the
    fork server and its workers, reading ahead) do not run on, orphaned."""
    env = dict(os.environ, INTAKE_HOME=str(tmp_path / "home"), INTAKE_LLM="off", PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)  # the batch starts a temporary server of its own
    folder = tmp_path / "inbox"
    _invoice_folder(folder)
    batch = _start_batch(folder, env)
    _wait_for_finished(batch, tmp_path / "home", at_least=1, timeout=180)
    servers = _children(batch.pid, b"prefect.server")
    fork_servers = _children(batch.pid, b"multiprocessing.forkserver")
    left = servers + fork_servers + [w for f in fork_servers for w in _children(f, b"multiprocessing.forkserver")]
    assert servers and len(left) >= 3, "no server or OCR processes to watch; the test proves nothing"
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.2)
    outlived = [pid for pid in left if _running(pid)]
    for pid in outlived:
        os.kill(pid, signal.SIGKILL)  # leave no orphan behind a failed test either
    assert not outlived, "processes outlived the killed batch"
