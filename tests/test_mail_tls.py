"""IMAP over TLS against a real Dovecot with a self-signed certificate: verified by default, never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_mail import Dovecot, all_documents, append_mail, mail_runtime, make_mail

from flows.imap import MailboxRefused
from flows.mailbox import collect_new_mail

pytest_plugins = ["fixtures_mail"]
pytestmark = pytest.mark.mail


@pytest.fixture
def tls_user(dovecot_tls: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    # The test server's implicit-TLS port is a free port, not 993: intake must treat it as 993.
    monkeypatch.setattr("flows.imap.IMPLICIT_TLS_PORT", dovecot_tls.imaps_port)
    user = dovecot_tls.add_user()
    append_mail(dovecot_tls, user, make_mail("견적 요청", "볼트 M8 100개"))
    return user


@pytest.mark.parametrize("port_kind", ["implicit", "starttls"])
def test_an_untrusted_certificate_is_refused_before_logging_in(
    dovecot_tls: Dovecot, tls_user: str, intake_home: Path, port_kind: str
) -> None:
    port = dovecot_tls.imaps_port if port_kind == "implicit" else dovecot_tls.port
    with mail_runtime(dovecot_tls, tls_user, imap_tls=True, imap_port=port) as rt, pytest.raises(
        MailboxRefused, match="certificate is not trusted"
    ):
        collect_new_mail(rt)


@pytest.mark.parametrize("port_kind", ["implicit", "starttls"])
def test_a_trusted_certificate_lets_the_poll_through(
    dovecot_tls: Dovecot, tls_user: str, intake_home: Path, port_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What an operator does for a private CA: OpenSSL's standard variable, read by the default context.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.certificate))
    port = dovecot_tls.imaps_port if port_kind == "implicit" else dovecot_tls.port
    with mail_runtime(dovecot_tls, tls_user, imap_tls=True, imap_port=port) as rt:
        report = collect_new_mail(rt)
        docs = all_documents(rt)
    assert report.error is None and len(report.recorded) == 1 and len(docs) == 1
