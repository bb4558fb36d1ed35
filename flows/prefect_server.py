"""Prefect's temporary API server ends with the run that started it, even when that run is killed with SIGKILL.

Without PREFECT_API_URL, Prefect starts `uvicorn` as a child process on the first API call and stops it when
the Python process exits. A process killed with `kill -9` runs no exit code, and the server ran on, orphaned
(a Python process of ~150 MB holding a port and Prefect's SQLite database). A long run (`intake batch`) starts a
watchdog next to it: a small process, in a session of its own, that stops the server once we are gone.
"""

from __future__ import annotations

import os
import subprocess
import sys

from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL

# Kept free of imports beyond the standard library: it runs for as long as the batch, in a fresh interpreter.
# It checks the server's command line before stopping it, so a process id the system reused is never touched.
_WATCHDOG = """
import os, signal, sys, time
parent, server = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
while alive(parent) and alive(server):
    time.sleep(1)
try:
    with open(f"/proc/{server}/cmdline", "rb") as handle:
        if b"prefect.server" in handle.read():
            os.kill(server, signal.SIGTERM)
except OSError:
    pass
"""

_watched: set[int] = set()


def watch_temporary_server() -> None:
    """Start the watchdog for this process's temporary Prefect server, once (no-op for a configured server)."""
    if PREFECT_API_URL.value():
        return
    process = SubprocessASGIServer().server_process
    if process is None or process.pid in _watched or not sys.platform.startswith("linux"):
        return
    subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(process.pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C or kill of our process group must not end it before the server
    )
    _watched.add(process.pid)
