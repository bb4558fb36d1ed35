"""The `poll_mailbox` Prefect flow and `intake poll` against a real Dovecot: processed once, faults end cleanly."""

from __future__ import annotations

import contextvars
import itertools
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import typer
from fixtures_mail import (
    Dovecot,
    SmtpServerUnderTest,
    all_documents,
    append_mail,
    folder_uids,
    free_port,
    mail_rows,
    mail_runtime,
    make_mail,
)
from typer.testing import CliRunner

from flows import cli_serve
from flows import poll_mailbox as poll_module
from flows.imap import ImapMailbox
from flows.mailbox import MailPollReport
from flows.poll_mailbox import poll_mailbox
from flows.runtime import Runtime
from store.audit import list_events
from store.db import session_scope
from store.models import DocumentStatus, MailState

pytest_plugins = ["fixtures_mail"]
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = [pytest.mark.mail, pytest.mark.usefixtures("prefect_harness")]


def _request(number: int) -> bytes:
    return make_mail(f"견적 요청 {number}", f"안녕하세요.\n볼트 M8 {number}0개 견적 부탁드립니다.\n감사합니다.")


def _times_processed(rt: Runtime) -> Counter[int]:
    """How often each document went through the pipeline (its text is read once per run)."""
    with session_scope(rt.engine) as session:
        return Counter(e.document_id for e in list_events(session) if e.action == "text.read" and e.document_id)


