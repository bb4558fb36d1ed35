"""Installing the local model: join the parts in order, verify size and sha256, refuse anything else.

These run on a tiny fake set of parts (an artifact with its own expected hash); one test checks that the 22 real
part packages are installed and add up to the official file's size, without reading 1.1 GB.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extractors.local_model import (
    PART_COUNT,
    QWEN_CODER_1_5B,
    ModelArtifact,
    ModelInstallError,
    install_model,
    is_verified,
    packaged_parts,
    verified_model_path,
)
from schemas.settings import Settings


def _fake_parts(folder: Path, contents: list[bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, content in enumerate(contents, start=1):
        path = folder / f"part{number:02d}.bin"
        path.write_bytes(content)
        paths.append(path)
    return paths


class CountingParts:
    """The parts list, counting how often install_model asks for it (a verified install must not)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths, self.calls = paths, 0

    def __call__(self) -> list[Path]:
        self.calls += 1
        return self.paths


@pytest.fixture
def contents() -> list[bytes]:
    return [b"GGUF" + bytes(range(256)) * 40, b"second part " * 700, b"tail"]


@pytest.fixture
def artifact(tmp_path: Path, contents: list[bytes]) -> ModelArtifact:
    joined = b"".join(contents)
    parts = CountingParts(_fake_parts(tmp_path / "parts", contents))
    return ModelArtifact(
        file_name="tiny.gguf", size=len(joined), sha256=hashlib.sha256(joined).hexdigest(), alias="tiny", parts=parts
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", model_dir=tmp_path / "models")


def test_joins_parts_in_order_and_verifies(settings: Settings, artifact: ModelArtifact, contents: list[bytes]) -> None:
    path = install_model(settings, artifact)

    assert path == settings.model_dir / "tiny.gguf"
    assert path.read_bytes() == b"".join(contents)
    assert is_verified(path, artifact)
    assert verified_model_path(settings, artifact) == path
    assert [p.name for p in settings.model_dir.iterdir()] == sorted(["tiny.gguf", "tiny.gguf.verified.json"])


def test_warm_install_reads_no_part(settings: Settings, artifact: ModelArtifact) -> None:
    install_model(settings, artifact)
    install_model(settings, artifact)

    assert artifact.parts.calls == 1  # type: ignore[attr-defined]


def test_changed_file_is_rebuilt(settings: Settings, artifact: ModelArtifact, contents: list[bytes]) -> None:
    path = install_model(settings, artifact)
    path.write_bytes(b"GGUF tampered")

    assert not is_verified(path, artifact)
    with pytest.raises(ModelInstallError, match="not the expected model"):
        verified_model_path(settings, artifact)
    assert install_model(settings, artifact).read_bytes() == b"".join(contents)


def test_unstamped_good_file_is_hashed_not_rebuilt(settings: Settings, artifact: ModelArtifact) -> None:
    path = install_model(settings, artifact)
    (settings.model_dir / "tiny.gguf.verified.json").unlink()

    assert install_model(settings, artifact) == path
    assert artifact.parts.calls == 1  # type: ignore[attr-defined]
    assert is_verified(path, artifact)


def test_corrupted_part_is_refused(tmp_path: Path, settings: Settings, contents: list[bytes]) -> None:
    joined = b"".join(contents)
    corrupted = [contents[0], contents[1][:-1] + b"X", contents[2]]
    artifact = ModelArtifact(
        file_name="tiny.gguf",
        size=len(joined),
        sha256=hashlib.sha256(joined).hexdigest(),
        parts=CountingParts(_fake_parts(tmp_path / "bad", corrupted)),
    )

    with pytest.raises(ModelInstallError) as refused:
        install_model(settings, artifact)

    message = str(refused.value)
    assert artifact.sha256 in message
    assert hashlib.sha256(b"".join(corrupted)).hexdigest() in message
    assert list(settings.model_dir.iterdir()) == []  # neither the model nor a temp file is left behind


def test_missing_part_is_refused(tmp_path: Path, settings: Settings, contents: list[bytes]) -> None:
    paths = _fake_parts(tmp_path / "parts", contents)
    paths[1].unlink()
    artifact = ModelArtifact(file_name="tiny.gguf", size=1, sha256="0" * 64, parts=CountingParts(paths))

    with pytest.raises(ModelInstallError, match=r"part02\.bin is missing"):
        install_model(settings, artifact)
    assert list(settings.model_dir.iterdir()) == []


def test_not_installed_is_reported(settings: Settings, artifact: ModelArtifact) -> None:
    with pytest.raises(FileNotFoundError, match="intake llm install"):
        verified_model_path(settings, artifact)


def test_packaged_parts_are_the_22_official_pieces() -> None:
    parts = packaged_parts()

    assert len(parts) == PART_COUNT
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, PART_COUNT + 1)]
    assert sum(Path(str(p)).stat().st_size for p in parts) == QWEN_CODER_1_5B.size
