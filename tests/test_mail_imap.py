"""The IMAP intake against a real Dovecot on loopback: exactly once across faults, restarts and UIDVALIDITY changes.

These drive flows.mailbox.collect_new_mail directly (no Prefect): what is recorded, what is moved,
what is downloaded. tests/test_mail_poll.py runs the Prefect flow around it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fixtures_mail import (
    Dovecot,
    all_documents,
    append_mail,
    folder_uids,
    imap_settings,
    mail_rows,
    mail_runtime,
    make_mail,
)
from imap_tools.folder import MailBoxFolderManager

from flows import imap
from flows.imap import HANDLED_KEYWORD, ImapMailbox, MailboxRefused, MailboxUnavailable
from flows.mailbox import collect_new_mail
from schemas.settings import Settings
from store.models import MailState

pytest_plugins = ["fixtures_mail"]
pytestmark = pytest.mark.mail

DONE_FOLDER = "intake.processed"  # settings' "intake/processed" in Dovecot's maildir hierarchy syntax
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _order_mail(number: int, **kwargs: Any) -> bytes:
    return make_mail(
        f"견적 요청 {number}",
        f"안녕하세요. 볼트 M8 {number * 10}개 견적 부탁드립니다.",
        attachments=[(f"order-{number}.pdf", "application/pdf", PDF + str(number).encode())],
        **kwargs,
    )


def _count_downloads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the UID of every full download (headers-only looks are not downloads)."""
    downloaded: list[int] = []
    original = ImapMailbox.fetch_raw

    def counting(self: ImapMailbox, uid: int) -> imap.RawMail | None:
        downloaded.append(uid)
        return original(self, uid)

    monkeypatch.setattr(ImapMailbox, "fetch_raw", counting)
    return downloaded


def _flags(dovecot: Dovecot, user: str) -> dict[str, tuple[str, ...]]:
    with dovecot.client(user) as box:
        box.folder.set("INBOX")
        return {m.uid: m.flags for m in box.fetch(mark_seen=False, headers_only=True) if m.uid}


def test_mail_with_and_without_attachments_is_recorded_once_and_moved(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, _order_mail(1))
    append_mail(dovecot, imap_user, _order_mail(2))
    append_mail(dovecot, imap_user, make_mail("단가 문의", "부품 A-100 50개 가격 알려주세요. 첨부 없음."))
    downloads = _count_downloads(monkeypatch)
    with mail_runtime(dovecot, imap_user) as rt:
        first = collect_new_mail(rt)
        second = collect_new_mail(rt)
        docs, rows = all_documents(rt), mail_rows(rt)

    assert first.error is None and len(first.recorded) == 3
    assert {d.subject for d in docs} == {"견적 요청 1", "견적 요청 2", "단가 문의"}
    assert all(d.channel.value == "imap" and d.status.value == "received" for d in docs)
    assert [r.uid for r in rows] == [1, 2, 3] and all(r.state is MailState.MOVED for r in rows)
    assert [r.sha256 for r in rows] == [d.sha256 for d in docs]
    assert folder_uids(dovecot, imap_user, "INBOX") == []
    assert len(folder_uids(dovecot, imap_user, DONE_FOLDER)) == 3
    # The body-only mail left the folder too: nothing is downloaded again on the next poll.
    assert second.recorded == [] and second.duplicates == [] and downloads == [1, 2, 3]


def test_flag_mode_leaves_mail_in_place_and_never_downloads_it_again(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, make_mail("문의", "본문만 있는 메일"))
    append_mail(dovecot, imap_user, _order_mail(1))
    downloads = _count_downloads(monkeypatch)
    with mail_runtime(dovecot, imap_user, imap_mark="flag") as rt:
        collect_new_mail(rt)
        again = collect_new_mail(rt)
        docs = all_documents(rt)

    assert len(docs) == 2 and downloads == [1, 2]
    assert again.recorded == [] and again.duplicates == []
    flags = _flags(dovecot, imap_user)
    assert set(flags) == {"1", "2"}
    assert all(HANDLED_KEYWORD in f and "\\Seen" in f for f in flags.values())


