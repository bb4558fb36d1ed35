"""What the polling flows share: one poller per source at a time, a runtime when the scheduler starts
them, and a logger that works inside and outside a Prefect run."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import get_run_logger
from prefect.exceptions import MissingContextError

from flows.runtime import Runtime, current_runtime, open_runtime
from schemas.envelope import Channel
from schemas.settings import Settings
from store import documents
from store.db import session_scope
from store.models import DocumentStatus

# Recorded but never processed to the end: the poller stopped (crash, restart) between the two.
UNFINISHED = (DocumentStatus.RECEIVED, DocumentStatus.EXTRACTED)


@contextmanager
def exclusive_poll(settings: Settings, source: str) -> Iterator[bool]:
    """Yield True if this process may poll `source` now, False if another poll of it is running.

    The deployment's concurrency limit already cancels a second scheduled run; this lock also covers an
    `intake poll` started by hand or by cron next to `intake serve`. The operating system releases it
    when a poller dies, so a crash never leaves the source locked. The store's unique constraints
    remain the real guarantee against doubles (several hosts share no lock file).
    """
    lock_path = Path(settings.home) / "locks" / f"poll-{source}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def flow_runtime() -> Iterator[Runtime]:
    """The runtime the caller opened (CLI, tests), or one of our own when `flow.serve` started the run."""
    try:
        opened: Runtime | None = current_runtime()
    except RuntimeError:
        opened = None
    if opened is not None:
        yield opened
        return
    with open_runtime() as runtime:
        yield runtime


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a flow or task (lines reach the Prefect UI), else a module logger."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("intake.poll")


def unfinished_documents(rt: Runtime, channel: Channel) -> list[int]:
    """Documents of `channel` recorded but never processed to the end: this poll's, and any an earlier one left.

    Only called while holding `exclusive_poll` for the source, so no other poller is processing them.
    """
    with session_scope(rt.engine) as session:
        return [
            document.id
            for status in UNFINISHED
            for document in documents.list_documents(session, status=status)
            if document.channel is channel
        ]
