"""Deep linear networks as minimum-norm interpolators: standard, parallel and partly parallel (Wang, Ergen,
Pilanci, ICLR 2023, Sections 3.1-3.2 and Appendix D).

Data ``X`` (N x d, rows are samples), targets ``Y`` (N x K), ``W* = X^+ Y``.  The problems are exact
interpolation problems (``X W_1 ... W_L = Y``); they are finite exactly when ``Y`` lies in the range of ``X``.

Notation of this module.  A *stair net* with ``s`` shared layers generalizes both architectures of the paper:

    f(X) = sum_j  X W_1 ... W_s  B_{s+1,j} ... B_{L-2,j} c_j  r_j^T,

shared matrices ``W_1..W_s``, per-branch matrices ``B_{l,j}``, a per-branch column ``c_j`` (the paper's
``w_{L-1,j}``) and a per-branch output row ``r_j`` (the paper's ``w_{L,j}``).  ``s = L - 2`` is the standard
net (the columns ``c_j`` form ``W_{L-1}``, the rows ``r_j`` form ``W_L``, the branch count is the width
``m_{L-1}``); ``s = 0`` is the parallel net; ``0 < s < L - 2`` are the partly parallel nets of Proposition 8.

Three independent routes to every value:

* closed forms from one SVD of ``W*`` (:class:`ClosedForms`; mutated copies of it drive the meta-tests);
* convex programs solved by Clarabel through CVXPY: the dual ``max tr(Lam^T Y) s.t. ||X^T Lam||_2 <= t^-(L-2)``
  and the bi-dual ``min t^-(L-2) ||Z||_* s.t. X Z = Y``, each with a certificate that does not trust the solver
  (a feasible dual point rescaled into the constraint, a bi-dual point projected onto ``X Z = Y``);
* the non-convex networks themselves, minimized in torch (float64, L-BFGS, several random starts) with the last
  layer solved exactly, ``rows = F^+ Y + (I - F^+ F) Z`` (``F`` the branch outputs), and every run re-evaluated
  in numpy at an explicit interpolating point (residual checked), so each accepted value is an upper bound.

Plus explicit factor constructions (Prop. 2(b), Thm 2 eq. (9), the balanced factors of Prop. 2(c), the
constructive parallel optimum of Thm 4 and one feasible point for every stair of Prop. 9).
"""

from __future__ import annotations

from landscape.core.results import RouteResult
from landscape.wang2023.linear.closed_forms import (
    CLOSED,
    ClosedForms,
    Spectrum,
    check_data,
    check_depth,
    check_scale,
    compact_svd,
    holder_lower_bound,
    perturbation_allowance,
    range_residual,
    schatten,
    spectrum,
)
from landscape.wang2023.linear.convex import (
    aligned_path,
    bidual_t_by_cvxpy,
    dual_constraint_samples,
    dual_t_by_cvxpy,
    equal_values_witness,
    gap_certificate,
    nuclear_bidual_by_cvxpy,
    spectral_dual_by_cvxpy,
)
from landscape.wang2023.linear.stair_net import (
    StairNet,
    balance_branches,
    balance_last_two,
    balanced_factors,
    branch_outputs,
    branch_vectors,
    budget_cost,
    budget_feasible,
    end_to_end,
    parallel_optimum,
    power_cost,
    product_cost,
    stair_factors,
    standard_net,
    truncated_parallel,
    weight_decay_cost,
    weight_decay_power_cost,
)
from landscape.wang2023.linear.training import (
    PENALTIES,
    StairShape,
    lift_first_layer,
    range_basis,
    solve_rows,
    train_stair_net,
)
from landscape.wang2023.tolerances import (
    COND_MAX_INV,
    GAP_MARGIN,
    GRAD_RTOL,
    RANGE_RTOL,
    RESIDUAL_RTOL,
    T_MIN_ARG_RTOL,
    T_MIN_VALUE_RTOL,
    TRAIN_REACHED_RTOL,
)

__all__ = [
    "RouteResult",
    "RANGE_RTOL",
    "RESIDUAL_RTOL",
    "COND_MAX_INV",
    "GRAD_RTOL",
    "TRAIN_REACHED_RTOL",
    "T_MIN_ARG_RTOL",
    "T_MIN_VALUE_RTOL",
    "GAP_MARGIN",
    "check_depth",
    "check_scale",
    "check_data",
    "range_residual",
    "Spectrum",
    "compact_svd",
    "spectrum",
    "schatten",
    "holder_lower_bound",
    "ClosedForms",
    "CLOSED",
    "perturbation_allowance",
    "StairNet",
    "standard_net",
    "branch_vectors",
    "end_to_end",
    "branch_outputs",
    "budget_cost",
    "budget_feasible",
    "weight_decay_cost",
    "power_cost",
    "product_cost",
    "weight_decay_power_cost",
    "balance_branches",
    "balance_last_two",
    "stair_factors",
    "balanced_factors",
    "parallel_optimum",
    "truncated_parallel",
    "spectral_dual_by_cvxpy",
    "nuclear_bidual_by_cvxpy",
    "dual_t_by_cvxpy",
    "bidual_t_by_cvxpy",
    "dual_constraint_samples",
    "aligned_path",
    "StairShape",
    "PENALTIES",
    "train_stair_net",
    "range_basis",
    "lift_first_layer",
    "solve_rows",
    "gap_certificate",
    "equal_values_witness",
]
