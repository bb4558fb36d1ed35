"""Lines in a document that talk to the software instead of the seller: prompt injection, in Korean or English.

The LLM's schema already has no place for a price, a discount or an approval, and the prompt says the document
is data. This is the second guard: such lines are taken out of what the model reads (a small model can still
be talked into "adding" items), and a document that carries one goes to a person, who sees the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each kind of instruction, as alternatives; a line matching any of them is reported with that kind.
_MARKER_PATTERNS: dict[str, tuple[str, ...]] = {
    "ignore instructions": (r"\b(?:ignore|disregard|forget|override)\b.{0,30}\b(?:instructions?|prompts?|rules)\b",),
    "role change": (r"\byou are now\b", r"\b(?:admin|developer|god|debug|jailbreak)\s+mode\b"),
    "system prompt": (r"\bsystem\s+(?:prompt|message|instructions?|override)\b", r"\[\s*system\s*\]"),
    "new instructions": (r"\bnew\s+instructions?\b", r"\binstructions?\s+(?:for|to)\s+the\s+(?:ai|assistant|model)\b"),
    "addresses the AI": (
        r"\b(?:ai|llm|gpt|chatgpt|language model|chatbot)(?:\s+(?:assistant|model|agent|system))?\b\s*[:,]",
    ),
    "approval": (r"\b(?:mark|set|flag)\b.{0,30}\bas\s+approved\b", r"\bauto-?approv"),
    "price override": (
        r"\b(?:set|change|make)\b.{0,30}\b(?:prices?|totals?)\b.{0,15}\bto\b",
        r"\b100\s*%\s*discount\b",
    ),
    "무시 지시": (r"(?:이전|위|앞|기존|모든).{0,10}(?:지시|명령|지침|규칙|프롬프트).{0,10}무시",),
    "시스템 지시": (r"시스템\s*(?:지시|명령|관리자|프롬프트|메시지)", r"관리자\s*(?:명령|모드)"),
    "AI에게": (
        r"(?:AI|인공지능|챗봇|어시스턴트|언어\s*모델)\s*(?:는|은|에게|께서|야)",
        r"(?:AI|인공지능)\s*(?:자동)?\s*(?:처리|시스템)",
    ),
    "지시형 추가": (r"추가할\s*것",),
    "skip review": (
        r"검토\s*(?:단계|절차)?\s*(?:를|은|는)?\s*생략",
        r"\bskip\s+(?:the\s+)?review\b",
        r"\bwithout\s+review\b",
    ),
    "승인 지시": (r"자동\s*승인", r"승인\s*(?:처리|상태로|완료로)\s*(?:하|해|할|표시)"),
    "가격 지시": (
        r"100\s*%\s*할인",
        r"(?:단가|가격|금액)(?:를|을|는|은)?\s*0\s*원",
        r"(?:단가|가격|금액)(?:를|을|는|은)?\s*\d+\s*원으로\s*(?:기재|표시|하|해|적용|처리|변경)",
    ),
}
_MARKERS = tuple(
    (name, re.compile("|".join(alternatives), re.IGNORECASE)) for name, alternatives in _MARKER_PATTERNS.items()
)


@dataclass(frozen=True)
class InjectionLine:
    line_number: int  # 1-based, in the text searched
    text: str
    marker: str  # which kind of instruction it looks like


def find_injection_lines(text: str) -> list[InjectionLine]:
    """Lines that look like instructions to the software (each line reported once, with its first marker)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = next((name for name, pattern in _MARKERS if pattern.search(line)), None)
        if marker:
            found.append(InjectionLine(number, line.strip(), marker))
    return found


REMOVED_LINE = "[a line that addressed the software was removed here]"


def remove_injection_lines(text: str) -> tuple[str, list[InjectionLine]]:
    """The text without such lines (each replaced by a short placeholder), and the lines removed."""
    found = find_injection_lines(text)
    if not found:
        return text, []
    removed = {line.line_number for line in found}
    kept = [REMOVED_LINE if n in removed else line for n, line in enumerate(text.splitlines(), start=1)]
    return "\n".join(kept), found
