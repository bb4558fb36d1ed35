"""The deterministic extractor: kind, customer and line items from the text, with confidence and evidence.

It reads the request (quoted mail and signatures set aside by extractors.cleanup), attachments and the
subject; it never guesses: what it cannot tell comes out with low confidence so a person decides. It is
the baseline the LLM is merged with, and the whole extractor when the LLM is off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.matching import CatalogMatcher, CustomerMatch, CustomerMatcher, find_business_numbers
from extractors.rules_items import MAX_LINES, ItemReader
from extractors.rules_lines import DocumentLines, collect_lines
from extractors.validators import run_validators
from schemas.company import CompanyConfig, LearntAliases
from schemas.envelope import Envelope
from schemas.extraction import Extraction, Kind
from schemas.fields import Evidence, ExtractedField
from schemas.text import DocumentText

_KIND_PATTERNS: dict[Kind, tuple[tuple[str, float], ...]] = {
    Kind.INVOICE: (
        (r"거래\s*명세\s*[서표]", 1.0), (r"세금\s*계산서", 0.5), (r"(?<!세금)(?<!세금 )계산서", 0.5),
        (r"청구서", 1.0), (r"\binvoice\b", 1.0), (r"\bbill\s+to\b", 1.0), (r"amount\s+due", 1.0), (r"송장", 0.5),
        # Suppliers abroad title theirs in their own language.
        (r"\b(?:handels)?rechnung\b", 1.0), (r"\bfactu(?:re|ur|ra)\b", 1.0), (r"\bfattura\b", 1.0),
    ),
    Kind.PO: (
        (r"발주\s*서", 1.5), (r"발주\s*(?:합니다|드립니다|드려요|요청|의뢰|부탁|내역)", 1.5), (r"주문\s*서", 1.5),
        (r"주문\s*(?:합니다|드립니다|드려요|요청|부탁)", 1.5), (r"purchase\s+order", 1.5),
        (r"\bp\.?o\.?\s*(?:no\b|#|number|번호)", 1.5), (r"\bPO[-#]?\d{3,}", 1.5), (r"\[po\]", 1.5),
        (r"please\s+(?:supply|deliver|ship)", 1.0), (r"(?:order|주문|발주)\s*(?:진행|건)", 1.0),
        (r"납품\s*(?:요청|부탁)", 1.0), (r"we\s+(?:would\s+like\s+to\s+)?order", 1.0),
    ),
    Kind.RFQ: (
        (r"견적", 1.0), (r"\bquot(?:e|ation|es|ations)\b", 1.0), (r"\brfq\b", 1.5),
        (r"price\s+(?:request|inquiry)", 1.0), (r"request\s+for\s+(?:price|quot)", 1.0),
        (r"(?:단가|가격)\s*(?:문의|알려)", 1.0), (r"how\s+much", 1.0), (r"\bpricing\b", 0.5), (r"얼마", 0.5),
        # Not ordered yet: "발주 예정이니 견적 부탁" is a request for a quote.
        (r"발주\s*(?:예정|전에?|검토|하기\s*전)|주문\s*(?:예정|전에?|검토)", 1.5),
    ),
}  # fmt: skip
_AUTO_REPLY = re.compile(
    r"자동\s*응답|자동\s*회신|부재\s*중|out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto-?reply|휴가\s*중", re.I
)
_BULK = re.compile(
    r"뉴스레터|newsletter|\(광고\)|\[광고\]|수신\s*거부|unsubscribe|웨비나|webinar|프로모션|promotion", re.I
)
_COMPANY_FORM = re.compile(
    r"(?:\(주\)|㈜|주식회사)\s*[가-힣A-Za-z0-9&]+|[가-힣A-Za-z0-9&]+\s*(?:\(주\)|㈜|주식회사)"
    r"|[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*,?\s+(?:Co\.,?\s*Ltd\.?|Inc\.|Corp\.|Corporation|Ltd\.)"
)
KindField = ExtractedField[Kind]
MaybeText = ExtractedField[str | None]
_HANGUL = re.compile(r"[가-힣]")
_SUBJECT_WEIGHT, _NAME_WEIGHT, _BODY_WEIGHT = 2.0, 2.0, 1.0
_SIGNAL_CONFIDENCE = {"signature": 0.88, "body": 0.85, "attachment": 0.85, "subject": 0.8}


@dataclass
class Matchers:
    catalog: CatalogMatcher
    customers: CustomerMatcher


_MATCHER_CACHE: dict[int, tuple[CompanyConfig, LearntAliases | None, Matchers]] = {}
_MATCHER_CACHE_SIZE = 8


def matchers_for(company: CompanyConfig, learnt: LearntAliases | None = None) -> Matchers:
    """The company's catalog and customer indexes, built once and reused while company and aliases are the same."""
    cached = _MATCHER_CACHE.get(id(company))
    if cached is not None and cached[0] is company and cached[1] == learnt:
        return cached[2]
    aliases = learnt or LearntAliases()
    matchers = Matchers(
        CatalogMatcher(company.catalog, aliases.sku),
        CustomerMatcher(company.customers, company.seller, aliases.customer),
    )
    if len(_MATCHER_CACHE) >= _MATCHER_CACHE_SIZE:
        _MATCHER_CACHE.clear()
    _MATCHER_CACHE[id(company)] = (company, learnt.model_copy(deep=True) if learnt else None, matchers)
    return matchers


