"""Committed witnesses reload without pickles and still refute their claims."""

import numpy as np

from landscape.zhang2019.deep_linear import tied_recovery_witness
from reports.registry import witness_path
from theorems.zhang2019.checks import recovery_counterexample_is_certified, verify_recovery_counterexample


def test_committed_tie_witness_reverifies():
    with np.load(witness_path("zhang2019.thm2.recovery"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    checks = verify_recovery_counterexample(arrays)
    assert recovery_counterexample_is_certified(checks), checks
    assert checks["primal_value_recovered"] == 6.5 and checks["dual_value"] == 4.5


def test_committed_witness_matches_its_construction():
    built = tied_recovery_witness()
    with np.load(witness_path("zhang2019.thm2.recovery"), allow_pickle=False) as data:
        assert set(data.files) == set(built)
        for k in built:
            np.testing.assert_array_equal(data[k], built[k])


def test_certificate_rejects_a_doctored_witness():
    arrays = tied_recovery_witness()
    arrays["U"], arrays["Vt"] = np.array([[1.0], [0.0]]), np.array([[1.0, 0.0]])  # the good SVD choice
    assert not recovery_counterexample_is_certified(verify_recovery_counterexample(arrays))
