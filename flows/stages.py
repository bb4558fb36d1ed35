"""Stage calls bound to a runtime, without Prefect or store writes: used by the tasks, `extract` and `eval`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from extractors.envelope import envelope_from_bytes
from extractors.text import read_document
from flows.extraction import extract_document, unreadable_reason
from flows.runtime import Runtime
from pricing.decision import decide
from pricing.engine import price_quote
from schemas.envelope import Channel
from schemas.extraction import Extraction, Kind
from schemas.quote import PricedQuote
from schemas.review import Decision, Route
from store.aliases import load_learnt_aliases
from store.db import session_scope


def extract_file(rt: Runtime, path: Path) -> Extraction:
    envelope = envelope_from_bytes(path.read_bytes(), path.name, Channel.FILE)
    text = read_document(envelope)
    with session_scope(rt.engine) as session:
        learnt = load_learnt_aliases(session)
    return extract_document(rt, text, envelope, learnt)


@dataclass
class Outcome:
    extraction: Extraction | None
    quote: PricedQuote | None
    decision: Decision


def evaluate_file(rt: Runtime, path: Path, on: date) -> Outcome:
    """What the pipeline would decide for a file, without recording anything."""
    envelope = envelope_from_bytes(path.read_bytes(), path.name, Channel.FILE)
    text = read_document(envelope)
    reason = unreadable_reason(text)
    if reason is not None:
        return Outcome(None, None, Decision(route=Route.FAILED, reasons=[reason]))
    with session_scope(rt.engine) as session:
        learnt = load_learnt_aliases(session)
    extraction = extract_document(rt, text, envelope, learnt)
    quote, decision = price_and_decide(rt, extraction, on)
    return Outcome(extraction, quote, decision)


def price_and_decide(rt: Runtime, extraction: Extraction, on: date) -> tuple[PricedQuote | None, Decision]:
    """Deterministic prices from the company's rules (requests with a customer only), then the route."""
    wants_quote = extraction.kind.value in (Kind.RFQ, Kind.PO) and extraction.customer_id.value is not None
    quote = price_quote(extraction, rt.company, rt.pricing, on) if wants_quote else None
    return quote, decide(extraction, quote, rt.settings)
