"""Oracle functions of the Kawaguchi et al. (2019) family: each takes an instance and a recorder, computes both
sides of a claim by independent routes and records the outcome.  The theorem tests and the mutation meta-tests
call the same functions (the latter with one formula mutated through a keyword)."""

from __future__ import annotations

# the tolerances module and the point certifier stay reachable through the package, as before the split
from landscape.kawaguchi2019 import tolerances as ktol  # noqa: F401
from landscape.kawaguchi2019.points import certify_point  # noqa: F401
from theorems.kawaguchi2019.checks.failures import (  # noqa: F401
    BarePoint,
    certify_failure,
    check_failure_case,
    gap_certificate,
    witness_arrays,
)
from theorems.kawaguchi2019.checks.highway import (  # noqa: F401
    certify_narrow_highway,
    check_highway,
)
from theorems.kawaguchi2019.checks.lemmas import (  # noqa: F401
    check_lemma1,
    check_lemma2,
    check_lemma3,
    projector_pinv,
    projector_svd,
)
from theorems.kawaguchi2019.checks.linear import (  # noqa: F401
    certify_bottleneck,
    check_linear,
    ols_value,
    reduced_rank_value,
    train_linear,
)
from theorems.kawaguchi2019.checks.props import (  # noqa: F401
    check_prop1,
    check_prop2,
    prop2_losses,
)
from theorems.kawaguchi2019.checks.tangent_checks import (  # noqa: F401
    Tangent,
    at_kink,
    autodiff_gradient,
    check_identity_E,
    check_thm1_at_certified_minima,
    record_jacobians,
    record_tau_version,
    record_three_routes,
    require_resolvable,
    require_resolved_gram_schmidt,
    tangent,
    tau_tolerance,
    z_norm,
)
