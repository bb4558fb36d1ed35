"""Mask personal data (mail addresses, phone numbers, business numbers) before it reaches a log."""

from __future__ import annotations

import re
from typing import Any

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_BUSINESS_NO = re.compile(r"\b(\d{3})-?(\d{2})-?(\d{5})\b")
# Bounded by letters too, so digit runs inside hex digests (sha256 values in audit data) stay intact.
_PHONE = re.compile(r"(?<![0-9A-Za-z])(\+?82[- ]?|0)(\d{1,2})[- .)]?(\d{3,4})[- .]?(\d{4})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """`kim@acme.co.kr` -> `k***@acme.co.kr`; `123-45-67890` -> `123-**-*****`; phones keep the prefix."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _BUSINESS_NO.sub(lambda m: f"{m.group(1)}-**-*****", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}-****-****", text)


def mask_data(value: Any) -> Any:
    """Mask every string inside nested dicts and lists (audit event payloads)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v) for v in value]
    return value
