"""A labelled data set on disk: `docs/` with the documents and `labels.jsonl`, one object per document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("rfq", "po", "invoice", "other")


@dataclass(frozen=True)
class LabelledItem:
    sku: str
    quantity: int


@dataclass(frozen=True)
class LabelledDocument:
    """One document and what a careful person would extract from it."""

    name: str
    data: bytes
    kind: str
    customer_id: str | None
    items: tuple[LabelledItem, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if "/" in self.name or self.name.startswith("."):
            raise ValueError(f"{self.name}: a document name is a plain file name")

    def label(self) -> dict[str, object]:
        return {
            "file": f"docs/{self.name}",
            "kind": self.kind,
            "customer_id": self.customer_id,
            "items": [{"sku": item.sku, "quantity": item.quantity} for item in self.items],
        }


def write_dataset(out_dir: Path, documents: Sequence[LabelledDocument], overwrite: bool = False) -> Path:
    """Write `out_dir/docs/*` and `out_dir/labels.jsonl`; return the labels file.

    Files already in `docs/` that this set does not contain are an error unless `overwrite`, in which
    case they are removed, so a regenerated set never keeps stale documents without labels.
    """
    names = [doc.name for doc in documents]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate document names: {', '.join(duplicates)}")
    docs_dir = out_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    stale = sorted(p for p in docs_dir.iterdir() if p.is_file() and p.name not in set(names))
    if stale and not overwrite:
        raise FileExistsError(f"{docs_dir} holds files this set does not ({stale[0].name}, ...); use --overwrite")
    for path in stale:
        path.unlink()
    for doc in documents:
        (docs_dir / doc.name).write_bytes(doc.data)
    labels = out_dir / "labels.jsonl"
    labels.write_text("".join(json.dumps(doc.label(), ensure_ascii=False) + "\n" for doc in documents), "utf-8")
    return labels


def read_labels(labels_path: Path) -> list[dict[str, object]]:
    """The label objects of a data set, in file order."""
    lines = labels_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
