"""`intake poll` (one poll of every configured source, then exit) and `intake serve` (poll on a schedule)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from prefect.settings import PREFECT_API_URL
from rich.console import Console

from flows.drop_folder import DropPollReport, poll_drop_folder
from flows.mailbox import MailPollReport
from flows.poll_mailbox import poll_mailbox
from flows.runtime import open_runtime
from flows.web_form import FormPollReport, process_form_submissions
from schemas.company import ConfigError
from schemas.masking import mask_text
from schemas.settings import Settings

NOTHING_CONFIGURED = (
    "nothing to poll: set INTAKE_IMAP_HOST (with _USER, _PASSWORD) for a mailbox and/or INTAKE_DROP_DIR for a folder"
)


def _settings(config: Path | None) -> Settings:
    if config is not None:
        # Scheduled runs start in their own processes and read the environment, not our arguments.
        os.environ["INTAKE_CONFIG_DIR"] = str(config)
    return Settings()


def register(app: typer.Typer) -> None:
    console, err_console = Console(), Console(stderr=True)

    @app.command("poll")
    def poll(
        config: Annotated[Path | None, typer.Option("--config", help="company folder")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
    ) -> None:
        """Poll the mailbox and the drop folder once, process what came in (web-form requests too),
        deliver approved quotes, exit.

        Exit code 1 when a source could not be polled (the reason is printed); nothing is lost then,
        the next poll picks up where this one stopped.
        """
        settings = _settings(config)
        if not settings.imap_host and settings.drop_dir is None:
            err_console.print(NOTHING_CONFIGURED)
            raise typer.Exit(2)
        reports: dict[str, MailPollReport | DropPollReport | FormPollReport] = {}
        try:
            with open_runtime(settings):
                if settings.imap_host:
                    reports["mailbox"] = poll_mailbox()
                if settings.drop_dir is not None:
                    reports["drop_folder"] = poll_drop_folder()
                reports["web_form"] = process_form_submissions()
        except ConfigError as exc:
            err_console.print(f"[red]company configuration error:[/red] {exc}")
            raise typer.Exit(2) from None
        errors = [
            f"{source}: {mask_text(r.error)}"
            for source, r in reports.items()
            if isinstance(r, MailPollReport | DropPollReport) and r.error
        ]
        drop = reports.get("drop_folder")
        if isinstance(drop, DropPollReport):
            errors += [f"drop_folder: cannot read {problem}" for problem in drop.unreadable]
        if as_json:
            print(json.dumps({k: r.model_dump(mode="json") for k, r in reports.items()}, ensure_ascii=False, indent=2))
        else:
            _print_poll(console, reports)
        for error in errors:
            err_console.print(f"[red]{error}[/red]")
        raise typer.Exit(1 if errors else 0)

    @app.command("serve")
    def serve_command(
        config: Annotated[Path | None, typer.Option("--config", help="company folder")] = None,
        every: Annotated[
            int | None, typer.Option("--every", help="poll every N seconds instead of INTAKE_POLL_CRON", min=5)
        ] = None,
        review: Annotated[bool, typer.Option("--review/--no-review", help="also run the review web app")] = True,
    ) -> None:
        """Poll the mailbox and drop folder on a schedule (INTAKE_POLL_CRON, Asia/Seoul) until stopped.

        A poll due while the previous one still runs is cancelled, not queued. The review web app runs
        beside it (on INTAKE_REVIEW_HOST:INTAKE_REVIEW_PORT) unless --no-review.
        """
        from flows.serve import PrefectServerError, serve_forever

        settings = _settings(config)
        if not settings.imap_host and settings.drop_dir is None:
            err_console.print(f"[yellow]{NOTHING_CONFIGURED}; only delivering approved quotes[/yellow]")
        schedule = f"every {every} s" if every else f"cron '{settings.poll_cron}' ({settings.timezone})"
        console.print(f"intake serve: polling {schedule}; stop with Ctrl-C")
        if review:
            console.print(f"review app on http://{settings.review_host}:{settings.review_port}/")
        if not PREFECT_API_URL.value():
            console.print(f"Prefect dashboard (runs, logs, schedules) on http://127.0.0.1:{settings.prefect_port}/")
        try:
            serve_forever(settings, timedelta(seconds=every) if every else None, with_review=review)
        except PrefectServerError as exc:
            err_console.print(f"[red]{exc}[/red] (or point PREFECT_API_URL at a running Prefect server)")
            raise typer.Exit(1) from None


def _print_poll(console: Console, reports: dict[str, MailPollReport | DropPollReport | FormPollReport]) -> None:
    for report in reports.values():
        if isinstance(report, MailPollReport):
            state = "busy (another poll is running)" if report.busy else (
                f"{len(report.recorded)} new, {len(report.duplicates)} already known, "
                f"{len(report.skipped)} skipped, {report.reconciled} moved after an interruption"
            )
            console.print(f"mailbox {mask_text(report.mailbox)}: {state}; {len(report.processed)} processed")
            for skipped in report.skipped:
                console.print(f"  [yellow]skipped[/yellow] uid {skipped}")
        elif isinstance(report, DropPollReport):
            state = "busy (another poll is running)" if report.busy else (
                f"{len(report.taken)} taken, {len(report.waiting)} still changing"
            )
            console.print(f"drop folder {report.drop_dir}: {state}; {len(report.processed)} processed")
            for problem in report.unreadable:
                console.print(f"  [red]cannot read[/red] {problem}")
        elif report.processed:
            console.print(f"web form: {len(report.processed)} request(s) processed")