def test_too_large_mail_is_recorded_as_skipped_and_never_downloaded(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, make_mail("small", "body"))
    big = make_mail("big order", "see scan", attachments=[("scan.pdf", "application/pdf", PDF + b"x" * 20_000)])
    append_mail(dovecot, imap_user, big)
    downloads = _count_downloads(monkeypatch)
    with mail_runtime(dovecot, imap_user, imap_max_message_bytes=10_000) as rt:
        first = collect_new_mail(rt)
        second = collect_new_mail(rt)
        rows = mail_rows(rt)

    assert downloads == [1]
    assert len(first.skipped) == 1 and first.skipped[0].startswith("2: too large")
    skipped = next(r for r in rows if r.uid == 2)
    assert skipped.state is MailState.SKIPPED and "limit 10,000" in (skipped.reason or "")
    assert skipped.document_id is None
    assert second.skipped == [] and len(rows) == 2
    assert folder_uids(dovecot, imap_user, "INBOX") == ["2"]  # left for a person to see


def test_server_stopped_after_recording_before_moving_loses_and_doubles_nothing(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 4):
        append_mail(dovecot, imap_user, _order_mail(number))
    original = ImapMailbox.mark_handled

    def crash_before_first_move(self: ImapMailbox, uids: Any) -> None:
        dovecot.stop()
        original(self, uids)

    with mail_runtime(dovecot, imap_user) as rt:
        monkeypatch.setattr(ImapMailbox, "mark_handled", crash_before_first_move)
        with pytest.raises(MailboxUnavailable, match="marking handled mail"):
            collect_new_mail(rt)
        assert [(r.uid, r.state) for r in mail_rows(rt)] == [(1, MailState.RECORDED)]

        monkeypatch.setattr(ImapMailbox, "mark_handled", original)
        dovecot.start()
        downloads = _count_downloads(monkeypatch)
        report = collect_new_mail(rt)
        docs, rows = all_documents(rt), mail_rows(rt)

    assert report.reconciled == 1 and len(report.recorded) == 2
    assert downloads == [2, 3]  # the recorded mail was moved, not downloaded or recorded again
    assert len(docs) == 3 and len({d.sha256 for d in docs}) == 3
    assert [(r.uid, r.state) for r in rows] == [(1, MailState.MOVED), (2, MailState.MOVED), (3, MailState.MOVED)]
    assert folder_uids(dovecot, imap_user, "INBOX") == []


def test_connection_dropped_mid_download_then_restart_takes_each_mail_once(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 5):
        append_mail(dovecot, imap_user, _order_mail(number))
    original = ImapMailbox.fetch_raw

    def drop_on_third(self: ImapMailbox, uid: int) -> imap.RawMail | None:
        if uid == 3:
            dovecot.stop()
        return original(self, uid)

    with mail_runtime(dovecot, imap_user) as rt:
        monkeypatch.setattr(ImapMailbox, "fetch_raw", drop_on_third)
        with pytest.raises(MailboxUnavailable, match="downloading message 3"):
            collect_new_mail(rt)
        monkeypatch.setattr(ImapMailbox, "fetch_raw", original)
        dovecot.start()
        collect_new_mail(rt)
        docs, rows = all_documents(rt), mail_rows(rt)

    assert sorted(d.subject or "" for d in docs) == [f"견적 요청 {n}" for n in range(1, 5)]
    assert [r.uid for r in rows] == [1, 2, 3, 4] and all(r.state is MailState.MOVED for r in rows)


