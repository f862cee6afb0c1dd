"""Deep ReLU networks in minimum-norm interpolation (Wang, Ergen, Pilanci, ICLR 2023, Section 4).

Data ``X`` (N x d, ROWS are samples), targets ``Y`` (N x K).  No biases anywhere.

* A *branch* of depth L is a list ``[W_1, ..., W_{L-2}, w_{L-1}]`` (matrices, then a vector); its output on X is
  ``f(X) = relu(... relu(relu(X W_1) W_2) ... w_{L-1}) in R^N``.  A *parallel* net sums branches through last-layer
  rows: ``sum_j f_j(X) w_{L,j}^T``.  Problem (23): minimize ``sum_j ||w_{L,j}||`` over parallel nets with every
  branch layer of Frobenius norm <= 1 that interpolate Y; problem (22) is the same net with the penalty
  ``beta sum_j sum_l ||W_{l,j}||^L`` (value beta L times (23), by AM-GM).  Dual (24): maximize ``tr(Lam^T Y)``
  subject to ``||Lam^T f(X)|| <= 1`` for every branch with unit-bounded layers.
* The *standard* three-layer net ``relu(relu(X W_1) W_2) w_3`` with weight decay ``1/2 sum_l ||W_l||_F^2`` (17);
  after optimizing the scale t of W_1 it is ``min_t t^2/2 + P(t)`` with P(t) the subproblem (18), whose dual (20)
  has the constraint set ``A(t) = t A(1)``, A(1) the outputs of unit-bounded three-layer branches.  Hence
  ``D(t) = D(1)/t`` and the overall dual value is ``3/2 D(1)^(2/3)``; the same holds for P.

Routes, kept independent of one another:

* rank-one data ``X = c a^T``: every branch output is ``alpha c_+ + beta c_-`` with ``alpha, beta >= 0`` and
  ``alpha + beta <= ||a||`` for every depth (the first layer splits ``h = W_1^T a`` into the disjoint parts h_+,
  h_- with ``||h_+||^2 + ||h_-||^2 <= ||a||^2``; the second layer, Frobenius norm <= 1, maps them to u, v with
  ``||u|| + ||v|| <= ||a||``, and later layers do not increase it), so the dual is a two-constraint
  problem with the closed form ``(||g_1|| + ||g_2||)/||a||`` for ``Y = c_+ g_1^T + c_- g_2^T``
  (``rank_one_dual_closed_form``; solved by CVXPY/HiGHS in ``rank_one_dual_by_cvxpy``/``..._by_highs``); the
  optimal branches are explicit (``rank_one_vertex_branches``) and Theorem 5's stated standard-net weights are
  built by ``thm5_stated_weights``.  For labels of mixed sign (g_1 g_2 < 0, K = 1) the standard net's value is
  ``(|g_1|^(2/3) + |g_2|^(2/3))^(3/2)/||a||`` instead (``rank_one_standard_value``, derived below): a gap.
* sampled-constraint duals (``sampled_dual``): constraints only at sampled branches, an UPPER bound on the dual;
  its LP dual is the group lasso over the sampled branches, an explicit parallel net.
* three-layer nets, K = 1, small data (``l3_*``): the exact dual constraint.  With ``z = relu(X W_1) w_2`` ranging
  over ``C = conv(+-{relu(X u) : ||u|| <= 1})`` (split W_1, w_2 into units, Cauchy-Schwarz), and relu linear on each
  orthant, ``max_branch |lam^T f(X)|`` is a maximum of second-order cone programs, one per orthant and sign, over the
  arrangement cells of X.  ``l3_constraint_value`` evaluates it (certifying a dual point), ``l3_dual_exact``
  solves the exact dual (robust counterpart of those programs) and ``l3_bidual_exact`` its conic dual, the convex
  program of the parallel net, whose solution is turned into explicit branches.
* non-convex training (torch float64, L-BFGS with a smoothing schedule, several starts): ``train_parallel`` for
  (23) with the last layer solved exactly (minimum-norm solve in the variational form of the group norm, then the
  exact group lasso for the final branches), ``train_standard3`` for (17) with ``w_3 = F^+ Y``.
"""

from __future__ import annotations

from landscape.wang2023.relu.general import (  # noqa: F401
    exact_fit,
    features_of,
    group_lasso,
    l3_bidual_exact,
    l3_constraint_value,
    l3_dual_exact,
    sample_branches,
    sampled_dual,
)
from landscape.wang2023.relu.networks import (  # noqa: F401
    ParallelNet,
    balance_standard3,
    branch_output,
    interpolation_residual,
    layer_norms,
    reached,
    relu,
    standard3_cost,
    standard3_output,
)
from landscape.wang2023.relu.rank_one import (  # noqa: F401
    RankOneData,
    mixed_sign_standard_net,
    overall_from_scaled,
    rank_one_dual_by_cvxpy,
    rank_one_dual_by_highs,
    rank_one_dual_closed_form,
    rank_one_standard_value,
    rank_one_vertex_branches,
    standard_lower_bound_certificate,
    thm5_mixed_sign_witness,
    thm5_overall_weights,
    thm5_stated_weights,
    triangle_coordinates,
)
from landscape.wang2023.relu.training import (  # noqa: F401
    train_parallel,
    train_standard3,
)
