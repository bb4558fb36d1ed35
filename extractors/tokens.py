"""Tokens for matching catalog items and company names in Korean/English text, with their offsets.

Tokens are canonical so that the ways people write one thing compare equal: `M8×30` = `m8x30`,
`6204-ZZ` = `6204zz`, `200mm` = `200`, full-width letters = ASCII. Hangul and Latin/digits are split
apart (`6204베어링` -> `6204`, `베어링`) because Korean writers glue codes to words. Offsets always refer
to the original text, so a match can be shown as evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

_RAW_TOKEN = re.compile(r"[^\W_]+(?:[-.'’/][^\W_]+)*")
_SCRIPT_RUN = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]+|[^가-힣ㄱ-ㅎㅏ-ㅣ]+")
_FRACTION = re.compile(r"^\d{1,2}/\d{1,3}$")
_SPEC_SUFFIX = re.compile(r"(?<=\d)(?:mm|cm|inch|in)$")
_TIMES_SIGNS = "×*✕"
# Korean particles that may trail a name or code: 대성정밀에서, 6204를, M8x30으로.
PARTICLES = (
    "에서는",
    "에서",
    "에게",
    "께서",
    "으로",
    "이랑",
    "입니다",
    "이고",
    "이며",
    "의",
    "에",
    "께",
    "와",
    "과",
    "도",
    "만",
    "로",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "측",
    "님",
    "쪽",
)
_PARTICLE_ENDINGS = frozenset(p[-1] for p in PARTICLES)
# Words that say nothing about which item is meant: greetings, request verbs, filler, units, labels.
FILLER = frozenset(
    " ".join(
        (
            "안녕하세요 안녕하십니까 수고 많으십니다 수고하십니다 견적 견적서 견적을 요청 요청드립니다",
            "부탁 부탁드립니다 부탁드려요 문의 문의드립니다 주문 주문합니다 발주 발주합니다 드립니다",
            "합니다 주세요 바랍니다 필요 필요합니다 구매 구입 아래 다음 품목 내역 수량 단가 금액 납기",
            "이내 까지 희망 가능 여부 재고 확인 각 각각 개씩 씩 및 또는 그리고 그리고요 으로 정도 총",
            "합계 건 제품 상품 물품 규격 사양 모델 품명 품번 번호 급 호 번 개 박스 세트 인치 파이 mm 입",
            "개입 요 네 예 좀 또 추가 관련 건으로 please quote quotation price prices pricing request",
            "need needed want would like to for the a an of and or with per each qty quantity pcs pc ea",
            "units unit box boxes set sets item items order ordering send us we i our you your kindly",
            "thanks thank hi hello dear regards asap x no",
        )
    ).split()
)


@dataclass(frozen=True)
class Token:
    text: str  # canonical
    start: int
    end: int

    @property
    def has_digit(self) -> bool:
        return any(ch.isdigit() for ch in self.text)

    @property
    def is_filler(self) -> bool:
        return self.text in FILLER or strip_particle(self.text) in FILLER or _is_verb_ending(self.text)


def _normalize(text: str) -> str:
    """Same length as the input (offsets stay valid): NFKC and lower case per character, × and * as x."""
    out = []
    for index, ch in enumerate(text):
        if ch in _TIMES_SIGNS and 0 < index < len(text) - 1 and text[index - 1].isalnum():
            out.append("x")
            continue
        folded = unicodedata.normalize("NFKC", ch).lower()
        out.append(folded if len(folded) == 1 else " ")
    return "".join(out)


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[Token, ...]:
    """Canonical tokens with offsets; cached, as each line is tokenized by several matchers."""
    normalized = _normalize(text)
    tokens: list[Token] = []
    for raw in _RAW_TOKEN.finditer(normalized):
        for run in _SCRIPT_RUN.finditer(raw.group()):
            start = raw.start() + run.start()
            for piece_start, piece in _split_slashes(run.group(), start):
                canonical = _canonical(piece)
                if canonical:
                    tokens.append(Token(canonical, piece_start, piece_start + len(piece)))
    return tuple(tokens)


def _split_slashes(text: str, start: int) -> Iterable[tuple[int, str]]:
    """`1/2` stays a fraction; `6204/6205` is two codes."""
    if "/" not in text or _FRACTION.match(text.strip("-.'’")):
        yield start, text
        return
    offset = start
    for piece in text.split("/"):
        yield offset, piece
        offset += len(piece) + 1


def _canonical(piece: str) -> str:
    piece = piece.strip("-.'’").replace("-", "").replace("'", "").replace("’", "")
    return _SPEC_SUFFIX.sub("", piece)


def strip_particle(text: str) -> str:
    if not text or text[-1] not in _PARTICLE_ENDINGS:
        return text
    for particle in PARTICLES:
        if text.endswith(particle) and len(text) - len(particle) >= 2:
            return text[: -len(particle)]
    return text


def _is_verb_ending(text: str) -> bool:
    return len(text) >= 3 and text.endswith(
        ("니다", "세요", "해요", "어요", "아요", "습니다", "십시오", "드려요", "할게요")
    )


def phrase_key(text: str) -> str:
    """The canonical form two phrases share when they name the same thing."""
    return "".join(t.text for t in tokenize(text))


@dataclass(frozen=True)
class PhraseHit:
    targets: tuple[tuple[str, float, str], ...]  # (target id, score, how it was named)
    first: int  # token index
    last: int  # token index, inclusive
    start: int  # character offsets in the searched text
    end: int

    @property
    def key_length(self) -> int:
        return self.end - self.start


@dataclass
class PhraseIndex:
    """Exact lookup of known phrases over runs of tokens; the longest phrase wins where runs overlap."""

    min_chars: int = 2
    max_tokens: int = 6
    _entries: dict[str, dict[str, tuple[float, str]]] = field(default_factory=dict)

    def add(self, phrase: str, target: str, score: float, method: str) -> None:
        key = phrase_key(phrase)
        if len(key) < self.min_chars:
            return
        targets = self._entries.setdefault(key, {})
        if target not in targets or targets[target][0] < score:
            targets[target] = (score, method)

    def find(self, tokens: Sequence[Token]) -> list[PhraseHit]:
        """Every known phrase in the tokens, overlapping ones included (see `longest_first`)."""
        hits = []
        bare = [strip_particle(t.text) for t in tokens]
        for first in range(len(tokens)):
            joined = ""
            for last in range(first, min(len(tokens), first + self.max_tokens)):
                targets = self._entries.get(joined + tokens[last].text)
                if not targets and bare[last] != tokens[last].text:
                    targets = self._entries.get(joined + bare[last])
                joined += tokens[last].text
                if targets:
                    found = tuple((target, score, method) for target, (score, method) in targets.items())
                    hits.append(PhraseHit(found, first, last, tokens[first].start, tokens[last].end))
        return hits


def longest_first(hits: list[PhraseHit]) -> list[PhraseHit]:
    """Non-overlapping hits, preferring those spanning more tokens, then more characters."""
    chosen: list[PhraseHit] = []
    for hit in sorted(hits, key=lambda h: (-(h.last - h.first), -h.key_length, h.start)):
        if all(hit.last < other.first or hit.first > other.last for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)