def extract_with_rules(
    text: DocumentText, envelope: Envelope, company: CompanyConfig, learnt: LearntAliases | None = None
) -> Extraction:
    matchers = matchers_for(company, learnt)
    lines = collect_lines(text, envelope)
    items, notes = ItemReader(matchers.catalog).read(lines)
    customer_id, customer_name, customer_notes = _customer(matchers.customers, lines, envelope, company)
    kind = classify_kind(lines, has_items=bool(items))
    if kind.value == Kind.OTHER and items and kind.confidence >= 0.85:
        notes.append(f"{len(items)} item-like line(s) in a newsletter or automatic reply were not read as items")
        items = []
    if lines.quoted_lines:
        notes.insert(0, f"{lines.quoted_lines} quoted line(s) of earlier mail ignored")
    if lines.forwarded_from:
        notes.insert(0, "a forwarded mail was read as the request")
    extraction = Extraction(
        kind=kind,
        customer_id=customer_id,
        customer_name=customer_name,
        items=items,
        extractor="rules",
        notes=customer_notes + notes,
    )
    every_line = [*lines.request, *lines.signature, *([lines.subject] if lines.subject else [])]
    numbers = [n for line in every_line for n in find_business_numbers(line.text)]
    extraction.validators = run_validators(extraction, company, text, numbers)
    return extraction


def classify_kind(lines: DocumentLines, has_items: bool) -> KindField:
    """rfq, po, invoice or other, from weighted keywords in the subject, attachment names and text."""
    subject = lines.subject.text if lines.subject else ""
    opening = "\n".join(line.text for line in lines.request[:5] if line.origin == "body")
    evidence = [lines.subject.evidence()] if lines.subject else []
    if _AUTO_REPLY.search(subject) or _AUTO_REPLY.search(opening):
        return KindField(value=Kind.OTHER, confidence=0.9, evidence=evidence, notes=["automatic reply"])
    if _BULK.search(subject) or _BULK.search(lines.body_text):
        return KindField(value=Kind.OTHER, confidence=0.85, evidence=evidence, notes=["newsletter/ad"])
    sources = [
        (subject, _SUBJECT_WEIGHT),
        (" ".join(lines.attachment_names), _NAME_WEIGHT),
        (lines.body_text, _BODY_WEIGHT),
        (lines.attachment_text, _BODY_WEIGHT),
    ]
    # Korean titles are often letter-spaced ("거 래 명 세 서"): Korean keywords are sought without spaces.
    despaced = [(re.sub(r"\s+", "", text), factor) for text, factor in sources]
    scores = {kind: 0.0 for kind in _KIND_PATTERNS}
    for kind, patterns in _KIND_PATTERNS.items():
        for pattern, weight in patterns:
            searched = despaced if _HANGUL.search(pattern) else sources
            scores[kind] += sum(weight * factor for text, factor in searched if re.search(pattern, text, re.I))
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (top_kind, top), (_, second) = ranked[0], ranked[1]
    if top == 0:
        kind, confidence = (Kind.RFQ, 0.55) if has_items else (Kind.OTHER, 0.75)
        why = "items but no request words" if has_items else "no request words and no items"
        return KindField(value=kind, confidence=confidence, evidence=evidence, notes=[why])
    confidence = min(0.95, 0.5 + 0.15 * top) * (1 - 0.4 * second / top)
    notes = ["keyword scores: " + ", ".join(f"{k.value} {v:g}" for k, v in ranked if v)]
    if top_kind in (Kind.RFQ, Kind.PO) and not has_items:
        confidence *= 0.7
        notes.append("a request without line items")
    return KindField(value=top_kind, confidence=round(confidence, 4), evidence=evidence, notes=notes)


