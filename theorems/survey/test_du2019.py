"""Du, Lee, Li, Wang, Zhai (ICML 2019), "Gradient descent finds global minima of deep neural networks", as the
survey "How to convexify your neural network" restates it (Section 3.1.1): the limiting Gram matrix K^(H) of a deep
fully connected net (Definition 1) and linear convergence of gradient descent on wide nets (Theorem, eq. 15).

Routes for K^(H): the arc-cosine closed forms (ReLU), the recursion by polar and by tensor Gauss-Hermite
quadrature (any activation), and finite random networks in torch averaged over initialisations.  The survey's
Definition 1 takes the last expectation over A^(H-1); the empirical route shows the limit uses A^(H) (the covariance
of W^(H) x^(H-1)), so the printed form is registered as an erratum and the tests check the corrected one.
The convergence theorem's constants are unspecified: its tests corroborate it (rate bound, lazy weights) and find
where it stops holding (narrow nets, large steps).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.survey import du2019 as du
from landscape.survey import tolerances as stol
from reports.registry import witness_path
from strategies import budget
from strategies.survey import GDInstance, GramInstance, gd_instances, gram_instances
from theorems.survey.checks import (
    check_gd_rate,
    check_gram_empirical,
    check_gram_routes,
    check_one_step_dynamics,
    find_gd_violation,
    printed_witness_certified,
    rate_ratio,
    verify_gd_violation,
    verify_parallel_witness,
    verify_printed_witness,
    width_sweep,
)

_X3 = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])


# ------------------------------------------------------------------------------------------------------------
# du2019.gram
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "du2019.gram",
    covers=(
        "n 2-7 unit inputs in R^2-4, H 1-5; ReLU, tanh, softplus, sin, gelu, sigmoid; a pair at the minimum angle "
        "1e-2 or pi - 1e-2 (boundary)"
    ),
)
@budget(1.0)
@given(inst=gram_instances())
@example(inst=GramInstance(_X3, 3, "relu", 0))
@example(inst=GramInstance(_X3, 10, "tanh", 0))
def test_limiting_gram_matrix_routes_agree_and_it_is_positive_definite(inst, record):
    check_gram_routes(inst, record)


@pytest.mark.claim(
    "du2019.gram",
    covers=(
        "n 2-5 unit inputs in R^2-4, H 1-3; ReLU, tanh, softplus, sin; boundary-angle pairs; finite random nets "
        "averaged over draws"
    ),
)
@budget(0.8)
@given(inst=gram_instances(acts=("relu", "tanh", "softplus", "sin"), max_n=5, H=(1, 3)))
def test_empirical_gram_of_random_nets_converges_to_the_recursion(inst, record):
    check_gram_empirical(inst, record)


SWEEP_WIDTHS = (16, 32, 64, 128, 256)
SWEEP_DRAWS = 256


@pytest.mark.claim(
    "du2019.gram", covers="fixed sweep: ReLU, H 2, three fixed unit inputs, widths 16-256 with 256 draws each"
)
def test_gram_agreement_against_width(record):
    """ReLU, H = 2, three fixed inputs, widths 16..256 with 256 draws each: the empirical error against the
    corrected recursion stays within its sampling scale 1/sqrt(m R) (plus the 1/m bias); against the printed
    recursion it does not fall below their distance, so the printed form is decisively off from m ~ 128 on.  The
    closed-form-vs-quadrature distance is a width-free line in the same plot."""
    X, H, act = _X3, 2, "relu"
    quad_err = float(
        np.max(np.abs(du.gram_recursion(X, H, act, method="closed").K - du.gram_recursion(X, H, act, method="polar").K))
    )
    inst = f"{act}, H={H}, n=3 fixed inputs, {SWEEP_DRAWS} draws per width"
    for row in width_sweep(X, H, act, SWEEP_WIDTHS, SWEEP_DRAWS, 11):
        m = row["width"]
        record.note(
            "sweep: empirical max error vs limit",
            row["err_limit"],
            instance=f"{inst}; m={m}",
            extra=dict(row, act=act, err_quadrature=quad_err),
        )
        record.leq(
            row["z_limit"],
            stol.EMPIRICAL_Z,
            tol=0.0,
            instance=f"{inst}; m={m}",
            what="sweep: empirical Gram within 5 standard errors (+ bias/m) of K^(H)",
            routes=("finite random nets (torch)", "recursion"),
        )


@pytest.mark.claim(
    "du2019.gram.printed-recursion",
    covers="committed witness relu-H2 (ReLU, H 2, two inputs at 1.34 rad, 2048 nets of width 128), re-verified",
)
def test_printed_definition_misses_the_empirical_gram(record):
    with np.load(witness_path("du2019.gram.printed-recursion"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    checks = verify_printed_witness(arrays)
    record.witness(
        "relu-H2",
        arrays,
        certified=printed_witness_certified(checks),
        checks=checks,
        instance="ReLU, H = 2, x_1 = e_1, x_2 at 1.34 rad; mean of G^(2) over 2048 nets of width 128 vs "
        "K^(2) with the last expectation over A^(1) (printed) and A^(2) (limit)",
    )


@pytest.mark.claim(
    "du2019.gram.parallel-inputs", covers="fixed inputs with x_2 = +x_0 (ReLU, tanh, softplus) or -x_0 (tanh, sin), H 3"
)
@pytest.mark.parametrize("act, sign", [("relu", 1.0), ("tanh", 1.0), ("softplus", 1.0), ("tanh", -1.0), ("sin", -1.0)])
def test_parallel_inputs_make_the_gram_singular(act, sign, record):
    """x_2 = sign * x_0 (a repeated input; an antiparallel one for odd activations): K^(H) v = 0 with
    v = e_0 - sign e_2, certified by the rows' equality up to sign."""
    X = _X3.copy()
    X[2] = sign * X[0]
    H = 3
    checks = verify_parallel_witness(X, H, act, 0, 2, sign)
    atol = stol.eig_atol(checks["norm"], 3)
    record.witness(
        f"{act}-{'repeated' if sign > 0 else 'antiparallel'}",
        {"X": X, "H": np.array(H)},
        certified=bool(checks["|K v|"] <= atol and checks["lambda_min"] <= atol),
        checks=checks,
        instance=f"{act}, H={H}, x_2 = {'+' if sign > 0 else '-'}x_0",
    )
    if act == "tanh" and sign < 0:  # ReLU is not odd: the antiparallel pair stays non-degenerate (recorded)
        Xr = _X3.copy()
        Xr[2] = -Xr[0]
        lam = du.gram_recursion(Xr, H, "relu", method="closed").lam_min
        record.note("relu lambda_min with an antiparallel pair", lam, instance="relu, H=3, x_2 = -x_0")


