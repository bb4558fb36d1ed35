"""Turn command-line paths into the files to process."""

from __future__ import annotations

from pathlib import Path


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders contribute their files (recursively, sorted, hidden files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)  # a missing file is reported as failed ("cannot read"), not dropped
    return files