def _customer(
    matcher: CustomerMatcher, lines: DocumentLines, envelope: Envelope, company: CompanyConfig
) -> tuple[MaybeText, MaybeText, list[str]]:
    """Every signal (sender, forwarded sender, business number, names) combined per customer."""
    signals: list[tuple[CustomerMatch, Evidence]] = []
    seller_domain = company.seller.email.rsplit("@", 1)[-1].lower()
    sender = (envelope.sender or "").lower()
    if sender and not sender.endswith("@" + seller_domain):  # our own staff forwarding is not the customer
        signals += [(m, Evidence(part="from", text=m.text)) for m in matcher.by_sender(sender)]
    if lines.forwarded_from:
        found = matcher.by_sender(lines.forwarded_from, confidence=0.92)
        signals += [(m, Evidence(part="forwarded from", text=m.text)) for m in found]
    for line in [*([lines.subject] if lines.subject else []), *lines.request[:MAX_LINES], *lines.signature]:
        for match in matcher.in_text(line.text, _SIGNAL_CONFIDENCE[line.origin]):
            signals.append((match, line.evidence(match.start or 0, match.end)))
    if not signals:
        return _no_customer(), _unknown_company(lines), []
    return _combine(signals, matcher)


def _combine(
    signals: list[tuple[CustomerMatch, Evidence]], matcher: CustomerMatcher
) -> tuple[MaybeText, MaybeText, list[str]]:
    strongest: dict[str, dict[str, tuple[CustomerMatch, Evidence]]] = {}
    for match, evidence in signals:
        per_method = strongest.setdefault(match.customer_id, {})
        if match.method not in per_method or per_method[match.method][0].confidence < match.confidence:
            per_method[match.method] = (match, evidence)
    combined = {}
    for customer_id, per_method in strongest.items():
        doubt = 1.0
        for match, _ in per_method.values():
            doubt *= 1 - match.confidence
        combined[customer_id] = min(0.99, 1 - doubt)
    ranked = sorted(combined, key=lambda c: combined[c], reverse=True)
    best = ranked[0]
    confidence, notes = combined[best], []
    if len(ranked) > 1:
        runner_up = combined[ranked[1]]
        if runner_up >= 0.5:
            confidence *= 0.6 if runner_up >= 0.8 else 0.85
            notes.append(f"the document also points to customer {ranked[1]} ({runner_up:.2f})")
    found = strongest[best].values()
    customer_id = MaybeText(
        value=best,
        confidence=round(confidence, 4),
        evidence=[evidence for _, evidence in found],
        notes=[f"{match.method}: {match.text}" for match, _ in found] + notes,
    )
    named = [(m, e) for m, e in found if m.method in ("name", "learnt")]
    if named:
        match, evidence = max(named, key=lambda me: me[0].confidence)
        name = MaybeText(value=match.text, confidence=0.9, evidence=[evidence])
    else:
        name = MaybeText(
            value=matcher.customers[best].name, confidence=0.6, notes=["the customer's name in the customer list"]
        )
    return customer_id, name, notes


def _unknown_company(lines: DocumentLines) -> MaybeText:
    """A company form ((주)..., ... Co., Ltd.) in the signature or body: a customer not on the list yet."""
    for line in [*lines.signature, *(line for line in lines.request if line.origin == "body")]:
        match = _COMPANY_FORM.search(line.text)
        if match:
            evidence = [line.evidence(*match.span())]
            value = match.group().strip()
            return MaybeText(value=value, confidence=0.5, evidence=evidence, notes=["not on the customer list"])
    return MaybeText(value=None, confidence=0.0, notes=["no company named"])


def _no_customer() -> MaybeText:
    return MaybeText(value=None, confidence=0.0, notes=["no known customer named by sender, business number or name"])
