"""Which catalog item a line names, and which customer a document comes from, each with a score in [0, 1].

Catalogs hold look-alikes on purpose (bearing 6204 vs 6205 vs 6204ZZ, bolt M8x30 vs M8x40), so a
number or code token is decisive: when the text and a catalog entry each hold a code the other lacks,
that entry is out, however similar the rest reads. Exact names, aliases and SKUs come first; fuzzy
matching (rapidfuzz) only fills in, and never scores as high as an exact match. Indexes are built once
per company (`CatalogMatcher`, `CustomerMatcher`), not per line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from extractors.tokens import PhraseHit, PhraseIndex, Token, longest_first, tokenize
from schemas.business_no import format_business_no, is_valid_business_no
from schemas.company import CatalogItem, Customer, Seller

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "naver.com", "daum.net", "hanmail.net", "outlook.com", "hotmail.com",
        "live.com", "msn.com", "yahoo.com", "yahoo.co.kr", "kakao.com", "nate.com", "icloud.com", "me.com",
        "korea.com", "empas.com", "paran.com", "hanmir.com", "aol.com", "proton.me", "protonmail.com",
    }
)  # fmt: skip
EXACT_SCORES = {"sku": 0.98, "name": 0.96, "alias": 0.95, "learnt": 0.95}
_AMBIGUOUS_EXACT = 0.45  # one alias listed for two items
_FUZZY_CUTOFF = 60
_CODE_PENALTY = 0.6
_CLOSE_CALL = 0.05
_SURE_EXACT = 0.8
_SKU_FLOOR = 0.5
_LEGAL_FORMS = frozenset(
    {"주", "주식회사", "유", "유한회사", "합자회사", "co", "ltd", "inc", "corp", "corporation", "llc"}
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BUSINESS_NO = re.compile(
    r"(?:(?<![\d-])(\d{3})-(\d{2})-(\d{5})(?![\d-]))"
    r"|(?:(?:사업자\s*(?:등록)?\s*번호|business\s*(?:registration\s*)?(?:no|number)\.?)\s*[:：]?\s*(\d{10})(?!\d))",
    re.I,
)
_ASCII_ALNUM = re.compile(r"[0-9a-z]")
_CODE_PLURAL = re.compile(r"(?<=\d)s(?![\w-])")


@dataclass(frozen=True)
class ItemMatch:
    sku: str
    confidence: float
    method: str  # sku | name | alias | learnt | fuzzy
    start: int  # evidence span in the text searched
    end: int
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    sku: str
    vocabulary: frozenset[str]
    words: tuple[str, ...] = field(init=False)  # the vocabulary without codes, for spelling tolerance

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(w for w in self.vocabulary if not _is_code(w)))


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Spaces over the spans (quantities, prices): same length, so offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _singular_codes(text: str) -> str:
    """English plurals of codes ("six A-42s", "forty 6204s") with the plural s blanked (offsets stay valid)."""
    return _CODE_PLURAL.sub(" ", text)


def _is_code(text: str) -> bool:
    """6204, m8x30, zz, rs: tokens whose every character matters (unlike words, which may be misspelt)."""
    return any(ch.isdigit() for ch in text) or (len(text) <= 3 and bool(_ASCII_ALNUM.match(text)))


class CatalogMatcher:
    """The catalog's SKUs, names, aliases and learnt aliases, indexed for exact and fuzzy lookup."""

    def __init__(self, catalog: Sequence[CatalogItem], learnt: Mapping[str, str] | None = None) -> None:
        self.items = {item.sku: item for item in catalog}
        self._index = PhraseIndex()
        self._choices: list[str] = []
        self._choice_sku: list[str] = []
        self._choice_codes: list[frozenset[str]] = []
        vocabulary: dict[str, set[str]] = {sku: set() for sku in self.items}
        for item in catalog:
            bare_name = re.sub(r"\([^)]*\)", " ", item.name)
            # "BRG-6205" is also written "BRG 6205" or "brg6205": its pieces belong to its vocabulary.
            named = [(item.sku, "sku"), (item.sku.replace("-", " "), "sku"), (item.name, "name"), (bare_name, "name")]
            named += [(alias, "alias") for alias in item.aliases]
            for phrase, method in named:
                self._add(item.sku, phrase, method, vocabulary)
        for alias, sku in (learnt or {}).items():
            if sku in self.items:
                self._add(sku, alias, "learnt", vocabulary)
        self._entries = {sku: _Entry(sku, frozenset(words)) for sku, words in vocabulary.items()}

    def _add(self, sku: str, phrase: str, method: str, vocabulary: dict[str, set[str]]) -> None:
        tokens = tokenize(phrase)
        if not tokens:
            return
        self._index.add(phrase, sku, EXACT_SCORES[method], method)
        vocabulary[sku].update(t.text for t in tokens)
        if method != "sku":
            self._choices.append(" ".join(t.text for t in tokens))
            self._choice_sku.append(sku)
            self._choice_codes.append(frozenset(t.text for t in tokens if t.has_digit))

    def vocabulary(self, sku: str) -> frozenset[str]:
        """The canonical tokens of the item's SKU, name and aliases."""
        entry = self._entries.get(sku)
        return entry.vocabulary if entry else frozenset()

    def segments(self, text: str, blank: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
        """Split a line naming several items ("6204 10개, 6205 20개") at the start of each item's name."""
        hits = longest_first(self._index.find(tokenize(_blank(text, blank))))
        starts: list[int] = []
        previous: tuple[str, ...] | None = None
        for hit in hits:
            skus = tuple(sorted(target for target, _, _ in hit.targets))
            if skus != previous:
                starts.append(hit.start)
                previous = skus
        if len(starts) < 2:
            return [(0, len(text))]
        return list(itertools.pairwise([0, *starts[1:], len(text)]))

    def match(
        self, text: str, blank: Sequence[tuple[int, int]] = (), span: tuple[int, int] | None = None
    ) -> list[ItemMatch]:
        """Candidates for the one item named in `text` (or in `span` of it), best first."""
        start, end = span or (0, len(text))
        tokens = [t for t in tokenize(_singular_codes(_blank(text, blank))) if t.start >= start and t.end <= end]
        candidates = self._exact(text, tokens, self._index.find(tokens))
        if max((c.confidence for c in candidates), default=0.0) < _SURE_EXACT:
            # A weak exact hit ("cable tie 300" in "cable tie 300, black UV") may be a longer name written loosely.
            for fuzzy in self._fuzzy(text, tokens):
                if all(fuzzy.sku != c.sku or fuzzy.confidence > c.confidence for c in candidates):
                    candidates = [c for c in candidates if c.sku != fuzzy.sku] + [fuzzy]
        return _settle(candidates)

    def best(
        self, text: str, blank: Sequence[tuple[int, int]] = (), span: tuple[int, int] | None = None
    ) -> ItemMatch | None:
        matches = self.match(text, blank, span)
        return matches[0] if matches else None

    def _exact(self, text: str, tokens: Sequence[Token], hits: list[PhraseHit]) -> list[ItemMatch]:
        best: dict[str, ItemMatch] = {}
        for hit in hits:
            for sku, score, method in hit.targets:
                notes: list[str] = []
                if len(hit.targets) > 1:
                    score = _AMBIGUOUS_EXACT
                    notes.append(f"'{text[hit.start : hit.end]}' names {len(hit.targets)} catalog items")
                factor, why = self._coverage(self._entries[sku], tokens)
                if method == "sku":
                    factor = max(factor, _SKU_FLOOR)  # a full SKU code names one item whatever else the line says
                match = ItemMatch(
                    sku, score * factor, method, hit.start, hit.end, text[hit.start : hit.end], tuple(notes + why)
                )
                if sku not in best or match.confidence > best[sku].confidence:
                    best[sku] = match
        return list(best.values())

    def _fuzzy(self, text: str, tokens: Sequence[Token]) -> list[ItemMatch]:
        content = [t for t in tokens if not t.is_filler]
        if not content:
            return []
        query = " ".join(t.text for t in content)
        line_words = {t.text for t in content}
        line_codes = {t.text for t in content if t.has_digit}
        span_start, span_end = content[0].start, content[-1].end
        best: dict[str, ItemMatch] = {}
        results = process.extract(
            query, self._choices, scorer=fuzz.token_set_ratio, limit=25, score_cutoff=_FUZZY_CUTOFF
        )
        for _, score, index in results:
            sku, codes = self._choice_sku[index], self._choice_codes[index]
            entry = self._entries[sku]
            if (line_codes - entry.vocabulary) and (codes - line_words):
                continue  # each side has a code the other lacks: a different item, however similar
            confidence = 0.3 + 0.55 * (score - _FUZZY_CUTOFF) / (100 - _FUZZY_CUTOFF)
            notes = [f"fuzzy match {score:.0f}/100 to '{self._choices[index]}'"]
            if codes and not line_codes:
                confidence *= _CODE_PENALTY
                notes.append("the text names no model number or size")
            factor, why = self._coverage(entry, tokens)
            match = ItemMatch(
                sku, confidence * factor, "fuzzy", span_start, span_end, text[span_start:span_end], tuple(notes + why)
            )
            if sku not in best or match.confidence > best[sku].confidence:
                best[sku] = match
        return list(best.values())

    @staticmethod
    def _coverage(entry: _Entry, tokens: Sequence[Token]) -> tuple[float, list[str]]:
        """Words in the text that the item does not explain lower the score; unexplained codes a lot.

        A misspelt word (볼베아링 for 볼베어링) counts as explained in proportion to its similarity.
        """
        factor, notes = 1.0, []
        words_total = words_unexplained = 0.0
        for token in tokens:
            if token.is_filler or token.text in entry.vocabulary:
                if not _is_code(token.text):
                    words_total += len(token.text)
                continue
            if _is_code(token.text):
                factor *= _CODE_PENALTY
                notes.append(f"'{token.text}' is not in {entry.sku}'s name or aliases")
                continue
            closest = process.extractOne(token.text, entry.words, scorer=fuzz.ratio) if entry.words else None
            similarity = closest[1] / 100 if closest and closest[1] >= 60 else 0.0
            words_total += len(token.text)
            words_unexplained += len(token.text) * (1 - similarity)
        if words_total:
            factor *= 1 - 0.5 * words_unexplained / words_total
        return factor, notes


def _settle(candidates: list[ItemMatch]) -> list[ItemMatch]:
    """Best first; close runners-up make every one of the close candidates uncertain."""
    ranked = sorted(candidates, key=lambda m: m.confidence, reverse=True)
    if len(ranked) >= 2 and ranked[0].confidence - ranked[1].confidence < _CLOSE_CALL:
        close = [m for m in ranked if ranked[0].confidence - m.confidence < _CLOSE_CALL]
        alternatives = ", ".join(m.sku for m in close)
        ranked = [
            replace(m, confidence=m.confidence * 0.7, notes=(*m.notes, f"as likely: {alternatives}"))
            if m in close
            else m
            for m in ranked
        ]
    return [m for m in ranked if m.confidence > 0.05]


@dataclass(frozen=True)
class CustomerMatch:
    customer_id: str
    confidence: float
    method: str  # email | domain | business_no | name | learnt | email_in_text | domain_in_text
    text: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class BusinessNumber:
    formatted: str
    valid: bool
    start: int
    end: int


def find_business_numbers(text: str) -> list[BusinessNumber]:
    """`NNN-NN-NNNNN` anywhere, or ten digits after a 사업자등록번호 label; checksum verified."""
    found = []
    for match in _BUSINESS_NO.finditer(text):
        digits = "".join(g for g in match.groups() if g)
        start = match.start(1) if match.group(1) else match.start(4)
        found.append(BusinessNumber(format_business_no(digits), is_valid_business_no(digits), start, match.end()))
    return found


class CustomerMatcher:
    """Customers by sender address, by domain (company domains only), by business number and by name."""

    def __init__(
        self, customers: Sequence[Customer], seller: Seller | None = None, learnt: Mapping[str, str] | None = None
    ) -> None:
        self.customers = {c.customer_id: c for c in customers}
        self._by_email: dict[str, str] = {}
        self._by_domain: dict[str, set[str]] = {}
        self._by_business_no = {c.business_no: c.customer_id for c in customers if c.business_no}
        # Whole tokens only, so a two-syllable name (한결) does not fire inside another word (한결같이).
        self._names = PhraseIndex(min_chars=2)
        self._seller_names = PhraseIndex(min_chars=2)
        seller_domain = seller.email.rsplit("@", 1)[-1].lower() if seller and "@" in seller.email else None
        for customer in customers:
            if customer.email:
                self._by_email[customer.email.lower()] = customer.customer_id
            domain = customer.email_domain
            if domain and domain not in PUBLIC_MAIL_DOMAINS and domain != seller_domain:
                self._by_domain.setdefault(domain, set()).add(customer.customer_id)
            for name in (customer.name, *customer.aliases):
                self._names.add(_without_legal_form(name), customer.customer_id, 0.85, "name")
        for alias, customer_id in (learnt or {}).items():
            self._add_learnt(alias.strip().lower(), customer_id)
        if seller:
            for name in (seller.name, seller.name_en or ""):
                self._seller_names.add(_without_legal_form(name), "seller", 1.0, "seller")
        self._seller_business_no = seller.business_no if seller else None

    def _add_learnt(self, alias: str, customer_id: str) -> None:
        if customer_id not in self.customers or not alias:
            return
        if alias.startswith("@"):
            self._by_domain[alias[1:]] = {customer_id}
        elif _EMAIL.fullmatch(alias):
            self._by_email[alias] = customer_id
        else:
            self._names.add(_without_legal_form(alias), customer_id, 0.9, "learnt")

    def by_sender(self, address: str | None, confidence: float = 0.97) -> list[CustomerMatch]:
        """The sender's exact address, else its domain when that is a company's own (not gmail.com)."""
        if not address or "@" not in address:
            return []
        address = address.lower()
        if address in self._by_email:
            return [CustomerMatch(self._by_email[address], confidence, "email", address)]
        owners = self._by_domain.get(address.rsplit("@", 1)[1], set())
        score = confidence - 0.07 if len(owners) == 1 else 0.5
        return [CustomerMatch(owner, score, "domain", address) for owner in sorted(owners)]

    def in_text(self, text: str, name_confidence: float = 0.85) -> list[CustomerMatch]:
        """Business numbers, mail addresses and company names (not the seller's own) found in the text."""
        found: list[CustomerMatch] = []
        for number in find_business_numbers(text):
            owner = self._by_business_no.get(number.formatted)
            if number.valid and owner and number.formatted != self._seller_business_no:
                found.append(CustomerMatch(owner, 0.97, "business_no", number.formatted, number.start, number.end))
        for match in _EMAIL.finditer(text):
            for hit in self.by_sender(match.group(), confidence=0.92):
                method = "email_in_text" if hit.method == "email" else "domain_in_text"
                found.append(
                    CustomerMatch(
                        hit.customer_id,
                        hit.confidence - 0.05 * (method != "email_in_text"),
                        method,
                        match.group(),
                        match.start(),
                        match.end(),
                    )
                )
        tokens = [t for t in tokenize(text) if t.text not in _LEGAL_FORMS]
        seller_hits = self._seller_names.find(tokens)
        for hit in longest_first(self._names.find(tokens)):
            if any(hit.start < s.end and s.start < hit.end for s in seller_hits):
                continue
            for customer_id, score, method in hit.targets:
                confidence = name_confidence if method == "name" else score
                if len(hit.targets) > 1:
                    confidence = 0.5
                found.append(
                    CustomerMatch(customer_id, confidence, method, text[hit.start : hit.end], hit.start, hit.end)
                )
        return found


def _without_legal_form(name: str) -> str:
    """`(주)대성정밀`, `대성정밀 주식회사`, `Daesung Precision Co., Ltd.` -> the name itself."""
    kept = [name[t.start : t.end] for t in tokenize(name) if t.text not in _LEGAL_FORMS]
    return " ".join(kept)
