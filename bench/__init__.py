"""Benchmarks for capplan: synthetic fleets, stage timings, peak memory, reference parsers.

Not part of the wheel. Run from the repository root:

    python -m bench --scales S,M,L,XL
    python -m bench.generate --scale M --style inventory -o bench/out/
"""
