"""Test session set-up: a throwaway data home, offline Prefect, and one Prefect test server.

The data home is set before any test module imports `flows`, because `flows` points Prefect's home
at it on import. The LLM is off unless a test turns it on (tests marked `llm` use the real local model).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="intake-test-"))
os.environ["INTAKE_HOME"] = str(_SESSION_HOME)
os.environ.setdefault("INTAKE_LLM", "off")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
for _inherited in ("INTAKE_DATABASE_URL", "INTAKE_CONFIG_DIR", "INTAKE_OUT_DIR", "PREFECT_API_URL"):
    os.environ.pop(_inherited, None)

import flows  # noqa: E402, F401 - points Prefect at the test home before any test imports prefect

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_DATA = Path(os.environ.get("INTAKE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect API for the whole session (first start on a fresh database: 13–26 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def intake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home (database, blobs, quotes) for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("INTAKE_HOME", str(home))
    return home
