"""Rebuild samples/inbox (docs/ and labels.jsonl) from the curated sources."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from samples.curated import curated_documents
from samples.dataset import write_dataset
from schemas.company import load_company
from schemas.settings import PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.curated", description=__doc__)
    parser.add_argument("out_dir", nargs="?", type=Path, default=PROJECT_ROOT / "samples" / "inbox")
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "samples" / "company")
    args = parser.parse_args(argv)
    documents = curated_documents(load_company(args.config))
    labels = write_dataset(args.out_dir, documents, overwrite=True)
    print(f"wrote {len(documents)} documents and {labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
