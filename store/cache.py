"""Cached LLM answers by key (the LLM stage decides what goes into a key)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from schemas.extraction import LLMUsage
from store.db import session_scope
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
    """Store the answer for `key`, replacing an older one (e.g. one an older output schema can no longer read)."""
    insert = insert_for(session, LlmCacheRow).values(
        key=key,
        model=model,
        prompt_sha256=prompt_sha256,
        response=response,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    replace_all = {column.name: insert.excluded[column.name] for column in LlmCacheRow.__table__.columns}
    session.execute(insert.on_conflict_do_update(index_elements=["key"], set_=replace_all))
    return session.get_one(LlmCacheRow, key, populate_existing=True)


class StoredLLMCache:
    """The llm_cache table behind extractors.llm's LLMCache protocol (get/put of JSON text by key).

    Each call is its own short transaction: call it outside any open session_scope.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> str | None:
        with session_scope(self.engine) as session:
            row = get_cached_response(session, key)
            return json.dumps(row.response, ensure_ascii=False) if row is not None else None

    def put(self, key: str, value: str, usage: LLMUsage) -> None:
        response = json.loads(value)
        if not isinstance(response, dict):
            raise ValueError(f"LLM cache values are JSON objects, got {type(response).__name__}")
        with session_scope(self.engine) as session:
            put_cached_response(
                session,
                key,
                model=usage.model,
                prompt_sha256=usage.prompt_sha256,
                response=response,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
            )
