"""The local model's OpenAI-compatible server (xllamacpp) on loopback: reuse one that runs, else start one.

xllamacpp has no server executable: `xllamacpp.Server(params)` serves HTTP from a thread of the calling
process. We run it in a child process (`python -m extractors.local_server`) so several pipeline processes can
share one model and so stopping it is just ending that process.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from extractors.local_model import QWEN_CODER_1_5B, ModelArtifact, install_model
from schemas.settings import Settings

HOST = "127.0.0.1"
SERVER_THREADS = 2
STARTUP_TIMEOUT_SECONDS = 120.0
PROBE_TIMEOUT_SECONDS = 2.0


class LocalServerError(RuntimeError):
    """The local model server could not be reused or started."""


class PortState(StrEnum):
    OURS = "ours"  # an OpenAI-compatible server answering with our model
    LOADING = "loading"  # a llama.cpp server still loading its model
    OTHER = "other"  # something else listens there
    FREE = "free"


def _get_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_SECONDS) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except ValueError:
        return 200, None


def probe_port(port: int, model: str) -> PortState:
    """What listens on 127.0.0.1:port: our model's server, a server still loading, something else, or nothing."""
    base = f"http://{HOST}:{port}"
    try:
        status, body = _get_json(f"{base}/v1/models")
        if status == 503:
            return PortState.LOADING
        if status != 200 or not isinstance(body, dict):
            return PortState.OTHER
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        return PortState.FREE if isinstance(reason, ConnectionRefusedError) else PortState.OTHER
    served = {entry.get("id") for entry in body.get("data", []) if isinstance(entry, dict)}
    return PortState.OURS if model in served else PortState.OTHER


@dataclass
class LocalServer:
    """A running local model server. `process` is set only when this process started it (and so stops it)."""

    port: int
    model: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _stopped: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def peak_rss_bytes(self) -> int | None:
        """The server process's peak resident memory (VmHWM), when we started it and it still runs."""
        if self.process is None or self.process.poll() is not None:
            return None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def stop(self, timeout: float = 15.0) -> None:
        """End the server if we started it; a reused server belongs to someone else and keeps running."""
        if self.process is None or self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_until_ready(server: LocalServer, timeout: float) -> None:
    assert server.process is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LocalServerError(
                f"the local model server exited with code {server.process.returncode} while starting "
                f"(log {server.log_path}):\n{_log_tail(server.log_path) if server.log_path else ''}"
            )
        if probe_port(server.port, server.model) is PortState.OURS:
            return
        time.sleep(0.25)
    server.stop()
    raise LocalServerError(
        f"the local model server did not become ready within {timeout:.0f} s (log {server.log_path})"
    )


def _port_in_use_error(port: int) -> LocalServerError:
    return LocalServerError(
        f"port {HOST}:{port} is in use by something that is not the local model server; "
        "stop it or choose another port with INTAKE_LLM_PORT"
    )


def ensure_local_server(
    settings: Settings, artifact: ModelArtifact = QWEN_CODER_1_5B, startup_timeout: float = STARTUP_TIMEOUT_SECONDS
) -> LocalServer:
    """Reuse the server already serving our model on settings.llm_port, else start one and wait until it answers.

    A server we start is stopped by `LocalServer.stop()` (or leaving its `with` block), at the latest when this
    process exits; the child also ends by itself if this process dies without cleaning up.
    """
    port, model = settings.llm_port, artifact.alias
    state = probe_port(port, model)
    if state is PortState.LOADING:
        state = _wait_for_other_loader(port, model, startup_timeout)
    if state is PortState.OURS:
        return LocalServer(port=port, model=model)
    if state is PortState.OTHER:
        raise _port_in_use_error(port)

    path = install_model(settings, artifact)
    log_dir = settings.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"llm-server-{port}.log"
    command = [sys.executable, "-m", "extractors.local_server", "--model", str(path), "--alias", model]
    command += ["--port", str(port), "--context", str(settings.llm_context), "--exit-with-parent", str(os.getpid())]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = LocalServer(port=port, model=model, process=process, log_path=log_path)
    atexit.register(server.stop)
    try:
        _wait_until_ready(server, startup_timeout)
    except LocalServerError:
        # Another process may have won the race for the port meanwhile: then share its server.
        if probe_port(port, model) is PortState.OURS:
            return LocalServer(port=port, model=model)
        if "couldn't bind" in _log_tail(log_path, 20):
            raise _port_in_use_error(port) from None
        raise
    return server


def _wait_for_other_loader(port: int, model: str, timeout: float) -> PortState:
    deadline = time.monotonic() + timeout
    state = PortState.LOADING
    while state is PortState.LOADING and time.monotonic() < deadline:
        time.sleep(0.5)
        state = probe_port(port, model)
    if state is PortState.LOADING:
        raise LocalServerError(f"the server on {HOST}:{port} is still loading its model after {timeout:.0f} s")
    return state


def serve_forever(
    model_file: Path, port: int, context: int, alias: str = QWEN_CODER_1_5B.alias, parent_pid: int | None = None
) -> None:
    """Serve the model on 127.0.0.1:port in this process until SIGTERM, Ctrl-C or (if given) the parent's exit."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_file)
    params.model_alias = {alias}
    params.hostnames = [HOST]
    params.port = port
    params.n_ctx = context
    params.n_parallel = 1  # one slot keeps the shared prompt prefix (system prompt + examples) in its KV cache
    params.cpuparams.n_threads = SERVER_THREADS
    params.cpuparams_batch.n_threads = SERVER_THREADS
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:
        raise LocalServerError(f"xllamacpp could not start on {HOST}:{port}: {exc}") from exc
    try:
        # getppid() changes when the parent dies (we get re-parented): then nobody will stop us, so stop.
        while not stop.wait(1.0):
            if parent_pid is not None and os.getppid() != parent_pid:
                break
    except KeyboardInterrupt:
        pass
    finally:
        del server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the local model (OpenAI-compatible) on 127.0.0.1.")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--alias", default=QWEN_CODER_1_5B.alias)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--context", type=int, default=4096)
    parser.add_argument("--exit-with-parent", type=int, default=None, metavar="PID")
    args = parser.parse_args(argv)
    try:
        serve_forever(args.model, args.port, args.context, args.alias, args.exit_with_parent)
    except LocalServerError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