# ------------------------------------------------------------------------------------------------------------
# du2019.thm
# ------------------------------------------------------------------------------------------------------------
_X4 = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-0.8, 0.6]])


@pytest.mark.claim(
    "du2019.thm",
    covers=(
        "n 2-6 unit inputs in R^2-4, labels in [-1, 1], H 2-3; tanh, softplus, sin, gelu; widths 128/256; step "
        "0.25-1 of the stable limit"
    ),
)
@budget(0.8)
@given(inst=gd_instances())
@example(inst=GDInstance(_X4, np.array([1.0, -1.0, 0.5, 0.2]), 3, "tanh", 512, 1.0, 1))
def test_gradient_descent_on_wide_nets_converges_linearly(inst, record):
    check_gd_rate(inst, record)


GD_WIDTHS = (64, 128, 256, 512)


@pytest.mark.claim(
    "du2019.thm",
    covers="fixed sweep: tanh, H 2, four fixed inputs, widths 64-512, seeds 3-5, step 0.5/lambda_max(G(0))",
)
def test_weights_stay_near_initialisation_as_width_grows(record):
    """One input set, widths 64..512, three initialisations each: the rate ratio and the weight movement
    (1/sqrt(m)) max_h ||W(k) - W(0)||_2 after 60 steps (mean over the seeds); the log-log slope of the movement
    against the width (theory: -1/2)."""
    X, y, H, act = _X4, np.array([1.0, -1.0, 0.5, 0.2]), 2, "tanh"
    lam0 = du.gram_recursion(X, H, act, method="polar").lam_min
    moves = []
    for m in GD_WIDTHS:
        runs = [du.gd_run(X, y, H, m, act, seed=s, step_scale=0.5, steps=60) for s in (3, 4, 5)]
        ratio = max(rate_ratio(r.losses, r.eta, lam0)[0] for r in runs)
        moves.append(float(np.mean([r.movement.max() for r in runs])))
        inst = f"{act}, H={H}, n=4 fixed inputs, m={m}, eta=0.5/lambda_max(G(0)), seeds 3-5"
        record.note(
            "sweep: weight movement",
            moves[-1],
            instance=inst,
            extra={
                "width": m,
                "rate_ratio": ratio,
                "lambda0": lam0,
                "seeds": 3,
                "final_loss_ratio": float(np.mean([r.losses[-1] / r.losses[0] for r in runs])),
                "lambda0_measured": float(np.mean([r.lam0 for r in runs])),
            },
        )
        record.leq(
            ratio,
            1.0,
            tol=stol.GD_RTOL,
            instance=inst,
            what="sweep: L(k) <= (1 - eta lambda_min(K^(H)) / 2)^k L(0)",
            routes=("gradient descent (torch autograd)", "rate from lambda_min(K^(H)) (quadrature)"),
        )
    slope = float(np.polyfit(np.log(GD_WIDTHS), np.log(moves), 1)[0])
    record.note("weight movement log-log slope", slope, instance="tanh sweep", extra={"widths": list(GD_WIDTHS)})
    record.leq(
        slope,
        -0.25,
        tol=0.0,
        instance="tanh, H=2, widths 64..512",
        what="weight movement decreases with width (log-log slope <= -1/4; theory -1/2)",
        routes=("gradient descent (torch autograd)", "O(1/sqrt(m)) laziness"),
    )


