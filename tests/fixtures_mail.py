"""Real mail servers on loopback for the mail tests: Dovecot (IMAP) and aiosmtpd (SMTP), plus test mail.

Dovecot runs in a temp dir on a free port, plaintext on loopback only, maildir storage. Each test gets
its own IMAP user (and so an empty mailbox) from a pool written before the server starts: Dovecot
notices a changed passwd-file only now and then, so users added later fail to log in at random.
Test modules load this as a plugin (`pytest_plugins = ["fixtures_mail"]`); PYTEST_DONT_REWRITE because
they import its helpers before pytest registers it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from imap_tools import BaseMailBox, MailBoxStartTls, MailBoxUnencrypted
from sqlalchemy import select

from flows.runtime import Runtime, open_runtime
from schemas.settings import Settings
from store import documents
from store.db import session_scope
from store.models import DocumentRow, MailMessageRow

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:{root}/mail/%n/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users
}}
userdb {{
  driver = static
  args = home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
PASSWORD = "secret"
USER_POOL = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, up: bool, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                listening = True
        except OSError:
            listening = False
        if listening == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not {'open' if up else 'close'} within {timeout}s")


@dataclass
class Dovecot:
    """A Dovecot instance in a temp dir; `stop()` and `start()` simulate a server restart.

    With TLS, `port` offers STARTTLS and `imaps_port` TLS from the first byte, both with a self-signed
    certificate for 127.0.0.1 (`certificate`), which no client trusts unless told to.
    """

    root: Path
    port: int
    imaps_port: int = 0
    certificate: Path | None = None
    _next_user: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        # The daemon inherits stdout/stderr: pipes would never reach EOF, so its output goes to a file.
        with (self.root / "dovecot-start.log").open("ab") as log:
            subprocess.run(["dovecot", "-c", str(self.conf)], check=True, stdout=log, stderr=log)
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        """Stop like a crash or a reboot would: sessions in progress are cut off too.

        Dovecot's master leaves running imap processes alive when it stops, so ours are ended by pid.
        """
        children = self._children()
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for pid in children:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_for_port(self.port, up=False)

    def _children(self) -> list[int]:
        try:
            master = int((self.root / "run" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        listing = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True)
        return [int(pid) for pid in listing.stdout.split()]

    def add_user(self) -> str:
        number = next(self._next_user)
        if number > USER_POOL:
            raise RuntimeError(f"more than {USER_POOL} mail tests in one session: raise USER_POOL")
        return f"intake{number}"

    def settings(self, user: str, **overrides: object) -> dict[str, object]:
        """The INTAKE_IMAP_* settings for `user` (merge into a Settings model_copy)."""
        values: dict[str, object] = {
            "imap_host": "127.0.0.1",
            "imap_port": self.port,
            "imap_user": user,
            "imap_password": PASSWORD,
            "imap_tls": False,
            "imap_timeout_seconds": 10.0,
            "poll_retries": 0,
            "poll_retry_delay_seconds": 0.1,
        }
        values.update(overrides)
        return values

    def client(self, user: str) -> BaseMailBox:
        if self.certificate is None:
            box: BaseMailBox = MailBoxUnencrypted("127.0.0.1", self.port, timeout=10)
        else:
            trusted = ssl.create_default_context(cafile=str(self.certificate))
            box = MailBoxStartTls("127.0.0.1", self.port, timeout=10, ssl_context=trusted)
        return box.login(user, PASSWORD, initial_folder=None)


def _self_signed_certificate(root: Path) -> tuple[Path, Path]:
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@contextmanager
def _running_dovecot(tls: bool) -> Iterator[Dovecot]:
    if shutil.which("dovecot") is None:
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (make test does this)")
    root = Path(tempfile.mkdtemp(prefix="intake-dovecot-"))
    server = Dovecot(root, free_port(), imaps_port=free_port() if tls else 0)
    ssl_settings = "ssl = no"
    if tls:
        server.certificate, key = _self_signed_certificate(root)
        ssl_settings = f"ssl = required\nssl_cert = <{server.certificate}\nssl_key = <{key}"
    conf = DOVECOT_CONF.format(root=root, port=server.port, imaps_port=server.imaps_port, ssl_settings=ssl_settings)
    (root / "dovecot.conf").write_text(conf)
    (root / "users").write_text("".join(f"intake{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, USER_POOL + 1)))
    # Dovecot drops to the `mail` user for mailbox access; the temp dir is ours (root).
    shutil.chown(root, "mail", "mail")
    root.chmod(0o755)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """Plaintext IMAP on loopback (the recipe's test set-up)."""
    with _running_dovecot(tls=False) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot_tls() -> Iterator[Dovecot]:
    """IMAP that demands TLS: STARTTLS on `port`, implicit TLS on `imaps_port`."""
    with _running_dovecot(tls=True) as server:
        yield server


@pytest.fixture
def imap_user(dovecot: Dovecot) -> str:
    """A fresh IMAP account (empty INBOX) for one test; restarts Dovecot if an earlier test left it stopped."""
    try:
        wait_for_port(dovecot.port, up=True, timeout=0.2)
    except TimeoutError:
        dovecot.start()
    return dovecot.add_user()


def imap_settings(base: Settings, dovecot: Dovecot, user: str, **overrides: object) -> Settings:
    return base.model_copy(update=dovecot.settings(user, **overrides))


def make_mail(
    subject: str,
    body: str,
    sender: str = "buyer@customer.example",
    attachments: list[tuple[str, str, bytes]] | None = None,
    message_id: str | None = "auto",
) -> bytes:
    """A mail as a customer's client would send it; attachments are (filename, mime type, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "orders@seller.example"
    message["Subject"] = subject
    message["Date"] = "Tue, 24 Nov 2026 09:30:00 +0900"
    if message_id == "auto":
        message["Message-ID"] = make_msgid(domain="customer.example")
    elif message_id is not None:
        message["Message-ID"] = message_id
    message.set_content(body)
    for filename, mime_type, data in attachments or []:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def append_mail(dovecot: Dovecot, user: str, raw: bytes, folder: str = "INBOX") -> None:
    with dovecot.client(user) as box:
        box.append(raw, folder)


def folder_uids(dovecot: Dovecot, user: str, folder: str) -> list[str]:
    with dovecot.client(user) as box:
        box.folder.set(folder)
        return box.uids("ALL")


@contextmanager
def mail_runtime(dovecot: Dovecot, user: str, **overrides: object) -> Iterator[Runtime]:
    """An intake runtime (database under the test's INTAKE_HOME) pointed at `user`'s mailbox."""
    with open_runtime(imap_settings(Settings(), dovecot, user, **overrides)) as runtime:
        yield runtime


def mail_rows(runtime: Runtime) -> list[MailMessageRow]:
    with session_scope(runtime.engine) as session:
        return list(session.scalars(select(MailMessageRow).order_by(MailMessageRow.id)))


def all_documents(runtime: Runtime) -> list[DocumentRow]:
    with session_scope(runtime.engine) as session:
        return list(documents.list_documents(session))


class SmtpCollector:
    """An aiosmtpd handler that keeps what it accepts; `replies` answer the first DATA commands instead."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.attempts = 0

    async def handle_DATA(self, _server: object, _session: object, envelope: Envelope) -> str:
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        raw = envelope.original_content or b""
        self.raw.append(raw)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServerUnderTest:
    port: int
    collector: SmtpCollector = field(default_factory=SmtpCollector)
    controller: Controller | None = None

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def start(self) -> None:
        """Listen again on the same port (a stopped Controller cannot be restarted: its loop is closed)."""
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def settings(self, **overrides: object) -> dict[str, object]:
        values: dict[str, object] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_tls": False,
            "smtp_from": "sales@seller.example",
            "smtp_timeout_seconds": 10.0,
            "smtp_retries": 2,
            "smtp_retry_delay_seconds": 0.1,
        }
        values.update(overrides)
        return values


@pytest.fixture
def smtp_server() -> Iterator[SmtpServerUnderTest]:
    server = SmtpServerUnderTest(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
