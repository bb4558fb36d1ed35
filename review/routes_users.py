"""Users and roles, for admins: add a person, change a role, deactivate or reactivate (never delete: the
audit log names them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from review.auth import CurrentUser, require_csrf, require_user
from review.rendering import render, services_of
from review.roles import ROLES
from review.security import hash_password
from store import users
from store.audit import append_event
from store.db import session_scope
from store.errors import ConflictError, NotFoundError

MIN_PASSWORD_LENGTH = 8


def require_admin(user: Annotated[CurrentUser, Depends(require_user)]) -> CurrentUser:
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="관리자만 사용할 수 있습니다 / admins only")
    return user


router = APIRouter(dependencies=[Depends(require_user), Depends(require_csrf), Depends(require_admin)])
Admin = Annotated[CurrentUser, Depends(require_admin)]


def _users_page(request: Request, errors: list[str] | None = None, status_code: int = 200) -> Response:
    with session_scope(services_of(request).engine) as db:
        rows = [(u.name, u.role.value, u.active, u.created_at) for u in users.list_users(db)]
    return render(
        request, "users.html", {"rows": rows, "roles": ROLES, "errors": errors or [], "nav": "users"}, status_code
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _users_page(request)


@router.post("/users")
def add_user(
    request: Request,
    admin: Admin,
    name: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    name = name.strip()
    problems = []
    if not name or len(name) > 64:
        problems.append("이름은 1–64자입니다 / a name has 1–64 characters")
    if role not in ROLES:
        problems.append(f"알 수 없는 역할 / unknown role '{role}'")
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"비밀번호는 {MIN_PASSWORD_LENGTH}자 이상 / passwords need {MIN_PASSWORD_LENGTH}+ characters")
    if problems:
        return _users_page(request, problems, 422)
    try:
        with session_scope(services_of(request).engine) as db:
            users.add_user(db, name, hash_password(password), role)
            append_event(db, actor=admin.name, action="user.added", data={"user": name, "role": role})
    except ConflictError:
        return _users_page(request, [f"이미 있는 이름 / user '{name}' already exists"], 409)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}")
def update_user(
    request: Request,
    name: str,
    admin: Admin,
    role: Annotated[str, Form()],
    active: Annotated[str, Form()] = "",
) -> Response:
    if role not in ROLES:
        return _users_page(request, [f"알 수 없는 역할 / unknown role '{role}'"], 422)
    is_active = active == "on"
    if name == admin.name and (role != "admin" or not is_active):
        return _users_page(request, ["자기 자신의 관리자 권한은 뺄 수 없습니다 / you cannot demote yourself"], 422)
    try:
        with session_scope(services_of(request).engine) as db:
            users.set_user_role(db, name, role)
            users.set_user_active(db, name, is_active)
            append_event(
                db, actor=admin.name, action="user.updated", data={"user": name, "role": role, "active": is_active}
            )
    except NotFoundError:
        raise HTTPException(status_code=404, detail=f"user {name} does not exist") from None
    return RedirectResponse("/users", status_code=303)
