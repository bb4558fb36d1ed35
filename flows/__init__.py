"""Prefect flows and the `intake` CLI. Importing this package configures Prefect for offline use.

Prefect reads its settings when it is first imported, so the defaults below are set before any
`import prefect` in this package: a Prefect home under intake's own data folder (never the user's
~/.prefect), the ephemeral local API, no analytics (with them on, the heartbeat floods SQLite with
"database is locked"), and a startup timeout long enough for a fresh database (the 20 s default failed).
"""

from __future__ import annotations

import os

from schemas.settings import Settings


def _configure_prefect_environment() -> None:
    home = Settings().home
    (home / "prefect").mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
        # The local server records task runs from their events. One write transaction per event (the default
        # batch of 1) collides with the next document's subflow being created: SQLite answers "database is
        # locked", the API 503, and the client waits 2 s before retrying (measured: 8 of 10 subflows).
        # Written in batches, every document's task runs are still recorded, without the collisions.
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
        # The CLI prints its own summary; Prefect's per-task INFO lines stay in the Prefect API and log files.
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL": "WARNING",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL": "WARNING",
        # Tesseract's own threads fight our process pool for the two cores: 4x slower without this.
        "OMP_THREAD_LIMIT": "1",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


_configure_prefect_environment()
