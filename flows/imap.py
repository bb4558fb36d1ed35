"""IMAP sessions for the mail intake: connect, list mail in UID order, download it, mark handled mail.

Only this module speaks IMAP (through imap-tools); what to take and how to remember it is in
flows/mailbox.py. Every imaplib/imap-tools failure leaves here as one of two errors, so the poll can
tell what to do: `MailboxUnavailable` (server down, connection dropped, timeout: try again later) or
`MailboxRefused` (login refused, folder missing: retrying will not help, a person must act).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from schemas.settings import Settings

# Set on handled mail when settings.imap_mark is "flag": mail clients show it as a tag, and a person can
# search for it. \Seen goes with it so handled mail no longer looks new.
HANDLED_KEYWORD = "$IntakeProcessed"
HEADER_BATCH = 100
IMPLICIT_TLS_PORT = 993
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxUnavailable(Exception):
    """The server could not be reached or dropped the connection; a later attempt may succeed."""


class MailboxRefused(Exception):
    """The server answered but refused (wrong login, missing folder); retrying will not help."""


@dataclass(frozen=True)
class MailHeader:
    """What the poll needs to know about a message before deciding to download it."""

    uid: int
    size: int
    message_id: str | None
    sender: str | None


@dataclass(frozen=True)
class RawMail:
    uid: int
    data: bytes
    received_at: datetime | None


@contextmanager
def _imap_errors(action: str) -> Iterator[None]:
    try:
        yield
    except MailboxLoginError as exc:
        raise MailboxRefused(f"login refused while {action}: {_server_text(exc)}") from exc
    except UnexpectedCommandStatusError as exc:
        raise MailboxRefused(f"server refused {action}: {_server_text(exc)}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailboxRefused(f"{action}: the server's TLS certificate is not trusted ({exc.verify_message})") from exc
    except (imaplib.IMAP4.abort, OSError, EOFError) as exc:
        raise MailboxUnavailable(f"{action} failed: {type(exc).__name__}: {exc}") from exc
    except imaplib.IMAP4.error as exc:
        raise MailboxRefused(f"server refused {action}: {exc}") from exc


def _server_text(exc: UnexpectedCommandStatusError) -> str:
    """The server's own words from a refused command (no passwords are ever in them)."""
    data = exc.command_result[1] if len(exc.command_result) > 1 else []
    words = [d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data or []]
    return " ".join(words) or str(exc.command_result[0])


def _internal_date(fetch_line: bytes) -> datetime | None:
    """When the server received the mail (more trustworthy than the sender's Date header)."""
    match = _INTERNALDATE.search(fetch_line)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def mailbox_key(settings: Settings) -> str:
    """The account and folder that UIDs belong to: `user@host/folder` (the port may change, the mail does not)."""
    return f"{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"


