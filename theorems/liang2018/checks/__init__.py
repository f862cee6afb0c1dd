"""Oracle functions of the Liang, Sun, Li, Srikant (ICML 2018) claim tests: each ``check_*`` takes an instance and
the recorder, computes the claim's sides by independent routes and records the comparisons.  The test modules of
this package call them once per example; the meta-tests in ``tests/`` import them from here (never from a test
module) to run them on mutated numerics."""

from __future__ import annotations

from theorems.liang2018.checks.conditions import (  # noqa: F401
    BadMinimumSpec,
    check_bad_minimum,
    check_constant_critical_point,
    check_constant_critical_point_misclassifies,
    check_error_below_loss,
    check_error_free_points_are_not_critical,
    check_euler_identity,
    check_no_local_minimum,
    check_quadratic_if_side,
    check_sdp_side,
    check_shift_and_scale,
    check_spare_neuron_descent,
    check_subspace_condition,
    finite_or_none,
    finite_point,
    finite_runs,
    lemma_bounds,
)
from theorems.liang2018.checks.counterexamples import (  # noqa: F401
    CHECKS,
    EX1_SAMPLE_N,
    b8_assumptions,
    b8_check,
    check_best_constant,
    check_example1,
    check_linear_optimum,
    check_point,
    check_prop2,
    check_prop3,
    check_prop4,
    check_prop5,
    check_prop6,
    check_prop7,
    check_regime,
    committed_witness,
    ex1_values,
    exact,
    paper_error_claim,
    reverify_readable,
)
from theorems.liang2018.checks.zero_error import (  # noqa: F401
    _CURVATURE,
    _EXACT,
    _GRID,
    _H,
    CENSUS_NOTE,
    TABLE1_NOTE,
    admissible_lambdas,
    check_spare_neuron_move,
    check_subspace_lemma,
    check_thm2_certificate,
    check_zero_error_at_minima,
    class_membership,
    convexity_gap,
    record_census,
    record_table1_cell,
    sigma_prime,
    thm2_certificate,
    thm2_error_certificate,
)
