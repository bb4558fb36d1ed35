"""The roles, from least to most authority, and who may approve what."""

from __future__ import annotations

ROLES = ("reviewer", "approver", "owner", "admin")
ROLE_LABELS = {
    "reviewer": "검토자 Reviewer",
    "approver": "승인자 Approver",
    "owner": "대표 Owner",
    "admin": "관리자 Admin",
}


def role_rank(role: str) -> int:
    """Position in ROLES; a role nobody defined ranks above admin, so a typo in a band never lowers the bar."""
    return ROLES.index(role) if role in ROLES else len(ROLES)


def may_act_as(user_role: str, required_role: str) -> bool:
    """An approver-level quote needs approver, owner or admin; an owner-level one owner or admin."""
    return user_role in ROLES and role_rank(user_role) >= role_rank(required_role)


def strictest(*roles: str | None) -> str:
    """The most demanding of several required roles (the task's and the re-priced quote's band)."""
    named = [r for r in roles if r]
    return max(named, key=role_rank) if named else ROLES[0]


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
