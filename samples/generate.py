"""Generate labelled sample documents for any company folder.

    python -m samples.generate OUT_DIR --count N --seed S [--config DIR] [--overwrite]

Writes OUT_DIR/docs/ (mails, PDFs, scans) and OUT_DIR/labels.jsonl. The same company folder, count and
seed always give the same bytes, so generated sets can be committed and regenerated.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from samples.dataset import LabelledDocument, write_dataset
from samples.templates import TEMPLATES, Occasion
from schemas.company import CompanyConfig, ConfigError, load_company
from schemas.settings import PROJECT_ROOT

DEFAULT_CONFIG = PROJECT_ROOT / "samples" / "company"
FIRST_DAY = datetime(2026, 11, 2, 8, 30, tzinfo=ZoneInfo("Asia/Seoul"))


def generate_documents(company: CompanyConfig, count: int, seed: int) -> list[LabelledDocument]:
    """`count` labelled documents; the templates are dealt in a shuffled cycle so small sets still vary."""
    order = list(TEMPLATES)
    random.Random(seed).shuffle(order)
    documents = []
    for index in range(1, count + 1):
        rng = random.Random(f"{seed}:{index}")
        sent_at = FIRST_DAY + timedelta(days=(index - 1) // 4, minutes=rng.randint(0, 9 * 60))
        occasion = Occasion(company=company, rng=rng, index=index, sent_at=sent_at, seed=seed)
        documents.append(order[(index - 1) % len(order)](occasion))
    return documents


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write docs/ and labels.jsonl into")
    parser.add_argument("--count", type=int, default=20, help="how many documents (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; same seed, same bytes (default 1)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="company folder (default samples/company)")
    parser.add_argument("--overwrite", action="store_true", help="remove documents in OUT_DIR/docs not in this set")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        company = load_company(args.config)
        labels = write_dataset(args.out_dir, generate_documents(company, args.count, args.seed), args.overwrite)
    except (ConfigError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.count} documents and {labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
