"""Benchmarks: `python -m benchmarks` runs every `benchmarks/*_bench.py` module's `main()` (`make bench`).

Benchmarks measure; they are not tests and assert nothing. Each prints its numbers and the targets they
are held against.
"""
