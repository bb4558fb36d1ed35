"""The files of a batch folder: which ones are documents, in which order, and the sha256 of each.

A file is taken when its name says it is a type we read (PDF, image, mail) or its bytes do (a scanner that
names files `scan0001` without a suffix): a corrupt `invoice.pdf` is taken, so that its failure is
recorded and shown, while `notes.xlsx` or `Thumbs.db` are listed as skipped. Hidden files and folders
(editors' and copy tools' temp files) are not looked at. The order is the sorted relative path, so two
runs over the same folder walk it the same way.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from extractors.filetypes import sniff_content_type
from extractors.text import IMAGE_TYPES

DOCUMENT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".eml"})
DOCUMENT_TYPES = frozenset({"application/pdf", "message/rfc822", *IMAGE_TYPES})
# Enough for every magic number and for the mail-header check of sniff_content_type.
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class BatchFile:
    path: Path
    name: str  # relative to the batch folder, with forward slashes
    sha256: str | None  # None when the file could not be read
    error: str | None = None
    size: int = 0  # bytes


@dataclass
class BatchListing:
    files: list[BatchFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # relative names of files that are not documents


def _visible_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / name for name in files if not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _is_document(path: Path) -> bool:
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return True
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return sniff_content_type(head, path.name) in DOCUMENT_TYPES


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def list_batch(folder: Path) -> BatchListing:
    """Every visible file below `folder`, sorted: documents with their sha256, the rest as skipped."""
    listing = BatchListing()
    for path in _visible_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            if not _is_document(path):
                listing.skipped.append(name)
                continue
            listing.files.append(BatchFile(path, name, _sha256(path), size=path.stat().st_size))
        except OSError as exc:
            listing.files.append(BatchFile(path, name, None, f"cannot read: {exc.strerror or exc}"))
    return listing
