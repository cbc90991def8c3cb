"""Benchmarks: `make bench` (python -m bench). Each figure is a ratio measured side by side in one run."""
