"""Send one mail by SMTP (smtplib), and say whether a failure is worth retrying.

TLS follows settings: port 465 is TLS from the first byte, any other port upgrades with STARTTLS;
`smtp_tls = false` is for loopback test servers only.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from schemas.settings import Settings

IMPLICIT_TLS_PORT = 465


class SmtpFailure(Exception):
    """The server did not take the mail. `transient` (4xx, connection trouble) means a retry may work."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: bool
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpServer | None:
        """The configured server, or None when INTAKE_SMTP_HOST is unset (quotes then stay in the outbox)."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
        )

    def connect(self) -> smtplib.SMTP:
        if self.tls and self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls:
            client.starttls(context=ssl.create_default_context())
        return client


def send_message(server: SmtpServer, message: EmailMessage) -> None:
    """Hand `message` to the server; raises SmtpFailure saying whether trying again could help."""
    try:
        with server.connect() as client:
            if server.user:
                client.login(server.user, server.password or "")
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        transient = all(400 <= code < 500 for code, _text in exc.recipients.values())
        raise SmtpFailure(f"recipient refused: {_describe(exc.recipients)}", transient=transient) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise SmtpFailure(f"login refused by {server.host}: {exc.smtp_code}", transient=False) from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SmtpFailure(f"server answered {exc.smtp_code} {text}", transient=400 <= exc.smtp_code < 500) from exc
    except (smtplib.SMTPException, OSError) as exc:
        where = f"{server.host}:{server.port}"
        raise SmtpFailure(f"cannot deliver to {where}: {type(exc).__name__}: {exc}", transient=True) from exc
    if refused:
        # With a single recipient a refusal raises above; this covers partial refusals of several.
        raise SmtpFailure(f"recipient refused: {_describe(refused)}", transient=False)


def _describe(refusals: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in refusals.values())
