"""Root conftest: loads the suite's pytest plugin (Hypothesis profiles, the claim marker, the ``record`` fixture,
the per-run report).  Everything lives in ``reports/plugin.py`` so that it can also be loaded with
``-p reports.plugin`` by the meta-tests.

Torch runs single-threaded: the suite's models are small (<= 10^4 parameters), where intra-op threads only add
synchronization (measured: 4 ms per loss-and-gradient with 2 threads on 2 busy cores, 0.3 ms with one), and
pytest-xdist already uses every core.  Set ``CLAIMS_TORCH_THREADS`` to change it."""

import os

os.environ.setdefault("OMP_NUM_THREADS", os.environ.get("CLAIMS_TORCH_THREADS", "1"))

pytest_plugins = ["reports.plugin", "pytester"]


def pytest_configure(config):
    try:
        import torch
    except ImportError:  # the plugin's own meta-tests may run without torch
        return
    torch.set_num_threads(int(os.environ.get("CLAIMS_TORCH_THREADS", "1")))
