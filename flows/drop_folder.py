"""`poll_drop_folder`: files that scanners and people put into settings.drop_dir, taken once complete.

Polled, not watched: inotify does not see writes made through a network share. A file is taken only
when its size and mtime are the same at two polls in a row, so a scan or a copy still being written
is left alone until it stops changing. A taken file moves to drop_dir/processed/. If it cannot be
moved (a read-only share) it is remembered as taken, and the documents table's unique sha256 stops
the same bytes from being processed twice in any case.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, Field

from flows.deliver_quotes import deliver_quotes
from flows.polling import exclusive_poll, flow_runtime, run_logger, unfinished_documents
from flows.process_document import process_document
from flows.tasks import record_input
from schemas.envelope import Channel

PROCESSED = "processed"
STATE_FILE = "drop-folder.json"

# (size, mtime in ns): what a file looked like at one poll.
Observation = tuple[int, int]


class DropPollReport(BaseModel):
    drop_dir: str
    taken: list[str] = Field(default_factory=list, description="files recorded by this poll")
    waiting: list[str] = Field(default_factory=list, description="files not yet stable (still being written?)")
    processed: list[int] = Field(default_factory=list, description="documents run through the pipeline")
    unreadable: list[str] = Field(default_factory=list, description="files that could not be read, with the reason")
    busy: bool = False
    error: str | None = None


class DropState(BaseModel):
    """What the previous poll saw, and files that were taken but could not be moved away."""

    seen: dict[str, Observation] = Field(default_factory=dict)
    taken: dict[str, Observation] = Field(default_factory=dict)


def _observe(drop_dir: Path) -> dict[str, Observation]:
    """Every visible file below drop_dir except processed/ (hidden files are temp files of copy tools)."""
    found: dict[str, Observation] = {}
    for root, dirs, files in os.walk(drop_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here == drop_dir and d == PROCESSED))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = here / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # renamed or removed between listing and stat
            found[path.relative_to(drop_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def _load_state(path: Path) -> DropState:
    try:
        return DropState.model_validate_json(path.read_text())
    except (FileNotFoundError, ValueError):
        return DropState()  # first poll, or a damaged file: waiting one more poll is the safe side


def _save_state(path: Path, state: DropState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as handle:
        json.dump(state.model_dump(mode="json"), handle)
    os.replace(tmp_name, path)


def stable_files(drop_dir: Path, state_path: Path) -> tuple[list[str], list[str], DropState]:
    """(files unchanged since the previous poll, files still changing or new, the state to keep)."""
    previous = _load_state(state_path)
    current = _observe(drop_dir)
    ready = [
        name for name, seen in current.items() if previous.seen.get(name) == seen and previous.taken.get(name) != seen
    ]
    waiting = [name for name, seen in current.items() if previous.seen.get(name) != seen]
    taken = {name: seen for name, seen in previous.taken.items() if current.get(name) == seen}
    return ready, waiting, DropState(seen=current, taken=taken)


def _move_to_processed(drop_dir: Path, name: str, document_id: int) -> bool:
    source = drop_dir / name
    target = drop_dir / PROCESSED / name
    if target.exists():  # an earlier file of the same name: keep both
        target = target.with_name(f"{target.stem}.document-{document_id}{target.suffix}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
    except OSError:
        return False
    return True


class UnreadableFile(Exception):
    """The file is there but cannot be read (permissions, a share gone away); it stays for the next poll."""


def take_file(drop_dir: Path, name: str, expected: Observation) -> tuple[int, bool] | None:
    """Record one stable file and move it away: (document id, moved), or None if it changed meanwhile."""
    path = drop_dir / name
    try:
        data = path.read_bytes()
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableFile(f"{name}: {exc.strerror or exc}") from exc
    if (stat.st_size, stat.st_mtime_ns) != expected or len(data) != expected[0]:
        return None
    document_id, _created = record_input(data, path.name, Channel.DROP)
    return document_id, _move_to_processed(drop_dir, name, document_id)


@flow(name="poll_drop_folder", log_prints=False, validate_parameters=False)
def poll_drop_folder() -> DropPollReport:
    """Take the files that stopped changing, process them, deliver approved quotes."""
    with flow_runtime() as rt, exclusive_poll(rt.settings, "drop-folder") as ours:
        logger = run_logger()
        drop_dir = rt.settings.drop_dir
        report = DropPollReport(drop_dir=str(drop_dir))
        if not ours:
            report.busy = True
            return report
        if drop_dir is None or not drop_dir.is_dir():
            report.error = f"drop folder {drop_dir} does not exist (INTAKE_DROP_DIR)"
            logger.error(report.error)
            return report
        state_path = rt.settings.home / STATE_FILE
        ready, waiting, state = stable_files(drop_dir, state_path)
        report.waiting = waiting
        for name in ready:
            try:
                taken = take_file(drop_dir, name, state.seen[name])
            except UnreadableFile as exc:
                report.unreadable.append(str(exc))
                logger.error("cannot read %s", exc)
                continue
            if taken is None:
                continue
            report.taken.append(name)
            if not taken[1]:
                state.taken[name] = state.seen[name]
                logger.warning("%s was taken but cannot be moved to %s/; it will be left alone", name, PROCESSED)
        _save_state(state_path, state)
        for document_id in unfinished_documents(rt, Channel.DROP):
            process_document(document_id)
            report.processed.append(document_id)
        deliver_quotes()
        logger.info("drop folder: %d taken, %d waiting to stop changing", len(report.taken), len(report.waiting))
        return report
