"""Wall time of the main job under the ci profile: `pytest theorems/ --hypothesis-profile=ci`, run once in a
subprocess (its own report goes to a temporary folder)."""

import subprocess
import sys


def test_bench_theorems_under_ci(benchmark, tmp_path):
    benchmark.group = "whole suite"

    def run():
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "theorems/",
                "--hypothesis-profile=ci",
                "-q",
                "--report-dir",
                str(tmp_path / "out"),
                "--no-plots",
            ],
            capture_output=True,
            text=True,
        )

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    assert result.returncode == 0, result.stdout[-3000:]
