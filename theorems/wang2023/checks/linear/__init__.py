"""Oracle functions of the deep linear family of Wang, Ergen, Pilanci (ICLR 2023), Sections 3.1-3.2 and Appendix D.

Each check_* function takes one drawn instance and the recorder and makes every comparison of one claim; the
tests in theorems/wang2023/test_linear.py call them, and the meta-tests call them with mutated closed forms.
Witness verifiers (verify_equal_values_witness, verify_flat_rank_one, gap_witness_checks) recompute a
stored witness's certificate from its arrays.
"""

from __future__ import annotations

from theorems.wang2023.checks.linear.closed_forms import (  # noqa: F401
    check_factorization_closed_form,
    check_factorization_training,
    check_primal_factors,
    check_subproblem_closed_forms,
)
from theorems.wang2023.checks.linear.common import (  # noqa: F401
    UNEQUAL,
    C,
    _schatten_allowance,
    _trained,
    check_standard_factors,
    eval_tol,
    note_gap,
    perturbed_costs,
    pinned,
    wstar,
)
from theorems.wang2023.checks.linear.gaps import (  # noqa: F401
    GAP_ROUTES,
    certify_gap_or_none,
    gap_floor,
    record_certified_gap,
)
from theorems.wang2023.checks.linear.parallel import (  # noqa: F401
    check_bidual_parallel,
    check_parallel_weight_decay,
    check_parallel_zero_gap,
    check_partly_parallel,
    check_power_penalty,
    random_parallel_net,
)
from theorems.wang2023.checks.linear.stairs import (  # noqa: F401
    TABLE_SPREADS,
    THM1_SPREADS,
    check_staircase,
    check_thm1,
    stair_bounds,
)
from theorems.wang2023.checks.linear.witnesses import (  # noqa: F401
    SWEEP_L,
    SWEEP_SPREAD,
    equal_values_witness_is_certified,
    flat_rank_one_is_certified,
    gap_witness_checks,
    rank_one_zero_value_instance,
    sweep_instance,
    verify_equal_values_witness,
    verify_flat_rank_one,
)
