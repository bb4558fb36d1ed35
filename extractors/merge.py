"""One Extraction from two readers: the LLM's answer and the deterministic rules, field by field.

Per field the confidence combines what is known: whether the LLM's value is found in the source text (its
evidence span, with the OCR confidence of those words), whether the two readers agree, the catalog or customer
match score, and the validators run again on the result. Agreement raises confidence; disagreement lowers it
below any threshold and says so ("LLM and rules disagree: ..."), which sends the document to a person.
The LLM never sets a price: it has no field for one, and pricing reads only SKUs and quantities.
"""

from __future__ import annotations

from extractors.injection import find_injection_lines
from extractors.llm import LLMOutput, LLMResult
from extractors.llm_evidence import locate
from extractors.matching import CustomerMatcher, find_business_numbers
from extractors.merge_items import (
    AGREEMENT_BONUS,
    DISAGREEMENT_FACTOR,
    SINGLE_SOURCE_FACTOR,
    LLMItemReading,
    merge_items,
    read_llm_items,
)
from extractors.rules import matchers_for
from extractors.rules_lines import DocumentLines, SourceLine, collect_lines
from extractors.validators import run_validators
from schemas.company import CompanyConfig, LearntAliases
from schemas.envelope import Envelope
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import ExtractedField, ValidatorResult
from schemas.masking import mask_text
from schemas.text import DocumentText

LLM_KIND_CONFIDENCE = 0.8
REQUEST_KINDS = (Kind.RFQ, Kind.PO)


def combine(
    rules: Extraction,
    llm: LLMResult | None,
    text: DocumentText,
    envelope: Envelope,
    company: CompanyConfig,
    learnt: LearntAliases | None = None,
    llm_error: str | None = None,
) -> Extraction:
    """The final extraction. `llm` None means the LLM is off, or failed with `llm_error` (then: review)."""
    lines = collect_lines(text, envelope)
    searchable = _searchable(lines)
    rules = _without_items_from_instructions(rules, searchable)
    checks = [_injection_check(text, envelope)]
    if llm is None:
        merged = rules.model_copy(deep=True)
        merged.extractor = "rules (llm off)" if llm_error is None else f"rules (llm failed: {llm_error})"
        if llm_error is not None:
            message = f"the LLM gave no usable answer: {llm_error}"
            checks.append(ValidatorResult(name="llm_answered", ok=False, message=message))
    else:
        merged = _merge(rules, llm, searchable, company, learnt, checks)
    numbers = [n for line in searchable for n in find_business_numbers(line.text)]
    merged.validators = [*run_validators(merged, company, text, numbers), *_kept_rules_checks(rules), *checks]
    return merged


def _merge(
    rules: Extraction,
    llm: LLMResult,
    lines: list[SourceLine],
    company: CompanyConfig,
    learnt: LearntAliases | None,
    checks: list[ValidatorResult],
) -> Extraction:
    matchers = matchers_for(company, learnt)
    output = llm.output
    disagreements: list[str] = []
    readings = read_llm_items(output, matchers.catalog, lines)
    kind = _kind(rules.kind, Kind(output.kind), disagreements, _invoice_read(rules))
    if kind.value == Kind.OTHER and rules.kind.value == Kind.OTHER:
        readings = []  # a newsletter's product mentions are not an order, whatever either reader listed
    merge_notes: list[str] = []
    items = merge_items(rules.items, readings, disagreements, merge_notes)
    customer_id = _customer(rules.customer_id, output, matchers.customers, lines, disagreements)
    checks.append(_agreement_check(disagreements, readings))
    return Extraction(
        kind=kind,
        customer_id=customer_id,
        customer_name=_customer_name(rules.customer_name, output, lines),
        items=items,
        invoice=rules.invoice,
        extractor="llm+rules",
        llm=llm.usage,
        notes=[*rules.notes, *merge_notes, *(f"LLM and rules disagree: {d}" for d in disagreements)],
    )


