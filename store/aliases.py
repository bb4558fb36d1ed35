"""Aliases reviewers taught the matcher ("A4 복사지 박스" means SKU P-A4-BOX), loaded as schemas' LearntAliases."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.company import LearntAliases
from store.models import AliasKind, LearntAliasRow, utcnow
from store.upsert import insert_for

_SPACES = re.compile(r"\s+")


def normalize_alias(text: str) -> str:
    """The form two spellings of one alias share: NFKC (full-width to ASCII), case-folded, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def add_learnt_alias(
    session: Session, kind: AliasKind | str, alias_text: str, target_id: str, *, created_by: str
) -> LearntAliasRow:
    """Teach an alias; teaching the same alias again points it at the newer target."""
    alias_norm = normalize_alias(alias_text)
    if not alias_norm:
        raise ValueError("an alias needs at least one visible character")
    kind = AliasKind(kind)
    values = {"alias_text": alias_text.strip(), "target_id": target_id, "created_by": created_by}
    insert = insert_for(session, LearntAliasRow).values(kind=kind, alias_norm=alias_norm, **values)
    upsert = insert.on_conflict_do_update(
        index_elements=["kind", "alias_norm"], set_={**values, "created_at": utcnow()}
    )
    alias_id = session.execute(upsert.returning(LearntAliasRow.id)).scalar_one()
    return session.get_one(LearntAliasRow, alias_id, populate_existing=True)


def load_learnt_aliases(session: Session) -> LearntAliases:
    learnt = LearntAliases()
    for row in session.scalars(select(LearntAliasRow).order_by(LearntAliasRow.id)):
        target = learnt.sku if row.kind is AliasKind.SKU else learnt.customer
        target[row.alias_text] = row.target_id
    return learnt


def count_learnt_aliases(session: Session, kind: AliasKind | str | None = None) -> int:
    query = select(func.count()).select_from(LearntAliasRow)
    if kind is not None:
        query = query.where(LearntAliasRow.kind == AliasKind(kind))
    return session.scalar(query) or 0
