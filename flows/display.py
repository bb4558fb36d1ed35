"""Human output of a run: one row per document and where to look next."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.results import DocumentResult, failure_reason

_STATUS_STYLE = {
    "quoted": "green",
    "review": "yellow",
    "not_request": "cyan",
    "recorded": "green",
    "rejected": "magenta",
    "failed": "red",
}
_STATUS_TEXT = {
    "quoted": "quoted",
    "review": "sent to review",
    "not_request": "not a request",
    "recorded": "invoice recorded",
    "rejected": "rejected",
    "failed": "failed",
}


def _items_text(result: DocumentResult, limit: int = 3) -> str:
    parts = [f"{i.sku or '?'}×{i.quantity}" for i in result.items[:limit]]
    if len(result.items) > limit:
        parts.append(f"+{len(result.items) - limit} more")
    return ", ".join(parts) or "-"


def _outcome(result: DocumentResult) -> str:
    if result.status == "quoted":
        return f"{result.quote_number}  {result.total:,} KRW" if result.total is not None else str(result.quote_number)
    if result.status == "failed":
        return failure_reason(result.error, result.file)
    if result.status == "review":
        first = result.reasons[0] if result.reasons else "needs a person"
        more = f" (+{len(result.reasons) - 1})" if len(result.reasons) > 1 else ""
        return _shorten(first, 70) + more
    return ""


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_results(console: Console, results: list[DocumentResult], out_dir: Path) -> None:
    table = Table(show_lines=False, header_style="bold")
    for col in ("document", "kind", "customer", "items", "status"):
        table.add_column(col, no_wrap=True)
    table.add_column("total / reason", overflow="fold")
    for r in results:
        style = _STATUS_STYLE.get(r.status, "")
        status = _STATUS_TEXT.get(r.status, r.status) + (" (again)" if r.already_processed else "")
        table.add_row(_shorten(Path(r.file).name, 28), r.kind or "-", r.customer_id or "-", _items_text(r),
                      f"[{style}]{status}[/{style}]", _outcome(r))
    console.print(table)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    console.print(", ".join(f"{n} {_STATUS_TEXT.get(s, s)}" for s, n in counts.items()))
    console.print(f"Quote PDFs:    {out_dir / 'quotes'}")
    console.print(f"Outbox:        {out_dir / 'outbox'}")
    console.print("Review queue:  `intake review` (web app), or the review_tasks table in the database")
    console.print("Audit log:     audit_events table; check the chain with `intake audit verify`")