def _searchable(lines: DocumentLines) -> list[SourceLine]:
    return [*lines.request, *lines.signature, *([lines.subject] if lines.subject else [])]


def _injection_check(text: DocumentText, envelope: Envelope) -> ValidatorResult:
    found = find_injection_lines("\n".join([envelope.subject or "", text.text]))
    if not found:
        return ValidatorResult(name="no_instructions_to_software", ok=True, message="no line addresses the software")
    first = found[0]
    quoted = mask_text(first.text if len(first.text) <= 80 else first.text[:79] + "…")
    return ValidatorResult(
        name="no_instructions_to_software",
        ok=False,
        message=f"{len(found)} line(s) look like instructions to the software ({first.marker}): '{quoted}'",
    )


def _without_items_from_instructions(rules: Extraction, lines: list[SourceLine]) -> Extraction:
    """Items read from a line that addresses the software ("... also add 200 EA of X") are not ordered items."""
    spans = [(line.part, line.start, line.start + len(line.text)) for line in lines if find_injection_lines(line.text)]
    if not spans:
        return rules

    def from_instruction(item: LineItem) -> bool:
        return any(
            e.part == part and e.start is not None and start <= e.start < end
            for e in [*item.sku.evidence, *item.description.evidence]
            for part, start, end in spans
        )

    dropped = [item for item in rules.items if from_instruction(item)]
    if not dropped:
        return rules
    notes = [
        f"'{item.description.value}' was read from a line addressed to the software: not an item" for item in dropped
    ]
    kept = [item for item in rules.items if not from_instruction(item)]
    return rules.model_copy(update={"items": kept, "notes": [*rules.notes, *notes]})


def _kept_rules_checks(rules: Extraction) -> list[ValidatorResult]:
    """Checks the rules ran on things the merge does not change (invoice totals), kept as they were."""
    rerun = {"items_present", "quantity_positive", "quantity_whole", "sku_known", "unit_matches_catalog",
             "duplicate_lines", "business_no_checksum", "part_complete"}  # fmt: skip
    return [v for v in rules.validators if v.name not in rerun]


def _agreement_check(disagreements: list[str], readings: list[LLMItemReading]) -> ValidatorResult:
    if disagreements:
        return ValidatorResult(
            name="llm_rules_agree", ok=False, message="LLM and rules disagree: " + "; ".join(disagreements)
        )
    return ValidatorResult(name="llm_rules_agree", ok=True, message=f"LLM and rules agree ({len(readings)} item(s))")


def _invoice_read(rules: Extraction) -> bool:
    """The rules saw an invoice and its reader found the invoice's own figures (number and gross)."""
    header = rules.invoice
    return header is not None and header.number.value is not None and header.gross.value is not None


def _kind(
    rules_kind: ExtractedField[Kind], llm_kind: Kind, disagreements: list[str], invoice_read: bool = False
) -> ExtractedField[Kind]:
    if rules_kind.value == llm_kind:
        confidence = min(1.0, max(rules_kind.confidence, LLM_KIND_CONFIDENCE) + AGREEMENT_BONUS)
        return rules_kind.model_copy(update={"confidence": round(confidence, 4), "source": "both"})
    if rules_kind.value in REQUEST_KINDS and llm_kind in REQUEST_KINDS:
        # Quote request or order: both are requests; a person need not look for that alone.
        confidence = max(rules_kind.confidence, LLM_KIND_CONFIDENCE) * 0.9
        note = f"the LLM read it as {llm_kind.value}, the rules as {rules_kind.value.value}"
        return ExtractedField[Kind](
            value=llm_kind, confidence=round(confidence, 4), evidence=rules_kind.evidence, source="llm", notes=[note]
        )
    disagreements.append(f"kind {rules_kind.value.value} (rules) vs {llm_kind.value} (LLM)")
    confidence = min(rules_kind.confidence, LLM_KIND_CONFIDENCE) * DISAGREEMENT_FACTOR
    # A small model reads a 거래명세서's item table as a request; an invoice number and a gross amount found
    # under their labels are better evidence. Either way the disagreement sends it to a person.
    rules_win = rules_kind.value is Kind.INVOICE and invoice_read
    return ExtractedField[Kind](
        value=rules_kind.value if rules_win else llm_kind,
        confidence=round(confidence, 4),
        evidence=rules_kind.evidence,
        source="rules" if rules_win else "llm",
        notes=[*rules_kind.notes, f"LLM and rules disagree: {rules_kind.value.value} (rules) vs {llm_kind.value}"],
    )


