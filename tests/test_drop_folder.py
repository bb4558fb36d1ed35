"""The polled drop folder: files are taken once complete (size and mtime stable across two polls), exactly once."""

from __future__ import annotations

import contextvars
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows import drop_folder
from flows.drop_folder import DropPollReport, poll_drop_folder
from flows.runtime import Runtime, open_runtime
from schemas.settings import Settings
from store import documents
from store.db import session_scope
from store.models import DocumentRow, DocumentStatus

pytestmark = pytest.mark.usefixtures("prefect_harness")

REQUEST = "견적 요청\n한빛산업자재 귀중\n볼트 M8 100개, 너트 M8 100개 견적 부탁드립니다.\n".encode()


@pytest.fixture
def drop_runtime(intake_home: Path, tmp_path: Path) -> Iterator[Runtime]:
    drop_dir = tmp_path / "drop"
    drop_dir.mkdir()
    with open_runtime(Settings().model_copy(update={"home": intake_home, "drop_dir": drop_dir})) as runtime:
        yield runtime


def _drop_dir(rt: Runtime) -> Path:
    assert rt.settings.drop_dir is not None
    return rt.settings.drop_dir


def _documents(rt: Runtime) -> list[DocumentRow]:
    with session_scope(rt.engine) as session:
        return list(documents.list_documents(session))


