"""Benchmarks are not tests of claims: they measure speed (pytest-benchmark) and write JSON under
benchmarks/out/.  Run them with the command in README.md."""
