"""`intake serve`: the polling flows on their schedules (Prefect `serve`), with the review web app beside them.

Each configured source becomes a deployment with a concurrency limit of one that cancels a new run
while one is still going, so a slow poll is never overlapped by the next one. Scheduled runs execute in
their own processes and open their own runtime from the INTAKE_* environment.

Schedules need Prefect's scheduler, which the ephemeral API that `intake run` uses does not have: so
unless PREFECT_API_URL names a Prefect server, `intake serve` runs one on loopback (its dashboard is
then at http://127.0.0.1:<INTAKE_PREFECT_PORT>/) and stops it after the schedules are paused.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from prefect import Flow, serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy, StateType
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Crashed

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
    """The local Prefect server did not come up (port taken, broken database)."""


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
def scheduling_api(settings: Settings) -> Iterator[bool]:
    """Point Prefect at PREFECT_API_URL when set (yield False), else at a server inside this process (True).

    In-process (a uvicorn thread) rather than a child process: however `intake serve` ends, even by
    SIGKILL, no orphaned server is left holding the port and the database.
    """
    if PREFECT_API_URL.value():
        yield False
        return
    import uvicorn
    from prefect.server.api.server import create_app

    port = settings.prefect_port
    _refuse_taken_port(port)
    server = uvicorn.Server(uvicorn.Config(create_app(final=True), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="prefect-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_until_healthy(url, thread)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield True
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _refuse_taken_port(port: int) -> None:
    with socket.socket() as probe:
        # As uvicorn binds: a port left in TIME_WAIT by our own previous run is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise PrefectServerError(
                f"port {port} is taken (another `intake serve`?); set INTAKE_PREFECT_PORT to a free one"
            ) from None


def _wait_until_healthy(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise PrefectServerError("the Prefect server stopped while starting; its error is logged above")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise PrefectServerError(f"the Prefect server did not answer within {SERVER_STARTUP_SECONDS}s")


def _crash_leftover_runs(deployments: list[RunnerDeployment]) -> None:
    """Runs our previous `intake serve` left pending or running when it stopped: their processes are gone.

    Each still holds its deployment's only concurrency slot, so until it ends every new run would be
    cancelled. Only done against our own server: on a shared one another worker may be running them.
    """
    names = [deployment.name for deployment in deployments]
    unfinished = FlowRunFilterStateType(any_=[StateType.PENDING, StateType.RUNNING, StateType.CANCELLING])
    with get_client(sync_client=True) as client:
        leftovers = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=unfinished)),
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=names)),
        )
        for run in leftovers:
            client.set_flow_run_state(run.id, Crashed(message="intake serve stopped while this run was in flight"),
                                      force=True)
    if leftovers:
        logger.warning("ended %d run(s) the previous intake serve left unfinished", len(leftovers))


def serve_forever(settings: Settings, every: timedelta | None = None, with_review: bool = True) -> None:
    """Run until interrupted (Ctrl-C, SIGTERM); Prefect pauses the schedules on the way out."""
    with scheduling_api(settings) as own_server:
        deployments = polling_deployments(settings, every, with_form=with_review)
        if own_server:
            _crash_leftover_runs(deployments)
        if with_review:
            _start_review_app(settings)
        serve(*deployments, print_starting_message=False)
