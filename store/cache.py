"""Cached LLM answers by key (the LLM stage decides what goes into a key); the first answer stored stays."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from store.errors import NotFoundError
from store.models import LlmCacheRow
from store.upsert import insert_for


def get_cached_response(session: Session, key: str) -> LlmCacheRow | None:
    return session.get(LlmCacheRow, key)


def put_cached_response(
    session: Session,
    key: str,
    *,
    model: str,
    prompt_sha256: str,
    response: dict[str, Any],
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> LlmCacheRow:
    """Store an answer; if another process stored one for `key` first, that one is kept and returned."""
    insert = insert_for(session, LlmCacheRow).values(
        key=key,
        model=model,
        prompt_sha256=prompt_sha256,
        response=response,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    session.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
    row = session.get(LlmCacheRow, key, populate_existing=True)
    if row is None:
        raise NotFoundError(f"llm cache entry {key} vanished after insert")
    return row
