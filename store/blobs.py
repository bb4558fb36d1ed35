"""Content-addressed blob store: the original bytes of every input, part and output, named by their sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from schemas.settings import Settings
from store.errors import NotFoundError, StoreError

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BlobCorruptError(StoreError):
    """A blob's bytes no longer hash to its name (disk damage or tampering)."""


class BlobStore:
    """Files at `root/ab/cd/<sha256>`; written once through a temp file, fsync and an atomic rename."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BlobStore:
        return cls((settings or Settings()).blob_dir)

    def path(self, sha256: str) -> Path:
        if not _SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Keep `data` and return its sha256; storing the same bytes again writes nothing."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        # The temp file sits beside the target so the rename stays on one file system (and atomic).
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes named `sha256`; raises NotFoundError if absent, BlobCorruptError if they changed."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"blob {sha256} is not in {self.root}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorruptError(f"blob {sha256} in {self.root} does not match its sha256")
        return data


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable: without it a crash can lose the directory entry.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
