"""`intake serve` against a real Dovecot: a stream of mail processed exactly once across restarts (of intake
and of the mail server) and a concurrent `intake poll`. Real processes: the CLI, its Prefect server, Dovecot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtures_mail import Dovecot, append_mail, folder_uids, free_port, make_mail
from sqlalchemy import Engine

from store import documents
from store.audit import list_events
from store.db import make_engine, session_scope
from store.models import DocumentStatus

pytest_plugins = ["fixtures_mail"]
pytestmark = [pytest.mark.mail, pytest.mark.slow]

INTAKE = Path(sys.executable).parent / "intake"
WAIT_SECONDS = 240


def _environment(dovecot: Dovecot, user: str, home: Path, prefect_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "PREFECT_"))}
    env.update({f"INTAKE_{k.upper()}": str(v) for k, v in dovecot.settings(user, poll_retries=1).items()})
    env.update({
        "INTAKE_HOME": str(home),
        "INTAKE_LLM": "off",
        "INTAKE_PREFECT_PORT": str(prefect_port),
        "PREFECT_HOME": str(home / "prefect"),
    })
    return env


@contextmanager
def _serving(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen([str(INTAKE), "serve", "--every", "5", "--no-review"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: schedules paused, then the Prefect server stopped
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def _wait_for(condition: Callable[[], bool], what: str, serving: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if serving.poll() is not None:
            said = log.read_text()[-4000:]
            raise AssertionError(f"intake serve exited ({serving.returncode}) before {what}:\n{said}")
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}; intake serve said:\n{log.read_text()[-4000:]}")


def _finished(engine: Engine, count: int) -> Callable[[], bool]:
    def check() -> bool:
        with session_scope(engine) as session:
            docs = documents.list_documents(session)
            return len(docs) >= count and all(d.status is not DocumentStatus.RECEIVED for d in docs)

    return check


def test_serve_processes_a_stream_of_mail_exactly_once_across_restarts(
    dovecot: Dovecot, imap_user: str, tmp_path: Path
) -> None:
    home, log = tmp_path / "home", tmp_path / "serve.log"
    prefect_port = free_port()
    env = _environment(dovecot, imap_user, home, prefect_port)
    subjects = [f"견적 요청 {n}" for n in range(1, 7)]

    def send(number: int) -> None:
        append_mail(dovecot, imap_user, make_mail(subjects[number - 1], f"볼트 M8 {number}0개 견적 부탁드립니다."))

    for number in (1, 2, 3):
        send(number)
    engine = make_engine(f"sqlite:///{home / 'intake.db'}")
    try:
        with _serving(env, log) as serving:
            _wait_for(lambda: (home / "intake.db").exists() and _finished(engine, 3)(), "the first three mails",
                      serving, log)
            send(4)
            # `intake poll` by hand next to the schedule: one of them takes the mail, never both.
            beside_serve = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api"}
            by_hand = subprocess.run([str(INTAKE), "poll"], env=beside_serve, capture_output=True, text=True,
                                     timeout=WAIT_SECONDS)
            _wait_for(_finished(engine, 4), "the fourth mail", serving, log)
            dovecot.stop()  # polls due now fail cleanly; serve keeps going
            time.sleep(8)
            dovecot.start()
            send(5)
            _wait_for(_finished(engine, 5), "the mail sent after the IMAP server restarted", serving, log)
        send(6)  # arrives while intake is down
        with _serving(env, log) as serving:
            _wait_for(_finished(engine, 6), "the mail that arrived while intake was stopped", serving, log)
        with session_scope(engine) as session:
            docs = documents.list_documents(session)
            runs = Counter(e.document_id for e in list_events(session) if e.action == "text.read")
    finally:
        engine.dispose()

    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
    assert sorted(d.subject or "" for d in docs) == subjects
    assert runs == Counter({d.id: 1 for d in docs})
    assert folder_uids(dovecot, imap_user, "INBOX") == []
    assert len(folder_uids(dovecot, imap_user, "intake.processed")) == 6
