"""Root conftest: loads the suite's pytest plugin (Hypothesis profiles, the claim marker, the ``record`` fixture,
the per-run report).  Everything lives in ``reports/plugin.py`` so that it can also be loaded with
``-p reports.plugin`` by the meta-tests."""
pytest_plugins = ["reports.plugin", "pytester"]
