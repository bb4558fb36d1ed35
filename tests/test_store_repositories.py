"""Review tasks, users, learnt aliases, the LLM cache, mail messages and deliveries, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fixtures_store import make_envelope, make_quote
from sqlalchemy import Engine, update

from schemas.company import LearntAliases
from schemas.extraction import LLMUsage
from schemas.review import ReviewStatus
from store import aliases, cache, deliveries, documents, mail, quotes, review, users
from store.db import session_scope
from store.errors import ConflictError, NotFoundError
from store.models import DeliveryStatus, MailState, ReviewTaskRow, UserRole

pytest_plugins = ["fixtures_store"]


def _document(engine: Engine, content: bytes = b"rfq") -> int:
    with session_scope(engine) as session:
        return documents.create_document(session, make_envelope(content))[0].id


# ---------------------------------------------------------------- review tasks


def test_open_tasks_come_oldest_first_and_filter_by_role(engine: Engine) -> None:
    document_ids = [_document(engine, f"doc {i}".encode()) for i in range(3)]
    ids = []
    with session_scope(engine) as session:
        for document_id, role in zip(document_ids, ["reviewer", "approver", "reviewer"], strict=True):
            task = review.create_review_task(session, document_id, [role], role)
            ids.append(task.id)
        # The newest task by id is made the oldest by time: order must follow created_at, not insertion.
        oldest = task.created_at - timedelta(hours=1)
        session.execute(update(ReviewTaskRow).where(ReviewTaskRow.id == ids[2]).values(created_at=oldest))
    with session_scope(engine) as session:
        assert [t.id for t in review.open_review_tasks(session)] == [ids[2], ids[0], ids[1]]
        assert [t.id for t in review.open_review_tasks(session, roles=["approver"])] == [ids[1]]
        assert [t.id for t in review.open_review_tasks(session, limit=1)] == [ids[2]]


def test_a_task_is_decided_once(engine: Engine) -> None:
    document_id = _document(engine)
    with session_scope(engine) as session:
        task_id = review.create_review_task(session, document_id, ["customer unsure"]).id
    with session_scope(engine) as session:
        decided = review.decide_review_task(session, task_id, "approved", decided_by="kim", reason="checked")
        assert decided.status is ReviewStatus.APPROVED
        assert (decided.decided_by, decided.decision_reason) == ("kim", "checked")
        assert decided.decided_at is not None and decided.decided_at.utcoffset() == timedelta(0)
    with pytest.raises(ConflictError, match="already approved by kim"), session_scope(engine) as session:
        review.decide_review_task(session, task_id, ReviewStatus.REJECTED, decided_by="lee")
    with session_scope(engine) as session:
        assert review.open_review_tasks(session) == []
        latest = review.latest_review_task(session, document_id)
        assert latest is not None and latest.to_schema().status is ReviewStatus.APPROVED
        with pytest.raises(NotFoundError):
            review.decide_review_task(session, 999, "rejected", decided_by="kim")
        with pytest.raises(ValueError, match="approved or rejected"):
            review.decide_review_task(session, task_id, "open", decided_by="kim")


def test_task_schema_round_trip(engine: Engine) -> None:
    document_id = _document(engine)
    with session_scope(engine) as session:
        task = review.create_review_task(session, document_id, ["a", "b"], "approver")
    schema = task.to_schema()
    assert (schema.document_id, schema.reasons, schema.required_role) == (document_id, ["a", "b"], "approver")
    assert schema.status is ReviewStatus.OPEN


# ---------------------------------------------------------------- users


def test_users_keep_only_the_hash_they_are_given(engine: Engine) -> None:
    with session_scope(engine) as session:
        users.add_user(session, "kim", "$argon2id$v=19$hash-1", "approver")
    with pytest.raises(ConflictError, match="'kim' already exists"), session_scope(engine) as session:
        users.add_user(session, "kim", "$argon2id$v=19$hash-2", "reviewer")
    with session_scope(engine) as session:
        users.set_password_hash(session, "kim", "$argon2id$v=19$hash-3")
        users.set_user_active(session, "kim", False)
        users.set_user_role(session, "kim", UserRole.OWNER)
    with session_scope(engine) as session:
        kim = users.get_user(session, "kim")
        assert kim is not None
        assert (kim.password_hash, kim.role, kim.active) == ("$argon2id$v=19$hash-3", UserRole.OWNER, False)
        assert users.get_user_by_id(session, kim.id) is kim
        assert users.get_user(session, "nobody") is None
        assert [u.name for u in users.list_users(session)] == ["kim"]
        with pytest.raises(ValueError):
            users.add_user(session, "lee", "h", "superuser")
        with pytest.raises(NotFoundError):
            users.set_user_active(session, "nobody", True)


# ---------------------------------------------------------------- learnt aliases


def test_aliases_are_normalized_updated_and_loaded(engine: Engine) -> None:
    with session_scope(engine) as session:
        aliases.add_learnt_alias(session, "sku", "Ａ４  복사지 BOX", "P-A4-BOX", created_by="kim")
        aliases.add_learnt_alias(session, "customer", "한빛", "C001", created_by="kim")
        # The same alias spelled differently teaches a new target instead of adding a second row.
        aliases.add_learnt_alias(session, "sku", "a4 복사지 box", "P-A4-500", created_by="lee")
    with session_scope(engine) as session:
        assert aliases.load_learnt_aliases(session) == LearntAliases(
            sku={"a4 복사지 box": "P-A4-500"}, customer={"한빛": "C001"}
        )
        assert aliases.count_learnt_aliases(session) == 2
        assert aliases.count_learnt_aliases(session, "sku") == 1
        with pytest.raises(ValueError, match="visible character"):
            aliases.add_learnt_alias(session, "sku", "   ", "P-1", created_by="kim")


def test_normalize_alias() -> None:
    assert aliases.normalize_alias("  Ａ４\t복사지   BOX ") == "a4 복사지 box"


# ---------------------------------------------------------------- LLM cache


def test_cache_stores_and_replaces_answers(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert cache.get_cached_response(session, "k1") is None
        cache.put_cached_response(
            session, "k1", model="qwen", prompt_sha256="c" * 64, response={"kind": "rfq"}, prompt_tokens=120,
            completion_tokens=40,
        )
    with session_scope(engine) as session:
        hit = cache.get_cached_response(session, "k1")
        assert hit is not None
        assert (hit.model, hit.prompt_tokens, hit.completion_tokens, hit.response) == ("qwen", 120, 40, {"kind": "rfq"})
        replaced = cache.put_cached_response(session, "k1", model="qwen", prompt_sha256="c" * 64, response={"v": 2})
    assert (replaced.response, replaced.prompt_tokens) == ({"v": 2}, 0)


def test_stored_llm_cache_speaks_json_text(engine: Engine) -> None:
    llm_cache = cache.StoredLLMCache(engine)
    usage = LLMUsage(model="qwen", prompt_sha256="c" * 64, prompt_tokens=300, completion_tokens=80)
    assert llm_cache.get("k") is None
    llm_cache.put("k", '{"customer_name": "(주)한빛상사", "items": [{"quantity": 12}]}', usage)
    assert json.loads(llm_cache.get("k") or "") == {"customer_name": "(주)한빛상사", "items": [{"quantity": 12}]}
    with session_scope(engine) as session:
        row = cache.get_cached_response(session, "k")
        assert row is not None and (row.prompt_tokens, row.completion_tokens) == (300, 80)
    with pytest.raises(ValueError, match="JSON objects"):
        llm_cache.put("k", "[1, 2]", usage)


# ---------------------------------------------------------------- mail


def test_mail_is_recorded_once_per_mailbox_uidvalidity_uid(engine: Engine) -> None:
    document_id = _document(engine)
    big_uid = 4_294_967_295  # IMAP UIDs are unsigned 32-bit
    with session_scope(engine) as session:
        row, created = mail.record_mail_message(
            session, mailbox="INBOX", uidvalidity=big_uid, uid=big_uid, sha256="d" * 64, message_id="<m1@x>",
            document_id=document_id,
        )
        again, created_again = mail.record_mail_message(
            session, mailbox="INBOX", uidvalidity=big_uid, uid=big_uid, sha256="e" * 64
        )
        other_folder, _ = mail.record_mail_message(
            session, mailbox="Archive", uidvalidity=1, uid=7, sha256="d" * 64,
            state="skipped", reason="larger than 50 MB",
        )
    assert (created, created_again, again.id, again.sha256) == (True, False, row.id, "d" * 64)
    with session_scope(engine) as session:
        stored = mail.get_mail_message(session, "INBOX", big_uid, big_uid)
        assert stored is not None and (stored.document_id, stored.state) == (document_id, MailState.RECORDED)
        assert [m.id for m in mail.find_mail_by_sha(session, "d" * 64)] == [row.id, other_folder.id]
        assert [m.id for m in mail.unmoved_mail_messages(session, "INBOX")] == [row.id]
        mail.mark_mail_moved(session, row.id)
    with session_scope(engine) as session:
        assert mail.unmoved_mail_messages(session, "INBOX") == []
        skipped = mail.get_mail_message(session, "Archive", 1, 7)
        assert skipped is not None and (skipped.state, skipped.reason) == (MailState.SKIPPED, "larger than 50 MB")
        with pytest.raises(NotFoundError):
            mail.mark_mail_moved(session, 999)


# ---------------------------------------------------------------- deliveries


def test_a_delivery_per_quote_and_channel_with_attempts(engine: Engine) -> None:
    document_id = _document(engine)
    with session_scope(engine) as session:
        quote_id = quotes.save_quote(session, document_id, "Q-1", make_quote()).id
        smtp, created = deliveries.get_or_create_delivery(session, quote_id, "smtp")
        same, created_again = deliveries.get_or_create_delivery(session, quote_id, "smtp")
        outbox, _ = deliveries.get_or_create_delivery(session, quote_id, "outbox")
    assert (created, created_again, same.id) == (True, False, smtp.id)
    with session_scope(engine) as session:
        deliveries.mark_delivery_failed(session, smtp.id, "connection refused")
        assert [d.id for d in deliveries.pending_deliveries(session)] == [smtp.id, outbox.id]
        assert [d.id for d in deliveries.pending_deliveries(session, channel="smtp")] == [smtp.id]
        assert [d.id for d in deliveries.pending_deliveries(session, max_attempts=1)] == [outbox.id]
        sent = deliveries.mark_delivery_sent(session, smtp.id, smtp_message_id="<q1@intake>")
    assert (sent.status, sent.attempts, sent.last_error, sent.smtp_message_id) == (
        DeliveryStatus.SENT, 2, None, "<q1@intake>"
    )
    assert sent.sent_at is not None
    with session_scope(engine) as session:
        assert [d.id for d in deliveries.pending_deliveries(session)] == [outbox.id]
