"""`python -m bench` runs the benchmark runner (see bench/run.py)."""

from bench.run import main

if __name__ == "__main__":
    raise SystemExit(main())
