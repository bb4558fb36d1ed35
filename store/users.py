"""Review app users. Only the password hash string is kept; review/ makes and checks it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import ConflictError, NotFoundError
from store.models import UserRole, UserRow
from store.upsert import insert_for


def add_user(
    session: Session, name: str, password_hash: str, role: UserRole | str, *, active: bool = True
) -> UserRow:
    insert = insert_for(session, UserRow).values(
        name=name, password_hash=password_hash, role=UserRole(role), active=active
    )
    user_id = session.execute(insert.on_conflict_do_nothing(index_elements=["name"]).returning(UserRow.id)).scalar()
    if user_id is None:
        raise ConflictError(f"user {name!r} already exists")
    return session.get_one(UserRow, user_id)


def get_user(session: Session, name: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()


def get_user_by_id(session: Session, user_id: int) -> UserRow | None:
    return session.get(UserRow, user_id)


def list_users(session: Session) -> Sequence[UserRow]:
    return session.scalars(select(UserRow).order_by(UserRow.name)).all()


def _require_user(session: Session, name: str) -> UserRow:
    user = get_user(session, name)
    if user is None:
        raise NotFoundError(f"user {name!r} does not exist")
    return user


def set_password_hash(session: Session, name: str, password_hash: str) -> UserRow:
    user = _require_user(session, name)
    user.password_hash = password_hash
    session.flush()
    return user


def set_user_role(session: Session, name: str, role: UserRole | str) -> UserRow:
    user = _require_user(session, name)
    user.role = UserRole(role)
    session.flush()
    return user


def set_user_active(session: Session, name: str, active: bool) -> UserRow:
    user = _require_user(session, name)
    user.active = active
    session.flush()
    return user