NARROW_WIDTHS = (2, 4, 8, 16, 32)


@pytest.mark.claim(
    "du2019.thm.narrow",
    covers="first violating seed of softplus, H 3, n 3, width 4; sweep over widths 2-32 on six seeded n = 5 data sets",
)
def test_rate_bound_fails_on_narrow_nets(record):
    arrays = find_gd_violation(3, "softplus", 4, 0.5)
    if arrays is None:
        record.inconclusive("no narrow-net violation among the searched seeds")
    checks = verify_gd_violation(arrays, "softplus")
    record.witness(
        "softplus-m4",
        arrays,
        certified=bool(checks["excess_ratio"] > 1.0 + 1e-3),
        checks=checks,
        instance=f"softplus, H=3, n=3, width 4, eta=0.5/lambda_max(G(0)), seed {int(arrays['seed'])}",
    )
    # where it stops holding: the fraction of seeds whose trajectory leaves the bound, per width (n = 5, a step
    # of 1 / lambda_max(G(0)), inside the stable range; measured 2/6, 2/6, 1/6, 0/6, 0/6 for m = 2 ... 32)
    data = []
    for s in range(6):
        rng = np.random.default_rng(s)
        X = rng.normal(size=(5, 3))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        data.append((X, rng.uniform(-1.0, 1.0, 5), du.gram_recursion(X, 3, "softplus", method="polar").lam_min))
    for m in NARROW_WIDTHS:
        broken = []
        for s, (X, y, lam) in enumerate(data):
            run = du.gd_run(X, y, 3, m, "softplus", s, step_scale=1.0, steps=150)
            broken.append(rate_ratio(run.losses, run.eta, lam)[0] > 1.0 + 1e-3)
        record.note(
            "sweep: fraction of seeds leaving the rate bound",
            float(np.mean(broken)),
            instance=f"softplus, H=3, n=5, eta=1/lambda_max(G(0)), 150 steps, m={m}",
            extra={"width": m, "seeds": len(broken), "violations": int(np.sum(broken))},
        )


