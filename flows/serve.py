"""`intake serve`: the polling flows on their schedules (Prefect `serve`), with the review web app beside them.

Each configured source becomes a deployment with a concurrency limit of one that cancels a new run
while one is still going, so a slow poll is never overlapped by the next one. Scheduled runs execute in
their own processes and open their own runtime from the INTAKE_* environment.

Schedules need Prefect's scheduler, which the ephemeral API that `intake run` uses does not have: so
unless PREFECT_API_URL names a Prefect server, `intake serve` starts one on loopback (its dashboard is
then at http://127.0.0.1:<INTAKE_PREFECT_PORT>/) and stops it after the schedules are paused.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.deliver_quotes import deliver_quotes
from flows.drop_folder import poll_drop_folder
from flows.poll_mailbox import poll_mailbox
from flows.web_form import process_form_submissions, record_form_submission
from review.form import mount_request_form
from schemas.settings import Settings

logger = logging.getLogger("intake.serve")

ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
SERVER_STARTUP_SECONDS = 120


class PrefectServerError(RuntimeError):
    """The local Prefect server did not come up (port taken, broken database); its log says why."""


def _poll_schedule(settings: Settings, every: timedelta | None) -> Schedule:
    """settings.poll_cron in the company's time zone (Asia/Seoul by default), or a fixed interval."""
    if every is not None:
        return Interval(every, timezone=settings.timezone)
    return Cron(settings.poll_cron, timezone=settings.timezone)


def _one_at_a_time(polling_flow: Flow[[], object], name: str, schedule: Schedule) -> RunnerDeployment:
    # By module path, not file path: runs start in new processes whatever the current directory is.
    return polling_flow.to_deployment(
        name, schedules=[schedule], concurrency_limit=ONE_AT_A_TIME, entrypoint_type=EntrypointType.MODULE_PATH
    )


def polling_deployments(
    settings: Settings, every: timedelta | None = None, with_form: bool = False
) -> list[RunnerDeployment]:
    """One deployment per configured source, plus quote delivery (quotes approved in the review app)."""
    schedule = _poll_schedule(settings, every)
    local = Interval(every or timedelta(seconds=settings.local_poll_seconds))
    found = []
    if settings.imap_host:
        found.append(_one_at_a_time(poll_mailbox, "intake-mailbox", schedule))
    if settings.drop_dir is not None:
        found.append(_one_at_a_time(poll_drop_folder, "intake-drop-folder", local))
    if with_form:
        found.append(_one_at_a_time(process_form_submissions, "intake-web-form", local))
    found.append(_one_at_a_time(deliver_quotes, "intake-deliveries", schedule))
    return found


def _start_review_app(settings: Settings) -> threading.Thread:
    """The review app with the public request form (/request) on review_host:review_port, in a background thread."""
    import uvicorn

    from flows.cli_review import create_review_app

    app = create_review_app(settings)
    mount_request_form(app, record_form_submission)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.review_host, port=settings.review_port, proxy_headers=True,
                       log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="review-app", daemon=True)
    thread.start()
    return thread


@contextmanager
def scheduling_api(settings: Settings) -> Iterator[str]:
    """The Prefect API to serve against: PREFECT_API_URL when set, else a local `prefect server` we run."""
    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    url = f"http://127.0.0.1:{settings.prefect_port}/api"
    log_path = settings.home / "logs" / "prefect-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
               "--port", str(settings.prefect_port)]
    with log_path.open("ab") as log:
        # A session of its own: Ctrl-C must reach `serve` (which pauses the schedules through this server)
        # and not stop the server first.
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_healthy(url, server, log_path)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PrefectServerError(f"the Prefect server exited with code {server.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise PrefectServerError(f"the Prefect server did not answer within {SERVER_STARTUP_SECONDS}s; see {log_path}")


def serve_forever(settings: Settings, every: timedelta | None = None, with_review: bool = True) -> None:
    """Run until interrupted (Ctrl-C, SIGTERM); Prefect pauses the schedules on the way out."""
    with scheduling_api(settings) as api_url:
        logger.info("scheduling through the Prefect API at %s", api_url)
        deployments = polling_deployments(settings, every, with_form=with_review)
        if with_review:
            _start_review_app(settings)
        serve(*deployments, print_starting_message=False)
