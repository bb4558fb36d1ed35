"""Find and register the Korean TrueType font (NanumGothic) that every PDF we write embeds.

reportlab's built-in CID fonts (HYSMyeongJo-Medium and friends) are only referenced, never embedded:
a viewer without a Korean font shows a blank page. A TrueType font registered through TTFont is
subset and embedded, so the PDF reads the same everywhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR_ENV = "INTAKE_FONT_DIR"
REGULAR_FILE = "NanumGothic.ttf"
BOLD_FILE = "NanumGothicBold.ttf"
DEBIAN_FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
DEBIAN_PACKAGE = "fonts-nanum"


class FontNotFoundError(RuntimeError):
    """The Korean font is not installed where we look; the message says how to install it."""


@dataclass(frozen=True)
class KoreanFont:
    """reportlab font names to use in styles, and the files they were loaded from."""

    regular: str
    bold: str
    regular_path: Path
    bold_path: Path


def _fc_match_dir() -> Path | None:
    """The folder fontconfig resolves NanumGothic to, if fontconfig knows the font at all."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format=%{file}", "NanumGothic:style=Regular"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    path = Path(result.stdout.strip())
    # fc-match always answers with *some* font (DejaVu as a fallback): only trust an actual Nanum file.
    return path.parent if result.returncode == 0 and path.name == REGULAR_FILE else None


def _missing(where: str) -> FontNotFoundError:
    return FontNotFoundError(
        f"Korean font {REGULAR_FILE}/{BOLD_FILE} not found {where}. "
        f"Install the Debian package {DEBIAN_PACKAGE} (sudo apt-get install -y {DEBIAN_PACKAGE}) "
        f"or set {FONT_DIR_ENV} to a folder that holds both files."
    )


def find_font_dir(font_dir: Path | str | None = None) -> Path:
    """The folder holding NanumGothic.ttf and NanumGothicBold.ttf.

    An explicit folder (argument, else $INTAKE_FONT_DIR) is the only place searched when given, so a
    wrong setting is reported instead of silently falling back to another font.
    """
    explicit = font_dir or os.environ.get(FONT_DIR_ENV)
    if explicit:
        folder = Path(explicit)
        if (folder / REGULAR_FILE).is_file() and (folder / BOLD_FILE).is_file():
            return folder
        raise _missing(f"in {folder} (from {FONT_DIR_ENV} or the font_dir setting)")
    for folder in (DEBIAN_FONT_DIR, _fc_match_dir()):
        if folder is not None and (folder / REGULAR_FILE).is_file() and (folder / BOLD_FILE).is_file():
            return folder
    raise _missing(f"in {DEBIAN_FONT_DIR} or through fontconfig (fc-match)")


@cache
def _register(folder: Path) -> KoreanFont:
    # One reportlab name per folder: the registry is process-global and a name cannot be rebound.
    suffix = "" if folder == DEBIAN_FONT_DIR.resolve() else "-" + hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    font = KoreanFont(
        regular=f"NanumGothic{suffix}",
        bold=f"NanumGothicBold{suffix}",
        regular_path=folder / REGULAR_FILE,
        bold_path=folder / BOLD_FILE,
    )
    pdfmetrics.registerFont(TTFont(font.regular, str(font.regular_path)))
    pdfmetrics.registerFont(TTFont(font.bold, str(font.bold_path)))
    pdfmetrics.registerFontFamily(font.regular, normal=font.regular, bold=font.bold)
    return font


def korean_font(font_dir: Path | str | None = None) -> KoreanFont:
    """Register NanumGothic (regular and bold) with reportlab once and return the names to use."""
    return _register(find_font_dir(font_dir).resolve())
