"""Benchmarks: role home pages at demo and district scale, and the roster import.

`make bench` runs them all (`python -m bench.run`); results go to `bench/results/`."""
