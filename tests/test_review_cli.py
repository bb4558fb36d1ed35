"""`intake user ...` and `intake review`: users land in the store with argon2 hashes; the app really serves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from fixtures_review import free_port
from typer.testing import CliRunner

from flows.cli_review import register
from review.security import verify_password
from schemas.settings import Settings
from store import audit, users
from store.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parent.parent
# The same Typer wiring flows/cli.py uses, as a program of its own for the subprocess test.
PROGRAM = "import typer; from flows.cli_review import register; app = typer.Typer(); register(app); app()"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_user_add_keeps_only_an_argon2_hash_and_audits(cli: typer.Typer, intake_home: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "kim", "--role", "approver", "--password-stdin"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    engine = make_engine(Settings().resolved_database_url)
    with session_scope(engine) as session:
        kim = users.get_user(session, "kim")
        assert kim.role.value == "approver" and kim.active
        assert kim.password_hash.startswith("$argon2id$") and "s3cret-pass" not in kim.password_hash
        assert verify_password(kim.password_hash, "s3cret-pass")
        added = [e for e in audit.list_events(session) if e.action == "user.added"]
    assert added[-1].data == {"user": "kim", "role": "approver"}

    again = runner.invoke(cli, ["user", "add", "kim", "--role", "reviewer", "--password-stdin"], input="other-pass\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(cli, ["user", "add", "lee", "--role", "reviewer", "--password-stdin"], input="short\n")
    assert short.exit_code == 2
    wrong_role = runner.invoke(cli, ["user", "add", "lee", "--role", "boss", "--password-stdin"], input="long-enough\n")
    assert wrong_role.exit_code == 2

    changed = runner.invoke(cli, ["user", "passwd", "kim", "--password-stdin"], input="new-password\n")
    assert changed.exit_code == 0
    with session_scope(engine) as session:
        assert verify_password(users.get_user(session, "kim").password_hash, "new-password")
    listing = runner.invoke(cli, ["user", "list"])
    assert "kim" in listing.output and "approver" in listing.output
    engine.dispose()


def test_intake_review_serves_the_app_on_the_given_port(intake_home: Path) -> None:
    env = {**os.environ, "INTAKE_HOME": str(intake_home), "INTAKE_LLM": "off"}
    add = subprocess.run(
        [sys.executable, "-c", PROGRAM, "user", "add", "mina", "--role", "reviewer", "--password-stdin"],
        input="correct-horse-42\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert add.returncode == 0, add.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, "review", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                login_page = httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "intake review did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=base, follow_redirects=False, cookies=login_page.cookies) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
            response = client.post("/login", data={"name": "mina", "password": "correct-horse-42", "csrf_token": token})
            assert response.status_code == 303
            queue = client.get("/")
            assert queue.status_code == 200 and "검토 대기열" in queue.text
        assert (intake_home / "review_secret.key").is_file()  # the session key was generated, privately
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