def _llm_customer(
    output: LLMOutput, matcher: CustomerMatcher, lines: list[SourceLine]
) -> tuple[str | None, float, list[str]]:
    """The customer the LLM's name or business number points to, scored by match and by evidence in the text."""
    candidates: dict[str, float] = {}
    for number in find_business_numbers(output.customer_business_no or ""):
        for match in matcher.in_text(number.formatted):
            candidates[match.customer_id] = max(candidates.get(match.customer_id, 0), match.confidence)
    name = output.customer_name
    if name:
        located = locate(name, lines)
        found_factor = located.score * located.ocr_confidence if located else 0.5
        for match in matcher.in_text(name):
            score = match.confidence * found_factor
            candidates[match.customer_id] = max(candidates.get(match.customer_id, 0), score)
    if not candidates:
        return None, 0.0, []
    best = max(candidates, key=lambda c: candidates[c])
    notes = [f"the LLM named '{name}'"] if name else []
    return best, candidates[best], notes


def _customer(
    rules_customer: ExtractedField[str | None],
    output: LLMOutput,
    matcher: CustomerMatcher,
    lines: list[SourceLine],
    disagreements: list[str],
) -> ExtractedField[str | None]:
    llm_value, llm_confidence, notes = _llm_customer(output, matcher, lines)
    if llm_value is None:
        # The LLM only reads the text; the rules also know the sender's address. Silence is not disagreement.
        return rules_customer
    if rules_customer.value == llm_value:
        confidence = min(0.99, max(rules_customer.confidence, llm_confidence) + AGREEMENT_BONUS)
        return rules_customer.model_copy(
            update={"confidence": round(confidence, 4), "source": "both", "notes": [*rules_customer.notes, *notes]}
        )
    if rules_customer.value is None:
        return ExtractedField[str | None](
            value=llm_value,
            confidence=round(llm_confidence * SINGLE_SOURCE_FACTOR, 4),
            source="llm",
            notes=[*notes, "only the LLM identified the customer"],
        )
    disagreements.append(f"customer {rules_customer.value} (rules) vs {llm_value} (LLM)")
    keep_rules = rules_customer.confidence >= llm_confidence
    return ExtractedField[str | None](
        value=rules_customer.value if keep_rules else llm_value,
        confidence=round(min(rules_customer.confidence, llm_confidence) * DISAGREEMENT_FACTOR, 4),
        evidence=rules_customer.evidence if keep_rules else [],
        source="rules" if keep_rules else "llm",
        notes=[*rules_customer.notes, *notes, f"LLM and rules disagree: {rules_customer.value} vs {llm_value}"],
    )


def _customer_name(
    rules_name: ExtractedField[str | None], output: LLMOutput, lines: list[SourceLine]
) -> ExtractedField[str | None]:
    if rules_name.value is not None or not output.customer_name:
        return rules_name
    located = locate(output.customer_name, lines)
    if located is None:
        return ExtractedField[str | None](
            value=output.customer_name, confidence=0.3, source="llm", notes=["the LLM's name is not in the text"]
        )
    return ExtractedField[str | None](
        value=output.customer_name,
        confidence=round(0.6 * located.score * located.ocr_confidence, 4),
        evidence=[located.evidence()],
        source="llm",
    )
