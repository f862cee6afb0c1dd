"""Report builder of the claim suite: the registry, the records of a run, summary.json, report.md and plots.

``python -m reports`` rebuilds the Markdown and plots from a summary (or from a run's raw records) and compares
it with a baseline.
"""
