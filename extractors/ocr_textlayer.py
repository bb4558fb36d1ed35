"""Is a PDF's text layer real text, or the residue of a bad OCR run (or of a font without a Unicode map)?

Scanners often embed their own OCR. When that OCR used the wrong language or ran on a poor image, the text
layer reads like `'01000908017100 티 개 애` or `MSSMA| Bs Haslet!` and extracting from it silently gives
wrong fields; such pages must be OCR'd again. The test here is cheap and dictionary-free: the share of
tokens that are shaped like words, numbers, dates or codes, plus hard signs of broken text (unmapped
glyphs, replacement characters, mojibake).
"""

from __future__ import annotations

import re
import unicodedata

# Noise shares measured on the 24 pages of real invoices in ../shared/data: 0.00–0.09. Text layers left by
# Tesseract with the wrong language: German invoices read as Korean 0.31–0.33, Korean forms read as English
# 0.11–0.24 (one in four of those reads like English abbreviations and slips under the threshold).
NOISE_TOKEN_SHARE = 0.15
BROKEN_CHAR_SHARE = 0.02
MIN_TOKENS = 8

_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")
# UTF-8 read as Latin-1/CP1252: `ê±°ë\x9e\x98` for `거래`, `Ã©` for `é`.
_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]")
_EDGE_PUNCTUATION = "\"'«»“”„‘’()[]<>.,;:!?*-"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*")
# An amount groups thousands with one separator and, if it has decimals, marks them with the other
# (`1.234,56`, `1,234.56`, `1 234,56`); OCR residue like `5,660,0008` breaks that rule.
_AMOUNT = re.compile(
    r"[-+]?[€$£₩¥]?(?:\d{1,3}(?:,\d{3})+(?:\.\d{1,4})?|\d{1,3}(?:\.\d{3})+(?:,\d{1,4})?"
    r"|\d{1,3}(?:['\u202f]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?)"
    r"(?:%|[€$₩]|[가-힣]{1,3}|[a-zA-Z]{1,3})?"
)
_DIGIT_RUN = re.compile(r"\d+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CONTACT = re.compile(r"\S+@\S+\.\S+|(?:https?://|www\.)\S+|\S+\.(?:com|de|fr|nl|kr|net|org|co\.kr)\S*")
_NOISE_PUNCTUATION = set("|~^`{}\\")
_VOWELS = set("aeiouyäöüàâéèêëîïôûùœæåøáíóúñ")
_SINGLE_LETTER_WORDS = set("aAIàxX")
_SHORT_WORDS = {
    *("of", "to", "in", "is", "it", "on", "at", "by", "or", "an", "be", "as", "we", "no", "do", "if", "my", "up"),
    *("so", "he", "me", "us", "am", "id", "ok", "vs"),  # English
    *("zu", "um", "ob", "es", "er", "du", "wo", "ab", "im"),  # German
    *("la", "le", "de", "en", "et", "un", "il", "au", "ce", "ne", "se", "sa", "si", "te", "ou"),  # French
    *("op", "om", "na", "bv", "nr"),  # Dutch
    *("st", "co", "kg", "km", "cm", "mm", "ml", "ca", "pc", "tv", "eu"),  # abbreviations
}
# Single-syllable Korean words and units that stand alone in real documents; other lone syllables are
# the typical residue of Korean OCR run over Latin text or noise.
_SINGLE_HANGUL_WORDS = set("원개건매장병통대및등외총약각전후위월일년시분호번층동구도리길로차회부과팀님명인세식")
_SINGLE_HANGUL_WORDS |= set("권롤갑팩벌켤점곳")


def text_layer_is_garbage(text: str) -> bool:
    """True when `text` (a PDF page's or document's text layer) is too broken to extract from."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    broken = 5 * len(_UNMAPPED_GLYPH.findall(text)) + sum(_is_broken_char(ch) for ch in visible)
    if broken / len(visible) > BROKEN_CHAR_SHARE:
        return True
    if len(_MOJIBAKE.findall(text)) >= 3 and len(_MOJIBAKE.findall(text)) * 2 / len(visible) > BROKEN_CHAR_SHARE:
        return True
    return noise_share(text) > NOISE_TOKEN_SHARE


# Korean forms letter-space their titles and column heads (`발 주 서`, `거 래 명 세 서`, `합 계`): read as
# lone syllables they would count as OCR residue, so known spaced words are joined back first.
_SPACED_FORM_WORDS = ("거래명세서", "세금계산서", "견적서", "발주서", "주문서", "납품서", "청구서", "계산서",
                      "영수증", "명세서", "합계", "금액", "수량", "단가", "품명", "규격", "비고", "공급자")  # fmt: skip
_SPACED_WORD = re.compile("|".join(" ?".join(word) for word in _SPACED_FORM_WORDS))


def noise_share(text: str) -> float:
    """Share of tokens that are neither words, numbers, dates, codes nor contacts (0 for short texts)."""
    text = _SPACED_WORD.sub(lambda m: m.group(0).replace(" ", ""), text)
    verdicts = [_token_is_noise(token) for token in text.split()]
    counted = [v for v in verdicts if v is not None]
    if len(counted) < MIN_TOKENS:
        return 0.0
    return sum(counted) / len(counted)


def _is_broken_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch == "\ufffd" or category in ("Co", "Cs") or (category == "Cc" and ch not in "\t\n\r\f")


def _token_is_noise(token: str) -> bool | None:
    """True for noise, False for a plausible token, None for tokens that say nothing (lone dashes, bullets)."""
    core = token.strip(_EDGE_PUNCTUATION)
    if not core:
        return len(token) > 3 or any(ch in _NOISE_PUNCTUATION for ch in token)
    if any(ch in _NOISE_PUNCTUATION for ch in core) or any("\u3131" <= ch <= "\u318e" for ch in core):
        return True  # `|` and `~` inside words, and lone jamo (ㅁ, ㄱ) are what broken OCR leaves behind
    if len(core) == 1:
        if core.isdigit() or not core.isalnum():
            return None
        return core not in _SINGLE_LETTER_WORDS and core not in _SINGLE_HANGUL_WORDS
    if len(core) == 2 and core.isalpha() and core.isascii() and not core.isupper():
        # Two-letter fragments (`zs`, `ae`, `cH`) are typical of OCR run over the wrong script; the real
        # two-letter words of invoices are few.
        return core.lower() not in _SHORT_WORDS
    if _WORD.fullmatch(core):
        return not _plausible_word(core)
    if _AMOUNT.fullmatch(core) or _IBAN.fullmatch(core) or _CONTACT.fullmatch(core):
        return False
    return not (_plausible_code(core) or _hangul_compound(core))


def _plausible_word(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    if all("가" <= ch <= "힣" or "\u4e00" <= ch <= "\u9fff" for ch in letters):
        return True
    if len(letters) >= 3 and (word.isupper() or word.islower()) and not any(ch.lower() in _VOWELS for ch in letters):
        return False  # `SST`, `thrsk`: real acronyms exist (BTW, HRB), but a page of them is not text
    # Case shape: word, Word, WORD, or few inner capitals (iPad, McDonald, GmbH).
    inner_capitals = sum(ch.isupper() for ch in word[1:])
    return word.isupper() or inner_capitals <= 1 or (word[0].isupper() and inner_capitals <= 2)


def _plausible_code(token: str) -> bool:
    """Dates, numbers and identifiers: `2022-11-28`, `01.05.14-31.05.14`, `INV/2023/03/0008`, `OUDJQ_strukan`."""
    if not all(ch.isalnum() or ch in "-/_.:#+'" for ch in token):
        return False
    digit_runs = [len(run) for run in _DIGIT_RUN.findall(token)]
    letter_runs = _LETTER_RUN.findall(token)
    if digit_runs and max(digit_runs) > 14:
        return False
    if not letter_runs:
        # Separated digit groups must be short (dates, business numbers), not `500180590055.0400064010090`.
        return len(digit_runs) == 1 or max(digit_runs) <= 6
    return len(letter_runs) + len(digit_runs) <= 6


def _hangul_compound(token: str) -> bool:
    """Korean words glued to numbers or Latin letters: `(주)한빛`, `A4용지`, `100매`, `발주번호:PO`."""
    hangul = sum("가" <= ch <= "힣" for ch in token)
    return hangul >= 2 and sum(ch.isalnum() for ch in token) >= len(token) * 0.6
