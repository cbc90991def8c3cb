"""Run every benchmark and end with one `name: value` line per figure.

Options: --only core,dispatch,importing,metrics,metrics_fresh,load,redraw,browser,sessions,growth
Sizes: BENCH_BOOKINGS=N (default 1,000,000), BENCH_THERAPISTS, BENCH_GROWTH=small,large (see each suite).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The test suite's settings, for every suite (`--only sessions` as much as a full run): a made-up secret, a
# fresh encryption key for this run, fast password hashes, no background sending.
import tests.conftest  # noqa: F401

SUITES = ["core", "dispatch", "importing", "metrics", "metrics_fresh", "load", "redraw", "browser", "sessions",
          "growth"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default=",".join(SUITES))
    args = parser.parse_args()
    from tests.e2e.conftest import CHROMIUM

    if {"redraw", "browser"} & set(args.only.split(",")) and not os.access(CHROMIUM, os.X_OK):
        parser.error("the redraw and browser suites drive Chromium: install it with `make chromium` (make bench does)")
    figures: list[tuple[str, str]] = []

    def report(name: str, value: float | str) -> None:
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        figures.append((name, text))
        print(f"  {name}: {text}", flush=True)

    from bench import data

    try:
        for suite in args.only.split(","):
            module = importlib.import_module(f"bench.{suite}")
            print(f"[{suite}]", flush=True)
            started = time.monotonic()
            module.run(report)
            print(f"[{suite}] done in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        data.clean_up()
    print()
    for name, text in figures:
        print(f"{name}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
