"""The content-addressed blob store."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from schemas.settings import Settings
from store.blobs import BlobCorruptError, BlobStore
from store.errors import NotFoundError


def test_put_then_get_round_trips_and_is_addressed_by_sha256(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = "견적 요청서 PDF".encode() * 1000
    sha256 = blobs.put(data)
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert blobs.path(sha256) == tmp_path / "blobs" / sha256[:2] / sha256[2:4] / sha256
    assert blobs.exists(sha256)
    assert blobs.get(sha256) == data


def test_putting_the_same_bytes_again_changes_nothing(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha256 = blobs.put(b"same bytes")
    before = blobs.path(sha256).stat()
    assert blobs.put(b"same bytes") == sha256
    assert blobs.path(sha256).stat().st_mtime_ns == before.st_mtime_ns
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha256]


def test_concurrent_puts_of_one_blob_leave_one_file_and_no_temp_files(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    data = os.urandom(256 * 1024)
    with ThreadPoolExecutor(max_workers=8) as pool:
        shas = set(pool.map(lambda _: blobs.put(data), range(16)))
    (sha256,) = shas
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha256]
    assert blobs.get(sha256) == data


def test_empty_bytes_are_a_blob_too(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    assert blobs.get(blobs.put(b"")) == b""


def test_missing_blob_is_not_found(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not blobs.exists(missing)
    with pytest.raises(NotFoundError, match=missing):
        blobs.get(missing)


@pytest.mark.parametrize("name", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64, "A" * 64])
def test_names_other_than_sha256_hex_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        BlobStore(tmp_path).path(name)


def test_changed_bytes_are_reported_not_returned(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha256 = blobs.put(b"original")
    path = blobs.path(sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorruptError, match=sha256):
        blobs.get(sha256)


def test_from_settings_uses_the_blob_dir_under_home(tmp_path: Path) -> None:
    assert BlobStore.from_settings(Settings(home=tmp_path)).root == tmp_path / "blobs"
