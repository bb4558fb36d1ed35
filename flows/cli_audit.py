"""`intake audit verify`: recompute the hash chain and name the first broken event."""

from __future__ import annotations

import typer
from rich.console import Console

from schemas.settings import Settings
from store.audit import verify_chain
from store.db import make_engine, migrate, session_scope


def register(app: typer.Typer) -> None:
    audit = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

    @audit.command("verify")
    def verify() -> None:
        """Check every event's hash and its link to the previous one."""
        settings = Settings()
        migrate(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        with session_scope(engine) as session:
            report = verify_chain(session)
        console = Console()
        if report.ok:
            console.print(f"[green]audit chain intact[/green]: {report.events} events")
            return
        console.print(f"[red]audit chain broken[/red] at event {report.first_broken_seq}: {report.message}")
        raise typer.Exit(1)

    app.add_typer(audit, name="audit")
