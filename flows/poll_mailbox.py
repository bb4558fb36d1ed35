"""`poll_mailbox`: take new mail from IMAP, process what came in, deliver approved quotes.

`intake serve` runs it on settings.poll_cron with a concurrency limit of one (a poll due while one runs
is cancelled); `intake poll` runs it once. A fault ends the poll cleanly with the reason in its report:
transient ones (server down, connection dropped) are first retried with exponential backoff.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task, exponential_backoff

from flows.deliver_quotes import deliver_quotes
from flows.imap import MailboxRefused, MailboxUnavailable, mailbox_key
from flows.mailbox import MailPollReport, collect_new_mail
from flows.polling import exclusive_poll, flow_runtime, run_logger, unfinished_documents
from flows.process_document import process_document
from flows.runtime import current_runtime
from schemas.envelope import Channel
from schemas.masking import mask_text


def _only_transient(_task: Task[..., MailPollReport], _run: TaskRun, state: State[MailPollReport]) -> bool:
    """Retry a dropped connection or a server that is down; a refused login stays refused."""
    return isinstance(state.result(raise_on_failure=False), MailboxUnavailable)


@task(cache_policy=NO_CACHE, retry_condition_fn=_only_transient)
def fetch_new_mail() -> MailPollReport:
    return collect_new_mail(current_runtime())


@flow(name="poll_mailbox", log_prints=False, validate_parameters=False)
def poll_mailbox() -> MailPollReport:
    """One poll: reconcile, record and move new mail, process it, then deliver approved quotes."""
    with flow_runtime() as rt, exclusive_poll(rt.settings, "mailbox") as ours:
        logger = run_logger()
        if not ours:
            logger.warning("another poll of the mailbox is running; this one leaves it alone")
            return MailPollReport(mailbox=mailbox_key(rt.settings), busy=True)
        settings = rt.settings
        fetch = fetch_new_mail.with_options(
            retries=settings.poll_retries,
            retry_delay_seconds=exponential_backoff(settings.poll_retry_delay_seconds)(settings.poll_retries),
        )
        try:
            report = fetch()
        except (MailboxUnavailable, MailboxRefused) as exc:
            logger.error("mailbox poll ended early: %s", mask_text(str(exc)))
            report = MailPollReport(mailbox=mailbox_key(settings), error=str(exc))
        # Also what an interrupted poll recorded but never processed: recorded mail is never lost.
        for document_id in unfinished_documents(rt, Channel.IMAP):
            process_document(document_id)
            report.processed.append(document_id)
        deliver_quotes()
        logger.info(
            "mailbox poll: %d new, %d already known, %d skipped, %d moved after an interruption",
            len(report.recorded), len(report.duplicates), len(report.skipped), report.reconciled,
        )
        return report