def test_uidvalidity_change_recognises_processed_mail_by_message_id_and_sha256(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_id = _order_mail(1)
    without_id = _order_mail(2, message_id=None)
    with dovecot.client(imap_user) as box:
        box.folder.create("Orders")
    for raw in (with_id, without_id):
        append_mail(dovecot, imap_user, raw, folder="Orders")
    with mail_runtime(dovecot, imap_user, imap_folder="Orders", imap_mark="flag") as rt:
        before = collect_new_mail(rt)
        # The server loses its UID state (a restore, a migration): same mail, new UIDVALIDITY, flags gone.
        with dovecot.client(imap_user) as box:
            box.folder.delete("Orders")
            box.folder.create("Orders")
        same_id_other_sender = make_mail("견적 요청 1", "다른 사람", sender="stranger@elsewhere.example",
                                         message_id=_message_id(with_id))
        for raw in (with_id, without_id, _order_mail(3), same_id_other_sender):
            append_mail(dovecot, imap_user, raw, folder="Orders")
        downloads = _count_downloads(monkeypatch)
        after = collect_new_mail(rt)
        docs = all_documents(rt)

    assert after.uidvalidity != before.uidvalidity
    assert sorted(after.duplicates) == [1, 2]
    assert downloads == [2, 3, 4]  # uid 1 recognised by Message-ID + sender without a download
    assert len(after.recorded) == 2 and len(docs) == 4
    new_senders = {d.sender for d in docs if d.id in after.recorded}
    assert new_senders == {"buyer@customer.example", "stranger@elsewhere.example"}


def _message_id(raw: bytes) -> str:
    line = next(line for line in raw.split(b"\n") if line.lower().startswith(b"message-id:"))
    return line.split(b":", 1)[1].strip().decode()


def test_two_concurrent_collectors_record_each_mail_exactly_once(
    dovecot: Dovecot, imap_user: str, intake_home: Any
) -> None:
    for number in range(1, 9):
        append_mail(dovecot, imap_user, _order_mail(number))
    errors: list[BaseException] = []
    with mail_runtime(dovecot, imap_user) as rt:

        def collect() -> None:
            try:
                collect_new_mail(rt)
            except BaseException as exc:  # surfaced by the assert below
                errors.append(exc)

        threads = [threading.Thread(target=collect) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        docs, rows = all_documents(rt), mail_rows(rt)

    assert errors == []
    assert len(docs) == 8 and len({d.sha256 for d in docs}) == 8
    assert sorted(r.uid for r in rows) == list(range(1, 9))
    assert folder_uids(dovecot, imap_user, "INBOX") == []


def test_done_folder_created_by_another_poller_between_check_and_create_is_not_an_error(
    dovecot: Dovecot, imap_user: str, intake_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_mail(dovecot, imap_user, _order_mail(1))
    with dovecot.client(imap_user) as other:
        other.folder.create(DONE_FOLDER)
    # Our first existence check runs just before the other poller's CREATE lands, so it sees no folder.
    real_exists = MailBoxFolderManager.exists
    stale_answers = [False]

    def exists(self: MailBoxFolderManager, name: str) -> bool:
        return stale_answers.pop() if stale_answers else real_exists(self, name)

    monkeypatch.setattr(MailBoxFolderManager, "exists", exists)
    with mail_runtime(dovecot, imap_user) as rt:
        result = collect_new_mail(rt)
    assert len(result.recorded) == 1
    assert folder_uids(dovecot, imap_user, "INBOX") == []
    assert len(folder_uids(dovecot, imap_user, DONE_FOLDER)) == 1


def test_moving_mail_another_poller_already_moved_moves_the_rest(dovecot: Dovecot, imap_user: str) -> None:
    for number in (1, 2):
        append_mail(dovecot, imap_user, _order_mail(number))
    settings = imap_settings(Settings(), dovecot, imap_user)
    with imap.open_mailbox(settings) as ours:
        ours.prepare_done_folder()
        first, second = ours.candidate_uids()
        with dovecot.client(imap_user) as other:  # the other poller is quicker with the first mail
            other.folder.set("INBOX")
            other.move(str(first), DONE_FOLDER)
        ours.mark_handled([first, second])
    assert folder_uids(dovecot, imap_user, "INBOX") == []
    assert len(folder_uids(dovecot, imap_user, DONE_FOLDER)) == 2


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda d: {"imap_password": "wrong"}, MailboxRefused, "login refused"),
        (lambda d: {"imap_folder": "Missing"}, MailboxRefused, "Missing"),
        (lambda d: {"imap_port": _closed_port()}, MailboxUnavailable, "Connection refused"),
    ],
    ids=["login-refused", "missing-folder", "server-down"],
)
def test_refusals_and_outages_raise_one_clean_error(
    dovecot: Dovecot,
    imap_user: str,
    intake_home: Any,
    change: Callable[[Dovecot], dict[str, object]],
    error: type[Exception],
    message: str,
) -> None:
    append_mail(dovecot, imap_user, make_mail("hello", "body"))
    with mail_runtime(dovecot, imap_user, **change(dovecot)) as rt, pytest.raises(error, match=message) as raised:
        collect_new_mail(rt)
        assert mail_rows(rt) == []
    assert "secret" not in str(raised.value) and "wrong" not in str(raised.value)


def _closed_port() -> int:
    from fixtures_mail import free_port

    return free_port()
