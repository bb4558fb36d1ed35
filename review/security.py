"""Passwords (argon2id), the signed session cookie (itsdangerous) and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from schemas.settings import Settings

SESSION_COOKIE = "intake_session"
SESSION_MAX_AGE_SECONDS = 12 * 3600
SECRET_FILE_NAME = "review_secret.key"

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the answer time the same, so timing does not
# reveal which user names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("the password must not be empty")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_fingerprint(password_hash: str) -> str:
    """Part of the session: changing a password ends every session opened with the old one."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8"))


@dataclass(frozen=True)
class SessionData:
    """What the cookie carries. `user` is None before login (the login form still needs a CSRF token)."""

    csrf: str
    user: str | None = None
    fingerprint: str | None = None


class SessionSigner:
    def __init__(self, secret_key: str, max_age_seconds: int = SESSION_MAX_AGE_SECONDS):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="intake.review.session")
        self.max_age_seconds = max_age_seconds

    def dumps(self, session: SessionData) -> str:
        return self._serializer.dumps({"c": session.csrf, "u": session.user, "f": session.fingerprint})

    def loads(self, token: str | None) -> SessionData | None:
        """The session in a cookie, or None when it is missing, forged or older than max_age."""
        if not token:
            return None
        try:
            raw = self._serializer.loads(token, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("c"), str):
            return None
        return SessionData(csrf=raw["c"], user=raw.get("u"), fingerprint=raw.get("f"))


def load_secret_key(settings: Settings) -> str:
    """settings.secret_key, or a random key kept in a file only the owner can read under settings.home."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.home) / SECRET_FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then linked into place: a second process starting at the
        # same moment either loses the link race and reads the winner's key, or finds the finished file.
        temporary = path.with_name(f".{SECRET_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8").strip()