def _count_attempts(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    attempts: list[float] = []
    original = poll_module.collect_new_mail

    def counting(rt: Runtime) -> MailPollReport:
        attempts.append(time.monotonic())
        return original(rt)

    monkeypatch.setattr(poll_module, "collect_new_mail", counting)
    return attempts


def test_poll_processes_each_mail_once_and_moves_it(dovecot: Dovecot, imap_user: str, intake_home: Path) -> None:
    for number in (1, 2):
        append_mail(dovecot, imap_user, _request(number))
    with mail_runtime(dovecot, imap_user) as rt:
        first = poll_mailbox()
        second = poll_mailbox()
        docs, processed = all_documents(rt), _times_processed(rt)

    assert first.error is None and len(first.recorded) == 2 and sorted(first.processed) == sorted(first.recorded)
    assert second.recorded == [] and second.processed == []
    assert all(d.status is not DocumentStatus.RECEIVED for d in docs)
    assert processed == Counter({d.id: 1 for d in docs})
    assert folder_uids(dovecot, imap_user, "INBOX") == []


def test_server_stopped_mid_poll_then_restarted_loses_and_doubles_nothing(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in (1, 2, 3):
        append_mail(dovecot, imap_user, _request(number))
    original = ImapMailbox.mark_handled

    def stop_server_before_first_move(self: ImapMailbox, uids: Any) -> None:
        monkeypatch.setattr(ImapMailbox, "mark_handled", original)
        dovecot.stop()
        original(self, uids)

    monkeypatch.setattr(ImapMailbox, "mark_handled", stop_server_before_first_move)
    with mail_runtime(dovecot, imap_user, poll_retries=1) as rt:
        interrupted = poll_mailbox()
        dovecot.start()
        resumed = poll_mailbox()
        docs, rows, processed = all_documents(rt), mail_rows(rt), _times_processed(rt)

    assert interrupted.error is not None and "127.0.0.1" in interrupted.error
    assert len(interrupted.processed) == 1  # what was recorded before the fault is processed anyway
    assert resumed.error is None and resumed.reconciled == 1 and len(resumed.recorded) == 2
    assert len(docs) == 3 and processed == Counter({d.id: 1 for d in docs})
    assert [r.state for r in rows] == [MailState.MOVED] * 3
    assert folder_uids(dovecot, imap_user, "INBOX") == []


def test_a_transient_outage_is_retried_with_backoff_until_the_server_is_back(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, _request(1))
    attempts = _count_attempts(monkeypatch)
    dovecot.stop()
    restart = threading.Timer(2.5, dovecot.start)
    restart.start()
    with mail_runtime(dovecot, imap_user, poll_retries=4, poll_retry_delay_seconds=1.0) as rt:
        report = poll_mailbox()
        docs = all_documents(rt)
    restart.join()

    assert report.error is None and len(report.recorded) == 1 and len(docs) == 1
    assert 2 <= len(attempts) <= 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.9 and all(b > a for a, b in itertools.pairwise(gaps))  # 1 s, 2 s, 4 s ...


def test_login_refused_is_not_retried_and_the_poll_ends_cleanly(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = _count_attempts(monkeypatch)
    with mail_runtime(dovecot, imap_user, imap_password="wrong", poll_retries=3, poll_retry_delay_seconds=30) as rt:
        report = poll_mailbox()
        rows = mail_rows(rt)
    assert len(attempts) == 1
    assert report.error is not None and "login refused" in report.error and "wrong" not in report.error
    assert rows == []


def test_server_down_ends_cleanly_after_the_retries(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = _count_attempts(monkeypatch)
    with mail_runtime(dovecot, imap_user, imap_port=free_port(), poll_retries=2) as rt:
        report = poll_mailbox()
        docs = all_documents(rt)
    assert len(attempts) == 3 and docs == []
    assert report.error is not None and "Connection refused" in report.error


def test_a_second_poll_while_one_runs_does_not_double_process(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 5):
        append_mail(dovecot, imap_user, _request(number))
    inside, release = threading.Event(), threading.Event()
    original = poll_module.collect_new_mail

    def slow_collect(rt: Runtime) -> MailPollReport:
        inside.set()
        release.wait(60)
        return original(rt)

    monkeypatch.setattr(poll_module, "collect_new_mail", slow_collect)
    with mail_runtime(dovecot, imap_user) as rt:
        results: list[MailPollReport] = []
        first = threading.Thread(target=lambda: results.append(contextvars.copy_context().run(poll_mailbox)))
        first.start()
        assert inside.wait(60)
        second = poll_mailbox()
        release.set()
        first.join(180)
        docs, processed = all_documents(rt), _times_processed(rt)

    assert second.busy and second.recorded == [] and second.processed == []
    assert len(results[0].recorded) == 4 and len(docs) == 4
    assert processed == Counter({d.id: 1 for d in docs})


def test_intake_poll_command_reports_and_exits(
    dovecot: Dovecot, imap_user: str, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, _request(1))
    append_mail(dovecot, imap_user, make_mail("big", "x", attachments=[("a.pdf", "application/pdf", b"%PDF" * 5000)]))
    # Dovecot ignores the domain (username_format=%n): the login looks like a real mailbox's address.
    login = f"{imap_user}@seller.example"
    for key, value in dovecot.settings(login, imap_max_message_bytes=10_000).items():
        monkeypatch.setenv(f"INTAKE_{key.upper()}", str(value))
    app = typer.Typer()
    cli_serve.register(app)
    runner = CliRunner()

    ok = runner.invoke(app, ["poll"])
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "wrong")
    refused = runner.invoke(app, ["poll", "--json"])

    assert ok.exit_code == 0, ok.output
    assert "1 new" in ok.output and "1 skipped" in ok.output and "too large" in ok.output
    assert login not in ok.output and "i***@seller.example" in ok.output  # the address is masked
    assert refused.exit_code == 1 and "login refused" in refused.output


def test_intake_poll_with_nothing_configured_is_a_usage_error(intake_home: Path) -> None:
    app = typer.Typer()
    cli_serve.register(app)
    result = CliRunner().invoke(app, ["poll"])
    assert result.exit_code == 2 and "INTAKE_IMAP_HOST" in result.output


def test_a_quoted_mail_is_answered_by_smtp_once_as_a_reply(
    dovecot: Dovecot, imap_user: str, intake_home: Path, smtp_server: SmtpServerUnderTest
) -> None:
    raw = (SAMPLES / "inbox" / "docs" / "01_rfq_korean.eml").read_bytes()  # a known customer's RFQ
    append_mail(dovecot, imap_user, raw)
    with mail_runtime(dovecot, imap_user, **smtp_server.settings()) as rt:
        poll_mailbox()
        poll_mailbox()
        docs = all_documents(rt)

    assert len(docs) == 1 and docs[0].status is DocumentStatus.QUOTED
    assert len(smtp_server.collector.messages) == 1
    reply = smtp_server.collector.messages[0]
    assert smtp_server.collector.recipients == [["order@samwootech.kr"]]
    assert reply["In-Reply-To"] == docs[0].message_id and docs[0].message_id in reply["References"]
    assert reply["Subject"].startswith("Re: 베어링 및 볼트류 견적 요청드립니다 [견적서 ")
