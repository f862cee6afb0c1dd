"""Exact numerics for the duality gap of multi-branch networks (Zhang, Shao, Salakhutdinov 2019, Thm 1).

Under Assumption 1 (tau above every reachable margin) the tau-hinge loss of an I-branch average network is
linear in the branch outputs, so the training problem separates into

    P = min (1/I) sum_i g_i(w_i)   s.t.  (1/I) sum_i h_i(w_i) <= K,   w_i in W_i,

with one coupling (budget) row; the Lagrangian dual D is the same program over conv of the image sets
S_i = {(h_i(w), g_i(w))}.  The package holds

* ``instances``  the two exact families (``PWLBranches``: intervals with piecewise-linear g, h; ``GridBranches``:
                 finite parameter grids), networks that produce them, and the explicit worst case;
* ``milp``       P by a HiGHS MILP and by enumeration;
* ``dual``       D by exact maximisation of the one-dimensional dual function, by bisection on its
                 supergradient and by HiGHS' LP;
* ``delta``      the theorem's Delta_i and the smaller rho_i, exactly;
* ``bracket``    a certified bracket D <= P <= upper for very many branches.

Everything is float64 and deterministic.  All routes use the budget K_eff = K + feas_tol (feas_tol ~ 1e-14
relative, ``landscape.zhang2019.tolerances.FEAS_RTOL``), so budget ties count alike everywhere; values differ from
those at K by at most lam * feas_tol.  Every route returns a ``landscape.core.results.RouteResult``; HiGHS' results
are re-checked and come back with ok=False, never raised, when they fail.

A fact worth knowing when reading results: with a single coupling row, a vertex of the LP relaxation mixes at most
one branch, and rounding that branch down to the best pure point inside its LP budget costs at most rho_i (see
``rho_exact``); hence I*(P - D) <= rho_worst <= Delta_worst, i.e. the normalised gap never exceeds 1/I (the paper
proves 2/I).  ``explicit_instance`` attains 1/I exactly.
"""

from __future__ import annotations

from landscape.zhang2019.multibranch.bracket import ROUTE_BRACKET, certified_bracket
from landscape.zhang2019.multibranch.delta import BranchMeasure, delta_exact, rho_exact
from landscape.zhang2019.multibranch.dual import (
    ROUTE_BISECTION,
    ROUTE_HULL,
    ROUTE_LP,
    dual_bisection,
    dual_breakpoints,
    dual_lp,
    phi,
)
from landscape.zhang2019.multibranch.instances import (
    GridBranches,
    PWLBranches,
    assumption1_margin,
    explicit_instance,
    explicit_network,
    pwl_from_relu_units,
)
from landscape.zhang2019.multibranch.milp import ROUTE_ENUM, ROUTE_MILP, primal_bruteforce, primal_milp

__all__ = [
    "PWLBranches",
    "GridBranches",
    "BranchMeasure",
    "pwl_from_relu_units",
    "assumption1_margin",
    "primal_milp",
    "dual_lp",
    "dual_breakpoints",
    "dual_bisection",
    "phi",
    "primal_bruteforce",
    "delta_exact",
    "rho_exact",
    "certified_bracket",
    "explicit_instance",
    "explicit_network",
    "ROUTE_MILP",
    "ROUTE_ENUM",
    "ROUTE_LP",
    "ROUTE_HULL",
    "ROUTE_BISECTION",
    "ROUTE_BRACKET",
]