def _write(path: Path, data: bytes, mtime_ns: int | None = None) -> None:
    """Write and (optionally) pin the mtime: coarse clocks on shares must not make a change look stable."""
    path.write_bytes(data) if not path.exists() else path.open("ab").write(data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_file_still_being_written_is_taken_only_once_it_stops_changing(drop_runtime: Runtime) -> None:
    drop_dir = _drop_dir(drop_runtime)
    scan = drop_dir / "scan-0001.txt"
    chunks = [REQUEST[:20], REQUEST[20:40], REQUEST[40:]]
    reports: list[DropPollReport] = []
    for chunk in chunks:
        _write(scan, chunk)
        reports.append(poll_drop_folder())
    reports.append(poll_drop_folder())  # unchanged since the previous poll: complete
    reports.append(poll_drop_folder())
    docs = _documents(drop_runtime)

    assert [r.taken for r in reports] == [[], [], [], ["scan-0001.txt"], []]
    assert all(r.waiting == ["scan-0001.txt"] for r in reports[:3])
    assert len(docs) == 1 and docs[0].sha256 == hashlib.sha256(REQUEST).hexdigest()
    assert docs[0].channel.value == "drop" and docs[0].status is not DocumentStatus.RECEIVED
    assert not scan.exists() and (drop_dir / "processed" / "scan-0001.txt").read_bytes() == REQUEST
    assert reports[3].processed == [docs[0].id] and reports[4].processed == []


def test_a_growing_file_with_an_unchanged_mtime_is_still_not_taken(drop_runtime: Runtime) -> None:
    drop_dir = _drop_dir(drop_runtime)
    scan = drop_dir / "scan.txt"
    _write(scan, REQUEST[:30], mtime_ns=1_700_000_000_000_000_000)
    first = poll_drop_folder()
    _write(scan, REQUEST[30:], mtime_ns=1_700_000_000_000_000_000)
    second = poll_drop_folder()
    third = poll_drop_folder()

    assert first.taken == [] and second.taken == [] and third.taken == ["scan.txt"]
    assert [d.sha256 for d in _documents(drop_runtime)] == [hashlib.sha256(REQUEST).hexdigest()]


def test_a_file_appearing_while_a_poll_runs_is_taken_by_a_later_poll_once(
    drop_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_dir = _drop_dir(drop_runtime)
    _write(drop_dir / "first.txt", REQUEST)
    poll_drop_folder()
    original = drop_folder.record_input

    def record_while_another_file_arrives(data: bytes, name: str, *args: Any) -> tuple[int, bool]:
        _write(drop_dir / "late.txt", REQUEST + b"late")
        return original(data, name, *args)

    monkeypatch.setattr(drop_folder, "record_input", record_while_another_file_arrives)
    during = poll_drop_folder()
    monkeypatch.setattr(drop_folder, "record_input", original)
    reports = [poll_drop_folder() for _ in range(3)]
    names = sorted(d.source_name for d in _documents(drop_runtime))

    assert during.taken == ["first.txt"]
    assert [r.taken for r in reports] == [[], ["late.txt"], []]
    assert names == ["first.txt", "late.txt"]


def test_the_same_bytes_dropped_again_are_not_processed_twice(drop_runtime: Runtime) -> None:
    drop_dir = _drop_dir(drop_runtime)
    (drop_dir / "order.txt").write_bytes(REQUEST)
    poll_drop_folder()
    first = poll_drop_folder()
    (drop_dir / "sub").mkdir()
    (drop_dir / "sub" / "order.txt").write_bytes(REQUEST)
    (drop_dir / "order.txt").write_bytes(REQUEST)
    poll_drop_folder()
    second = poll_drop_folder()

    assert first.taken == ["order.txt"] and sorted(second.taken) == ["order.txt", "sub/order.txt"]
    assert len(_documents(drop_runtime)) == 1 and second.processed == []
    done = drop_dir / "processed"
    processed = sorted(p.relative_to(done).as_posix() for p in done.rglob("*.txt"))
    assert len(processed) == 3 and "order.txt" in processed and "sub/order.txt" in processed


def test_hidden_temp_files_are_ignored(drop_runtime: Runtime) -> None:
    drop_dir = _drop_dir(drop_runtime)
    (drop_dir / ".~lock.order.txt#").write_bytes(b"lock")
    poll_drop_folder()
    report = poll_drop_folder()
    assert report.taken == [] and report.waiting == [] and _documents(drop_runtime) == []


def test_a_second_poll_while_one_runs_leaves_the_folder_alone(
    drop_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_dir = _drop_dir(drop_runtime)
    for number in range(3):
        (drop_dir / f"order-{number}.txt").write_bytes(REQUEST + str(number).encode())
    poll_drop_folder()
    inside, release = threading.Event(), threading.Event()
    original = drop_folder.record_input
    concurrent: list[DropPollReport] = []

    def slow_record(data: bytes, name: str, *args: Any) -> tuple[int, bool]:
        inside.set()
        release.wait(60)
        return original(data, name, *args)

    monkeypatch.setattr(drop_folder, "record_input", slow_record)
    first = threading.Thread(target=contextvars.copy_context().run, args=(poll_drop_folder,))
    first.start()
    assert inside.wait(60)
    concurrent.append(poll_drop_folder())
    release.set()
    first.join(120)
    docs = _documents(drop_runtime)

    assert concurrent[0].busy and concurrent[0].taken == []
    assert sorted(d.source_name for d in docs) == ["order-0.txt", "order-1.txt", "order-2.txt"]


def test_an_unreadable_file_is_reported_and_the_others_are_taken(
    drop_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_dir = _drop_dir(drop_runtime)
    (drop_dir / "locked.txt").write_bytes(REQUEST + b"locked")
    (drop_dir / "fine.txt").write_bytes(REQUEST)
    poll_drop_folder()
    original = Path.read_bytes

    def refuse_locked(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_locked)
    report = poll_drop_folder()

    assert report.taken == ["fine.txt"] and report.unreadable == ["locked.txt: Permission denied"]
    assert (drop_dir / "locked.txt").exists() and [d.source_name for d in _documents(drop_runtime)] == ["fine.txt"]


def test_a_missing_drop_folder_is_a_clean_error(intake_home: Path, tmp_path: Path) -> None:
    settings = Settings().model_copy(update={"home": intake_home, "drop_dir": tmp_path / "nowhere"})
    with open_runtime(settings):
        report = poll_drop_folder()
    assert report.error is not None and "does not exist" in report.error