@pytest.mark.claim(
    "du2019.thm.large-step", covers="first violating seed of tanh, H 2, n 3, width 256, step 2.5/lambda_max(G(0))"
)
def test_rate_bound_fails_above_the_stable_step(record):
    arrays = find_gd_violation(2, "tanh", 256, 2.5, steps=20)
    if arrays is None:
        record.inconclusive("no large-step violation among the searched seeds")
    checks = verify_gd_violation(arrays, "tanh")
    record.witness(
        "tanh-eta2.5",
        arrays,
        certified=bool(checks["excess_ratio"] > 1.0 + 1e-3),
        checks=checks,
        instance=f"tanh, H=2, n=3, width 256, eta=2.5/lambda_max(G(0)), seed {int(arrays['seed'])}",
    )


def _gd_instance_from_seed(seed: int, n: int, d: int, H: int, act: str, width: int) -> GDInstance:
    """The GDInstance that ``gd_instances`` builds from this seed (inputs and labels from the same generator)."""
    from strategies.survey import spread_unit_vectors

    rng = np.random.default_rng(seed)
    X = spread_unit_vectors(rng, n, d, 0.1)
    return GDInstance(X, rng.uniform(-1.0, 1.0, n), H, act, width, 1.0, seed)


# nightly's failing draw: |c_2| = 0.178 against |c_3| = 394, so eta = 0.02 / lambda_max gave eta |c_3| / |c_2| = 3.2,
# outside the asymptotic regime (extrapolated ratio 5.08); with the step capped at 0.15 |c_2| / |c_3| it is 4.007
_SMALL_C2 = _gd_instance_from_seed(93997, 2, 2, 2, "tanh", 16)


@pytest.mark.claim(
    "du2019.dynamics",
    covers=(
        "n 2-6 unit inputs in R^2-4, H 2-3; tanh, softplus, sin, gelu, sigmoid; widths 16/64; a small-|c_2| seed "
        "as explicit example"
    ),
)
@budget(1.0)
@given(inst=gd_instances(acts=("tanh", "softplus", "sin", "gelu", "sigmoid"), widths=(16, 64), H=(2, 3)))
@example(inst=_SMALL_C2)
def test_residual_dynamics_hold_to_second_order(inst, record):
    check_one_step_dynamics(inst, record)


@pytest.mark.claim(
    "du2019.dynamics", covers="fixed ReLU nets (outside the assumptions): H 2, width 64, four inputs in R^3, seeds 0-5"
)
def test_relu_breaks_the_second_order_expansion(record):
    """Outside the smoothness assumption: with ReLU an activation pattern can flip inside the step, and the
    residual ratio q(eta) = r(eta) / r(eta/2) need not approach 4 (recorded, not asserted: the theorem excludes
    ReLU)."""
    from strategies.survey import spread_unit_vectors

    ratios = []
    for s in range(6):
        rng = np.random.default_rng(s)
        inst = GDInstance(spread_unit_vectors(rng, 4, 3, 0.1), rng.uniform(-1, 1, 4), 2, "relu", 64, 1.0, s)
        net = du.init_net(3, 2, 64, "relu", s)
        eta = 0.02 / float(np.linalg.eigvalsh(du.full_ntk(net, inst.X))[-1])
        ratios.append(
            du.one_step_residual(net, inst.X, inst.y, eta) / du.one_step_residual(net, inst.X, inst.y, eta / 2)
        )
    record.note(
        "relu one-step residual ratios (outside the assumptions)",
        float(np.max(np.abs(np.array(ratios) - 4))),
        instance="relu, H=2, m=64, seeds 0-5",
        extra={"ratios": ratios},
    )