class ImapMailbox:
    """One logged-in session with the intake folder selected."""

    def __init__(self, box: BaseMailBox, settings: Settings) -> None:
        self._box = box
        self._settings = settings
        self.folder = settings.imap_folder
        self.uidvalidity = 0
        self._done_folder: str | None = None

    def select(self) -> int:
        """Select the intake folder and return its UIDVALIDITY (UIDs are only meaningful together with it)."""
        with _imap_errors(f"opening folder {self.folder!r}"):
            self._box.folder.set(self.folder)
            self.uidvalidity = self._box.folder.status(self.folder, ["UIDVALIDITY"])["UIDVALIDITY"]
        return self.uidvalidity

    def prepare_done_folder(self) -> None:
        """Create (and subscribe) the folder handled mail moves to, in the server's own hierarchy syntax."""
        if self._settings.imap_mark != "move":
            return
        with _imap_errors("creating the done folder"):
            delimiter = next((f.delim for f in self._box.folder.list("", "")), "/") or "/"
            name = self._settings.imap_done_folder.replace("/", delimiter)
            if not self._box.folder.exists(name):
                try:
                    self._box.folder.create(name)
                except UnexpectedCommandStatusError:
                    # Another poller may have created it between our check and our CREATE; only a
                    # folder that still does not exist is a refusal.
                    if not self._box.folder.exists(name):
                        raise
                with suppress(UnexpectedCommandStatusError):
                    self._box.folder.subscribe(name, True)
        self._done_folder = name

    def candidate_uids(self) -> list[int]:
        """UIDs that may be new, ascending. Flagged mail stays in the folder, so the server leaves it out."""
        criteria = "ALL" if self._settings.imap_mark == "move" else f"UNKEYWORD {HANDLED_KEYWORD}"
        with _imap_errors("listing messages"):
            return sorted(int(uid) for uid in self._box.uids(criteria))

    def headers(self, uids: Iterable[int]) -> list[MailHeader]:
        """Size and Message-ID of each message, in UID order, without downloading bodies or marking them seen."""
        wanted = [str(uid) for uid in uids]
        found: list[MailHeader] = []
        for start in range(0, len(wanted), HEADER_BATCH):
            batch = wanted[start : start + HEADER_BATCH]
            with _imap_errors("reading message headers"):
                for message in self._box.fetch(
                    uid_list=batch, headers_only=True, mark_seen=False, bulk=len(batch) if len(batch) > 1 else True
                ):
                    if message.uid is None:
                        continue
                    ids = _MESSAGE_ID.findall((message.headers.get("message-id") or ("",))[0])
                    sender = message.from_values.email.lower() if message.from_values else None
                    found.append(MailHeader(int(message.uid), message.size_rfc822, ids[0] if ids else None, sender))
        return sorted(found, key=lambda header: header.uid)

    def fetch_raw(self, uid: int) -> RawMail | None:
        """The message exactly as stored on the server (its sha256 identifies it), or None if it is gone."""
        with _imap_errors(f"downloading message {uid}"):
            status, data = self._box.client.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
        if status != "OK":
            raise MailboxRefused(f"server refused to send message {uid}: {data!r}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return RawMail(uid, item[1], _internal_date(item[0]))
        return None

    def mark_handled(self, uids: Iterable[int]) -> None:
        """Move handled mail to the done folder, or flag it, as settings.imap_mark says."""
        uid_set = ",".join(str(uid) for uid in uids)
        if not uid_set:
            return
        with _imap_errors("marking handled mail"):
            if self._settings.imap_mark == "move":
                if self._done_folder is None:
                    self.prepare_done_folder()
                self._move(uid_set)
            else:
                # STORE directly: imap-tools' flag() also runs EXPUNGE, which would purge mail a person deleted.
                status, data = self._box.client.uid("STORE", uid_set, "+FLAGS.SILENT", rf"(\Seen {HANDLED_KEYWORD})")
                if status != "OK":
                    raise MailboxRefused(f"server refused to flag handled mail: {data!r}")


    def _move(self, uid_set: str) -> None:
        try:
            self._box.move(uid_set, self._done_folder)
        except UnexpectedCommandStatusError as exc:
            # A concurrent poller moved some of them first; our session has not yet seen those expunges, so the
            # server refuses the whole set. Learn of them (NOOP) and move what is still here.
            if "EXPUNGEISSUED" not in str(exc):
                raise
            self._box.client.noop()
            present = self._box.uids(AND(uid=uid_set))
            if present:
                self._box.move(present, self._done_folder)


def _connect(settings: Settings, host: str) -> BaseMailBox:
    """TLS from the first byte on port 993, STARTTLS on any other port; plaintext only if imap_tls is false."""
    port, timeout = settings.imap_port, settings.imap_timeout_seconds
    if not settings.imap_tls:
        return MailBoxUnencrypted(host, port, timeout=timeout)
    # imaplib's own default context checks neither the certificate nor the host name.
    verified = ssl.create_default_context()
    if port == IMPLICIT_TLS_PORT:
        return MailBox(host, port, timeout=timeout, ssl_context=verified)
    return MailBoxStartTls(host, port, timeout=timeout, ssl_context=verified)


@contextmanager
def open_mailbox(settings: Settings) -> Iterator[ImapMailbox]:
    """Log in (TLS unless settings.imap_tls is false) and select the intake folder."""
    if not settings.imap_host or not settings.imap_user:
        raise MailboxRefused("IMAP is not configured: set INTAKE_IMAP_HOST, INTAKE_IMAP_USER and INTAKE_IMAP_PASSWORD")
    where = f"{settings.imap_host}:{settings.imap_port}"
    with _imap_errors(f"connecting to {where}"):
        box = _connect(settings, settings.imap_host)
    try:
        with _imap_errors(f"logging in to {where}"):
            box.login(settings.imap_user, settings.imap_password or "", initial_folder=None)
            # imaplib keeps the pre-login capabilities; MOVE is usually only announced after login.
            box.client._get_capabilities()
        mailbox = ImapMailbox(box, settings)
        mailbox.select()
        yield mailbox
    finally:
        # The connection may already be dead (that is often why we are leaving): nothing to report then.
        with suppress(Exception):
            box.logout()
