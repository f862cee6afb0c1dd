"""The failure cases of Liang, Sun, Li, Srikant (ICML 2018): bad local minima of Propositions 2-7, Example 1 and
Appendix B.8, each built explicitly, with its own exact local argument.

One module per construction group:

* ``constant``        the constant model every dead-unit point reduces to (loss, slope, best constant by root finding);
* ``linear``          the convex linear model (Newton, CVXPY/Clarabel) and the affine-separability LP;
* ``base``            ``BadPoint``, the local sample points, regime margins, the error-free competitor;
* ``dead``            Propositions 2, 6, 7 (dead units);
* ``linear_regime``   Proposition 3 (units in their linear piece);
* ``symmetric``       Proposition 4 (sigmoid class on a symmetric sample, Jensen);
* ``curved``          Proposition 5 (quadratic class at W = 0; Hessian block, cone route);
* ``certificates``    the certifier at a constructed point plus each construction's exact local argument;
* ``example1``        Example 1 (population quadratic loss, exact rationals);
* ``appendix_b8``     Appendix B.8 (quadratic loss on samples, exact least squares and enumeration).

The paper's appendix (where the constructions live) is not available; every instance is a reconstruction (see the
shared catalog).  Data generators live in :mod:`landscape.liang2018.data`, tolerances in
:mod:`landscape.liang2018.tolerances`, witness I/O in :mod:`landscape.liang2018.witnesses` and the random-start
search in :mod:`landscape.liang2018.minima`; their names are re-exported here so ``constructions.X`` keeps working.
"""

from __future__ import annotations

from landscape.liang2018.constructions.appendix_b8 import (  # noqa: F401
    B8_DISTRIBUTIONS,
    B8_INSTANCES,
    B8_S_POSITIVE_A,
    b8_bad_patterns,
    b8_features,
    b8_network,
    b8_patterns,
    b8_realize,
    b8_sample,
    b8_train,
    exact_error_count,
    exact_least_squares_fit,
    quadratic_loss_objective,
)
from landscape.liang2018.constructions.base import (  # noqa: F401
    BadPoint,
    dead_unit_margin,
    fmt_vector,
    live_unit_margin,
    local_samples,
    scale_to_zero_loss,
    zero_error_shallow,
)
from landscape.liang2018.constructions.certificates import (  # noqa: F401
    LocalArgument,
    PointCertificate,
    certify_point,
    local_argument,
)
from landscape.liang2018.constructions.constant import (  # noqa: F401
    constant_loss,
    constant_loss_slope,
    constant_optimum_by_root,
)
from landscape.liang2018.constructions.curved import (  # noqa: F401
    ConeValues,
    curved_block,
    flipped_descent_point,
    prop5_cone_values,
    prop5_constant_point,
    second_derivative_at_zero,
    weighted_second_moment,
)
from landscape.liang2018.constructions.dead import (  # noqa: F401
    first_layer,
    prop2_dead_point,
    prop6_dead_first_layer,
    prop7_shortcut_point,
)
from landscape.liang2018.constructions.example1 import (  # noqa: F401
    EX1_POSITIVE,
    ex1_error_exact,
    ex1_gradient_by_quadrature,
    ex1_hessian_exact,
    ex1_loss_by_quadrature,
    ex1_loss_exact,
    ex1_midpoint_sample,
    ex1_minimize_by_quadrature,
    ex1_minimizer_exact,
)
from landscape.liang2018.constructions.linear import (  # noqa: F401
    LinearOptimum,
    affinely_separable,
    linear_model_by_cvxpy,
    linear_model_by_newton,
    linear_model_loss,
)
from landscape.liang2018.constructions.linear_regime import (  # noqa: F401
    prop3_linear_point,
)
from landscape.liang2018.constructions.symmetric import (  # noqa: F401
    jensen_argument,
    pair_sums,
    prop4_constant_point,
    sigmoid_class_constant,
)
from landscape.liang2018.data import (  # noqa: F401
    class_counts,
    draw_subspace_t,
    half_space_separable_data,
    half_space_subspace_data,
    min_class_errors,
    prop5_data,
    symmetric_sample,
)
from landscape.liang2018.minima import FoundMinimum, search_bad_minima  # noqa: F401,E402
from landscape.liang2018.models import IdentityShortcutProblem  # noqa: F401,E402
from landscape.liang2018.tolerances import (  # noqa: F401
    CONSTANT_OPTIMUM_TOL,
    CONSTRUCTION_EIG_TOL,
    CONSTRUCTION_GRAD_TOL,
    CURVATURE_FD_RTOL,
    EPS64,
    EX1_GRAD_TOL,
    EX1_VALUE_TOL,
    INTEGER_TOL,
    LSQ_FIT_TOL,
    NEWTON_GRAD_TOL,
    PERTURBATION_RADII,
    conic_poly_hinge_value,
    ex1_sample_tol,
    loss_eval_tol,
    newton_grad_allowance,
    strict_decrease,
)
from landscape.liang2018.witnesses import bad_point_from_arrays, readable_instances, witness_arrays  # noqa: F401,E402
