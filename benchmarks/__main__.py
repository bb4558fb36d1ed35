"""Run every benchmark module (`benchmarks/*_bench.py`) in turn: `python -m benchmarks [NAME ...]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import benchmarks


def main(names: list[str]) -> int:
    found = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.endswith("_bench"))
    chosen = [n for n in found if not names or n in names or n.removesuffix("_bench") in names]
    if not chosen:
        print(f"no benchmark matches {names}; found: {', '.join(found) or 'none'}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"=== {name}")
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"=== {name} done in {time.perf_counter() - started:.0f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
