"""Extraction for the pipeline: the deterministic extractor, plus the LLM when it is on."""

from __future__ import annotations

from extractors.invoice import with_invoice
from extractors.llm import LLMError, extract_with_llm
from extractors.merge import combine
from extractors.rules import extract_with_rules
from flows.runtime import Runtime
from schemas.company import LearntAliases
from schemas.envelope import Envelope
from schemas.extraction import Extraction, Kind
from schemas.fields import ValidatorResult
from schemas.text import DocumentText


def _unread_parts(text: DocumentText) -> list[ValidatorResult]:
    """A part we could not read may hold the order itself: a person must look before anything goes out."""
    return [
        ValidatorResult(name="part_readable", ok=False, message=f"{p.part}: {p.error}", field=p.part)
        for p in text.parts
        if p.status in ("error", "needs_ocr", "skipped") and p.error
    ]


def unreadable_reason(text: DocumentText) -> str | None:
    """Why a document cannot be processed at all: nothing readable and at least one part that failed.

    An empty mail is not unreadable: it goes on to extraction and ends as "not a request".
    """
    if _has_words(text) or not text.errors:
        return None
    return "; ".join(text.errors)


def extract_document(rt: Runtime, text: DocumentText, envelope: Envelope, learnt: LearntAliases) -> Extraction:
    """Rules always (with the invoice reader for an invoice); the LLM when on.

    `combine` sets every field's confidence from both (and the evidence).
    """
    rules = extract_with_rules(text, envelope, rt.company, learnt)
    if rules.kind.value is Kind.INVOICE:
        rules = with_invoice(rules, text, rt.company)
    rules.validators.extend(_unread_parts(text))
    if rt.llm is not None and not _has_words(text):
        # An empty mail, or one whose only attachment could not be read: the model would get a sender line and
        # nothing to extract (one 10-30 s call on the local model for an empty answer).
        extraction = combine(rules, None, text, envelope, rt.company, learnt)
        extraction.extractor = "rules (no text for the LLM)"
        return extraction
    answer, error = None, None
    if rt.llm is not None:
        try:
            answer = extract_with_llm(
                rt.llm, text, max_input_chars=rt.settings.llm_max_input_chars, envelope=envelope, cache=rt.llm_cache
            )
        except LLMError as exc:
            error = str(exc)
    return combine(rules, answer, text, envelope, rt.company, learnt, llm_error=error)


def _has_words(text: DocumentText) -> bool:
    return any(part.status == "ok" and part.text.strip() for part in text.parts)
