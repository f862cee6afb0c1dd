"""Liang, Sun, Li, Srikant (ICML 2018), Sections 4.1-4.3: where Theorems 1 and 2 stop holding.

Each failure case is built explicitly (the paper's appendix is unavailable; the constructions are the catalog's
reconstructions) on data drawn from the proposition's distribution by Hypothesis, and on one small readable
instance whose committed witness (``reports/witnesses/``) is re-verified from disk:

* Proposition 2 (ReLU class): every neuron dead, the network a constant; Thm-1 and Thm-2 data.
* Proposition 3 (leaky-ReLU class): every neuron in its linear piece, the network the best linear classifier.
* Proposition 4 (sigmoid class): W = 0 on a symmetric sample, a global minimum by Jensen's inequality.
* Proposition 5 (quadratic class): W = 0 on separable data with the output weights of the uphill sign.
* Proposition 6 (feed-forward ReLU, no shortcut): a dead first layer.
* Proposition 7 (identity shortcut): a dead residual branch, the network the best linear classifier.
* Example 1 (quadratic loss, population): the unique global minimum misclassifies exactly 1/16.
* Appendix B.8 (quadratic loss, samples): every global minimum errs on more than 1/8 of the sample.

Routes per point: the certifier (autograd gradient, dense Hessian, perturbations), the construction's exact local
argument in numpy (units keep their regime on a ball of computed radius, the loss there reduces to a convex
model whose optimum comes from a second route: root finding, Newton's method, CVXPY/Clarabel, or exact rational
arithmetic), training errors counted exactly, and an error-free (or lower) point of the same model.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from landscape.liang2018 import models as lg
from landscape.liang2018 import constructions as lc
from landscape.core import tolerances as tol
from reports.registry import WITNESS_DIR
from strategies import budget


# ------------------------------------------------------------------------------------------------------------
# Strategies: the propositions' distributions, the constructions rebuilt on every draw
# ------------------------------------------------------------------------------------------------------------
@st.composite
def prop2_instances(draw, act: str = "relu"):
    """Thm-1 data (t ~ U[-1, 1]) with Theorem 1's width, or Thm-2 data (u ~ U[0, 1]) with any width; a constant
    second network f_D = c; random output weights; any loss degree p >= 2 (the proposition's range; p >= 6,
    resp. p >= 3, puts the instance inside Theorem 1's, resp. Theorem 2's, assumptions)."""
    version = draw(st.sampled_from(["thm1", "thm2"]), label="data version")
    n_plus, n_minus = draw(st.integers(1, 10), label="n+"), draw(st.integers(1, 10), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if version == "thm1":
        X, y = lc.half_space_subspace_data(*lc.draw_subspace_t(rng, n_plus, n_minus))
        M = lg.required_width_thm1(n_plus + n_minus, 2, 2, 1) + draw(st.integers(0, 2), label="surplus")
    else:
        X, y = lc.half_space_separable_data(rng.uniform(0, 1, n_plus), rng.uniform(0, 1, n_minus))
        M = draw(st.integers(1, 6), label="M")
    p = draw(st.integers(2, 8), label="p")
    offset = draw(st.sampled_from([0.0, 0.7, -1.3]), label="f_D constant")
    return lc.prop2_dead_point(X, y, M, act, p, a=rng.standard_normal(M), offset=offset, seed=seed,
                               description=f"prop2 {version} data n+={n_plus} n-={n_minus} M={M} act={act} p={p} "
                                           f"f_D={offset} seed={seed}")


@st.composite
def event_data(draw, max_per_class: int = 10):
    """Thm-1 data of Propositions 3 and 7 on their event: each class holds both signs of t."""
    n_plus, n_minus = draw(st.integers(2, max_per_class), label="n+"), draw(st.integers(2, max_per_class), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X, y = lc.half_space_subspace_data(*lc.draw_subspace_t(rng, n_plus, n_minus, both_signs=True))
    return X, y, seed


@st.composite
def prop3_instances(draw, act: str = "leaky_relu"):
    X, y, seed = draw(event_data())
    M = lg.required_width_thm1(len(y), 2, 2, 1) + draw(st.integers(0, 2), label="surplus")
    p = draw(st.integers(2, 8), label="p")
    return lc.prop3_linear_point(X, y, M, act, p, seed=seed, description=(
        f"prop3 event data n+={int(np.sum(y > 0))} n-={int(np.sum(y < 0))} M={M} act={act} p={p} seed={seed}"))


@st.composite
def prop4_instances(draw, act: str = "tanh"):
    """The symmetric event: k copies of +-e1 (positives), m of +-e2 (negatives), in a random orthonormal basis;
    Theorem 1's width for the 2n = 2k + 2m samples (Delta r = 1)."""
    k, m = draw(st.integers(1, 5), label="k"), draw(st.integers(1, 5), label="m")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((2, 2)))[0] if draw(st.booleans(), label="rotate") else None
    X, y = lc.symmetric_sample(k, m, Q)
    M = lg.required_width_thm1(len(y), 1, 1, 1) + draw(st.integers(0, 2), label="surplus")
    p = draw(st.integers(2, 8), label="p")
    return lc.prop4_constant_point(X, y, M, act, p, a=rng.standard_normal(M), seed=seed, description=(
        f"prop4 symmetric sample k={k} m={m} rotated={Q is not None} M={M} act={act} p={p} seed={seed}"))


@st.composite
def prop5_instances(draw, act: str = "square"):
    """Positives ~ U[1, 2], negatives ~ U[-2, -1] (separable by w = 1); p >= 2 (p >= 3: Theorem 2's range)."""
    n_plus, n_minus = draw(st.integers(1, 12), label="n+"), draw(st.integers(1, 12), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X, y = lc.prop5_data(rng.uniform(1, 2, n_plus), rng.uniform(-2, -1, n_minus))
    M = draw(st.integers(1, 4), label="M")
    p = draw(st.integers(2, 8), label="p")
    return lc.prop5_constant_point(X, y, M, act, p, magnitudes=rng.uniform(0.3, 2.0, M), seed=seed, description=(
        f"prop5 n+={n_plus} n-={n_minus} M={M} act={act} p={p} seed={seed}"))


@st.composite
def prop6_instances(draw, act: str = "relu"):
    """Any dataset: Gaussian inputs with random labels, or labels of a planted affine rule (then an error-free
    network of the same architecture exists when every hidden layer has width >= 2)."""
    d, n = draw(st.integers(1, 4), label="d"), draw(st.integers(2, 16), label="n")
    depth = draw(st.integers(1, 3), label="hidden layers")
    hidden = tuple(draw(st.integers(1, 4), label="width") for _ in range(depth))
    labels = draw(st.sampled_from(["random", "planted"]), label="labels")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    p = draw(st.integers(2, 8), label="p")
    rng = np.random.default_rng(seed)
    y = np.r_[1.0, -1.0, rng.choice([-1.0, 1.0], n - 2)]
    Z = rng.standard_normal((n, d))
    planted = None
    if labels == "planted":
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)
        b = 0.5 * rng.standard_normal()
        # move every point along w so that w^T x + b = y (0.3 + |g|): labelled by the rule with margin 0.3
        Z += np.outer(y * (0.3 + np.abs(rng.standard_normal(n))) - (Z @ w + b), w)
        planted = np.r_[w, b]
    return lc.prop6_dead_first_layer(Z, y, hidden, act, p, seed=seed, planted=planted, description=(
        f"prop6 d={d} n={n} n+={int(np.sum(y > 0))} hidden={hidden} labels={labels} act={act} p={p} seed={seed}"))


@st.composite
def prop7_instances(draw):
    X, y, seed = draw(event_data())
    k = draw(st.integers(1, 5), label="k")
    p = draw(st.integers(2, 8), label="p")
    return lc.prop7_shortcut_point(X, y, k, p, seed=seed, description=(
        f"prop7 event data n+={int(np.sum(y > 0))} n-={int(np.sum(y < 0))} k={k} p={p} seed={seed}"))


# ------------------------------------------------------------------------------------------------------------
# The checks shared by the propositions
# ------------------------------------------------------------------------------------------------------------
def exact(record, holds: bool, what: str, instance) -> None:
    """An exact fact (rational arithmetic, an integer count, an LP's status) recorded as ``1 >= 1``."""
    record.geq(float(bool(holds)), 1.0, tol=lc.INTEGER_TOL, instance=instance, what=what)


def paper_error_claim(bp, record, floor: int, label: str) -> None:
    """The proposition's bound: at least ``floor`` misclassified samples (counted exactly)."""
    record.geq(bp.errors(), floor, tol=lc.INTEGER_TOL, instance=bp, what=f"misclassified samples >= {label}")


def check_point(bp, record, *, floor: int, label: str, error_claim=paper_error_claim, samples: int = 100) -> dict:
    """Loss by three routes, the certificate, the error count, and an error-free point of lower loss."""
    prob, n = bp.problem, bp.problem.n
    v = prob.value(bp.theta)
    vt = lc.loss_eval_tol(bp)
    cert = lc.certify_point(bp, samples=samples, seed=bp.seed % 997)
    record.close(v, bp.reference_value, tol=vt, instance=bp,
                 what="loss at the point (numpy) = optimum of the reduced convex model")
    record.close(cert.value_torch, v, tol=vt, instance=bp, what="loss at the point: torch = numpy")
    record.leq(cert.grad_norm, 0.0, tol=lc.CONSTRUCTION_GRAD_TOL, instance=bp, what="gradient norm (autograd)")
    record.geq(cert.lambda_min, 0.0, tol=lc.CONSTRUCTION_EIG_TOL, instance=bp,
               what="smallest Hessian eigenvalue (dense, autograd)")
    record.geq(cert.worst_change, 0.0, tol=lc.strict_decrease(v), instance=bp,
               what=f"no perturbation (radii {lc.PERTURBATION_RADII}) lowers the loss")
    exact(record, cert.is_local_min, f"certifier verdict is a local minimum ({cert.verdict})", bp)
    errs = bp.errors()
    numbers = {"verdict": cert.verdict, "grad_norm": cert.grad_norm, "lambda_min": cert.lambda_min,
               "worst_perturbation_change": cert.worst_change, "perturbation_samples": cert.samples,
               "loss": v, "errors": errs, "n": n, "error_rate": errs / n, "error_floor": floor}
    for key in ("grad_norm", "lambda_min", "worst_perturbation_change", "error_rate"):
        record.note(key, numbers[key], instance=bp)
    error_claim(bp, record, floor, label)
    if bp.better is not None:
        vb, eb = prob.value(bp.better), prob.errors(bp.better)
        record.leq(eb, 0, tol=lc.INTEGER_TOL, instance=bp, what="the same model has an error-free point")
        record.leq(vb, v - lc.strict_decrease(v), tol=0, instance=bp,
                   what="that point has a lower loss: the minimum is not global")
        numbers.update(better_loss=vb, better_errors=eb)
    numbers["certified"] = bool(cert.is_local_min and errs >= floor)
    return numbers


def check_best_constant(bp, record) -> None:
    """B* = (t - 1)/(t + 1) (closed form) against the root of phi' (brentq)."""
    root = lc.constant_optimum_by_root(bp.problem.y, bp.problem.p)
    record.close(bp.B_star, root, tol=lc.CONSTANT_OPTIMUM_TOL, instance=bp,
                 what="best constant: closed form = root of phi'")


def check_regime(bp, record, la: lc.LocalArgument, dead: bool) -> None:
    """The exact local argument: every unit keeps its regime on the ball; there the loss is the reduced model's."""
    vt = lc.loss_eval_tol(bp)
    if dead:
        record.leq(la.regime_margin, 0.0, tol=0, instance=bp,
                   what=f"dead units: largest pre-activation on the ball of radius {la.radius} (bound) <= 0")
        record.leq(la.sampled_regime, la.regime_margin, tol=vt, instance=bp,
                   what="sampled pre-activations within the analytic bound")
    else:
        record.geq(la.regime_margin, 0.0, tol=0, instance=bp,
                   what=f"linear units: smallest pre-activation on the ball of radius {la.radius} (bound) >= 0")
        record.geq(la.sampled_regime, la.regime_margin, tol=vt, instance=bp,
                   what="sampled pre-activations within the analytic bound")
    record.leq(la.reduction_error, 0.0, tol=vt, instance=bp,
               what="on the ball the loss equals the reduced convex model's (sampled)")
    record.note("regime margin", la.regime_margin, instance=bp)


def check_linear_optimum(bp, record) -> None:
    """The best linear classifier by Newton (numpy) and by Clarabel; the sample has no error-free affine rule."""
    prob = bp.problem
    newton = record.require(bp.linear, instance=bp, what="Newton's method on the linear model")
    conic = record.decide(lambda: lc.linear_model_by_cvxpy(prob.X, prob.y, prob.p), instance=bp,
                          what="linear model by CVXPY/Clarabel")
    record.close(newton.value, conic.value, tol=tol.conic_value(newton.value), instance=bp,
                 what="linear-model optimum: Newton = Clarabel")
    record.geq(conic.value, newton.value, tol=lc.loss_eval_tol(bp), instance=bp,
               what="Clarabel's point does not beat Newton's (Newton is the optimum)")
    record.leq(newton.grad_norm, 0.0, tol=lc.newton_grad_allowance(prob.n), instance=bp,
               what="gradient of the convex linear-model loss at (beta*, u*)")
    separable, status = lc.affinely_separable(prob.X, prob.y)
    if status.startswith("undecided"):
        record.inconclusive(f"separability LP: {status}", instance=bp)
    exact(record, not separable, "no affine classifier is error-free (HiGHS LP infeasible)", bp)


def check_prop2(bp, record, error_claim=paper_error_claim, samples: int = 100) -> dict:
    check_best_constant(bp, record)
    la = lc.local_argument(bp, samples=samples)
    check_regime(bp, record, la, dead=True)
    record.leq(la.optimality, 0.0, tol=lc.loss_eval_tol(bp), instance=bp, what="phi'(B*) = 0 (the constant is optimal)")
    return check_point(bp, record, floor=lc.min_class_errors(bp.problem.y), label="min(n+, n-)",
                       error_claim=error_claim, samples=samples) | {"regime_margin": la.regime_margin}


def check_prop3(bp, record, error_claim=paper_error_claim, samples: int = 100) -> dict:
    check_linear_optimum(bp, record)
    la = lc.local_argument(bp, samples=samples)
    check_regime(bp, record, la, dead=False)
    return check_point(bp, record, floor=1, label="1 (non-zero training error)", error_claim=error_claim,
                       samples=samples) | {"regime_margin": la.regime_margin}


def check_prop4(bp, record, error_claim=paper_error_claim, samples: int = 100, draws: int = 200) -> dict:
    check_best_constant(bp, record)
    jensen = lc.jensen_argument(bp, draws=draws, seed=bp.seed % 991)
    vt = lc.loss_eval_tol(bp)
    record.leq(jensen["pair_identity_rel_error"], 0.0, tol=tol.evaluation(1.0, bp.problem.M), instance=bp,
               what="f(x) + f(-x) is one constant 2B for every sample (random parameters)")
    record.geq(jensen["min_loss_minus_phi_B"], 0.0, tol=vt, instance=bp,
               what="Jensen: loss >= phi(B(theta)) at random parameters")
    record.geq(jensen["min_loss_minus_phi_Bstar"], 0.0, tol=vt, instance=bp,
               what="loss >= phi(B*) at random global and local parameters (global minimum)")
    record.note("random parameters tried", jensen["draws"], instance=bp)
    # the pair identity also rules out zero error anywhere: positives need 2B = f(x) + f(-x) >= 0, negatives
    # need 2B < 0, so this minimum is global and no error-free parameter exists to compare with
    record.note("global minimum (no error-free parameter exists)", True, instance=bp)
    return check_point(bp, record, floor=lc.min_class_errors(bp.problem.y), label="min(n+, n-)",
                       error_claim=error_claim, samples=samples) | jensen


def check_prop5(bp, record, error_claim=paper_error_claim, samples: int = 100) -> dict:
    check_best_constant(bp, record)
    v = bp.problem.value(bp.theta)
    block, closed = lc.curved_block(bp)
    scale = float(np.abs(closed).max())
    record.leq(float(np.abs(block - closed).max()), 0.0, tol=lc.CURVATURE_FD_RTOL * (1.0 + scale), instance=bp,
               what="Hessian block in W: autograd = diag(-a_j sigma''(0) S / n)")
    record.geq(float(np.linalg.eigvalsh(block).min()), 0.0, tol=0, instance=bp,
               what="Hessian block in W is positive definite (a_j S < 0)")
    _, change = lc.flipped_descent_point(bp)
    record.leq(change, -lc.strict_decrease(v), tol=0, instance=bp,
               what="flipped output weights with small W give a lower loss: not a global minimum")
    numbers = {"S": bp.meta["S"], "flipped_change": change}
    if bp.problem.act == "square":
        cone = record.decide(lambda: lc.prop5_cone_values(bp), instance=bp, what="convex cone (CVXPY/Clarabel)")
        ct = tol.conic_value(v)
        record.close(cone.constrained, v, tol=ct, instance=bp,
                     what="sigma=z^2: minimum over the cone sign(A) = sign(a) equals the loss at the point")
        # the minimizer itself (A = 0) is only as accurate as the value divided by the slope |S| / n, which can be
        # small: recorded, not asserted; the value comparison above is the certificate
        record.note("sigma=z^2: A at the cone's minimizer", cone.constrained_A, instance=bp)
        record.leq(cone.free, cone.constrained, tol=ct, instance=bp,
                   what="sigma=z^2: without the sign constraint the convex optimum is not higher")
        record.note("unconstrained convex optimum", cone.free, instance=bp)
        numbers.update(cone_constrained=cone.constrained, cone_free=cone.free)
    return check_point(bp, record, floor=lc.min_class_errors(bp.problem.y), label="min(n+, n-)",
                       error_claim=error_claim, samples=samples) | numbers


def check_prop6(bp, record, error_claim=paper_error_claim, samples: int = 100) -> dict:
    check_best_constant(bp, record)
    la = lc.local_argument(bp, samples=samples)
    check_regime(bp, record, la, dead=True)
    record.leq(la.extra["output_spread"], 0.0, tol=tol.evaluation(float(np.abs(bp.problem.outputs(bp.theta)).max()),
                                                                      bp.problem.n), instance=bp,
               what="the network is one constant on the data all over the ball")
    record.leq(la.optimality, 0.0, tol=lc.loss_eval_tol(bp), instance=bp, what="phi'(B*) = 0 (the constant is optimal)")
    return check_point(bp, record, floor=lc.min_class_errors(bp.problem.y), label="min(n+, n-)",
                       error_claim=error_claim, samples=samples) | {"regime_margin": la.regime_margin}


def check_prop7(bp, record, error_claim=paper_error_claim, samples: int = 100) -> dict:
    check_linear_optimum(bp, record)
    la = lc.local_argument(bp, samples=samples)
    check_regime(bp, record, la, dead=True)
    return check_point(bp, record, floor=1, label="1 (non-zero training error)", error_claim=error_claim,
                       samples=samples) | {"regime_margin": la.regime_margin}


CHECKS = {"liang2018.prop2": check_prop2, "liang2018.prop3": check_prop3, "liang2018.prop4": check_prop4,
          "liang2018.prop5": check_prop5, "liang2018.prop6": check_prop6, "liang2018.prop7": check_prop7}


def committed_witness(name: str) -> dict:
    with np.load(WITNESS_DIR / f"{name}.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def reverify_readable(name: str, record) -> None:
    """Load the committed witness, re-run the claim's full check on it, and keep it in the run's report."""
    arrays = committed_witness(name)
    bp = lc.bad_point_from_arrays(arrays)
    numbers = CHECKS[bp.claim](bp, record, samples=250)
    record.witness(name.split("__", 1)[1], arrays, certified=numbers.pop("certified"),
                   checks={k: v for k, v in numbers.items() if np.isscalar(v) or isinstance(v, str)},
                   instance=bp.description)


# ------------------------------------------------------------------------------------------------------------
# Proposition 2
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop2")
@pytest.mark.parametrize("act", ["relu", "requ"])
@budget(0.4)
@given(data=st.data())
def test_dead_relu_class_neurons_give_a_bad_local_minimum(act, data, record):
    check_prop2(data.draw(prop2_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop2")
@pytest.mark.parametrize("name", ["liang2018.prop2__thm1-data", "liang2018.prop2__thm2-data"])
def test_dead_relu_readable_instances(name, record):
    reverify_readable(name, record)


@pytest.mark.claim("liang2018.prop2")
def test_plain_training_ends_at_certified_bad_minima(record):
    """Targeted search: L-BFGS from random starts on Proposition 2's data with one or two ReLU neurons; end points
    that the certifier accepts (gradient <= 1e-7, no kink within the perturbation ball, PSD Hessian, no lower
    perturbation) and that misclassify are bad local minima found without any construction."""
    found_all = []
    for data_seed, M in ((0, 1), (1, 2), (2, 1)):
        rng = np.random.default_rng(data_seed)
        X, y = lc.half_space_subspace_data(*lc.draw_subspace_t(rng, 6, 6))
        prob = lg.ShallowProblem(X, y, M, "relu", 6)
        found, tried = lc.search_bad_minima(prob, starts=8, seed=data_seed)
        desc = f"prop2 Thm-1 data (seed {data_seed}) n+=6 n-=6 M={M} relu p=6, {tried} L-BFGS starts"
        record.note("certified bad minima found", len(found), instance=desc)
        found_all += [(f, prob, desc) for f in found]
    record.geq(len(found_all), 1, tol=lc.INTEGER_TOL, instance="search over 3 datasets",
               what="L-BFGS from random starts ends at certified bad local minima")
    f, prob, desc = min(found_all, key=lambda t: (t[0].value, t[0].start))
    c = f.certificate
    checks = {"verdict": c.verdict, "grad_norm": c.grad_norm, "lambda_min": c.lambda_min,
              "worst_perturbation_change": c.worst_change, "errors": f.errors, "n": prob.n, "loss": f.value,
              "kink_margin": f.kink_margin, "found": len(found_all)}
    record.geq(f.errors, 1, tol=lc.INTEGER_TOL, instance=desc, what="the found minimum misclassifies")
    record.witness("lbfgs-found", {"X": prob.X, "y": prob.y, "theta": f.theta, "M": np.asarray(prob.M)},
                   certified=bool(c.is_local_min and f.errors >= 1), checks=checks,
                   instance=f"{desc}; start {f.start}: loss {f.value:.5f}, {f.errors} errors")


# ------------------------------------------------------------------------------------------------------------
# Proposition 3
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop3")
@pytest.mark.parametrize("act", ["relu", "leaky_relu", "elu"])
@budget(0.3)
@given(data=st.data())
def test_leaky_relu_class_neurons_in_their_linear_piece_give_a_bad_local_minimum(act, data, record):
    check_prop3(data.draw(prop3_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop3")
def test_linear_regime_readable_instance(record):
    reverify_readable("liang2018.prop3__linear-regime", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 4
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop4")
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "arctan", "softsign", "linear"])
@budget(0.25)
@given(data=st.data())
def test_sigmoid_class_neurons_on_a_symmetric_sample_give_a_bad_minimum(act, data, record):
    check_prop4(data.draw(prop4_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop4")
def test_symmetric_sample_readable_instance(record):
    reverify_readable("liang2018.prop4__symmetric", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 5
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop5")
@pytest.mark.parametrize("act", ["square", "cosh"])
@budget(0.4)
@given(data=st.data())
def test_quadratic_class_neurons_on_separable_data_give_a_bad_local_minimum(act, data, record):
    check_prop5(data.draw(prop5_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop5")
def test_quadratic_neurons_readable_instance(record):
    reverify_readable("liang2018.prop5__square", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 6
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop6")
@pytest.mark.parametrize("act", ["relu", "requ"])
@budget(0.4)
@given(data=st.data())
def test_feed_forward_relu_net_has_a_bad_local_minimum_on_any_data(act, data, record):
    check_prop6(data.draw(prop6_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop6")
def test_dead_first_layer_readable_instance(record):
    reverify_readable("liang2018.prop6__dead-first-layer", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 7
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("liang2018.prop7")
@budget(0.4)
@given(bp=prop7_instances())
def test_identity_shortcut_net_has_a_bad_local_minimum(bp, record):
    check_prop7(bp, record)


@pytest.mark.claim("liang2018.prop7")
def test_dead_residual_readable_instance(record):
    reverify_readable("liang2018.prop7__dead-residual", record)


# ------------------------------------------------------------------------------------------------------------
# Example 1 (population, quadratic loss)
# ------------------------------------------------------------------------------------------------------------
EX1_SAMPLE_N = 2000


def ex1_values(bound: Fraction = Fraction(1, 16)) -> dict:
    """Every number of Example 1 by its routes (see the test)."""
    a, b = lc.ex1_minimizer_exact()
    L = lc.ex1_loss_exact(a, b)
    H = lc.ex1_hessian_exact()
    # exact optimality without the gradient formula: the loss is quadratic, so L(t* + d) - L* = d^T H d / 2 for
    # every d exactly when the gradient vanishes; checked on +-e1, +-e2, (1, 1) (rational arithmetic)
    gaps = []
    for d in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1)):
        da, db = Fraction(d[0], 3), Fraction(d[1], 7)
        quad = (H[0][0] * da * da + 2 * H[0][1] * da * db + H[1][1] * db * db) / 2
        gaps.append(lc.ex1_loss_exact(a + da, b + db) - L - quad)
    det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
    err = lc.ex1_error_exact(a, b)
    return {"a": a, "b": b, "L": L, "optimality_residuals": gaps, "det_H": det, "H11": H[0][0], "error": err,
            "threshold": -b / a, "f_positive": a * lc.EX1_POSITIVE + b, "bound": bound}


def check_example1(record, bound: Fraction = Fraction(1, 16)) -> None:
    """Three routes to the global minimum, its exact error against ``bound``, a zero-error competitor; witness."""
    inst = ("Example 1: P(Y=1)=1/2, X|Y=1 = 5/4 (point mass), X|Y=-1 ~ U[0,1]; f(x)=ax+b; "
            "L(a,b)=E[(1-Yf(X))^2]")
    v = ex1_values(bound)
    a, b = v["a"], v["b"]
    # route 1: exact rational arithmetic
    exact(record, all(g == 0 for g in v["optimality_residuals"]),
          "exact: L(t* + d) - L* = d^T H d / 2 for 5 directions (zero gradient)", inst)
    exact(record, v["det_H"] > 0 and v["H11"] > 0, "exact: the Hessian is positive definite (unique minimum)", inst)
    exact(record, a == Fraction(72, 35) and b == Fraction(-9, 5), "exact: (a*, b*) = (72/35, -9/5)", inst)
    exact(record, v["threshold"] == Fraction(7, 8), "exact: decision threshold -b*/a* = 7/8", inst)
    # route 2: scipy minimize on the loss integrated by quad
    res = lc.ex1_minimize_by_quadrature()
    grad = float(np.linalg.norm(lc.ex1_gradient_by_quadrature(*res.x)))
    if not np.isfinite(res.fun) or grad > lc.EX1_GRAD_TOL:
        record.inconclusive(f"BFGS on the quadrature loss stopped at gradient {grad:.3g}: {res.message}",
                            instance=inst)
    lam_min = float(np.linalg.eigvalsh(np.array(lc.ex1_hessian_exact(), dtype=float)).min())
    record.close(res.x[0], float(a), tol=lc.EX1_GRAD_TOL / lam_min, instance=inst, what="scipy BFGS on quad(L): a = a*")
    record.close(res.x[1], float(b), tol=lc.EX1_GRAD_TOL / lam_min, instance=inst, what="scipy BFGS on quad(L): b = b*")
    record.close(float(res.fun), float(v["L"]), tol=lc.EX1_VALUE_TOL, instance=inst,
                 what="quad(L) at its minimizer = exact L*")
    # route 3: least squares on a midpoint 'sample' (empirical averages = midpoint-rule integrals)
    s, y = lc.ex1_midpoint_sample(EX1_SAMPLE_N)
    coef = np.linalg.lstsq(np.c_[s, np.ones_like(s)], y, rcond=None)[0]
    record.close(coef[0], float(a), tol=lc.ex1_sample_tol(EX1_SAMPLE_N), instance=inst,
                 what="least squares on the midpoint sample: a -> a*")
    record.close(coef[1], float(b), tol=lc.ex1_sample_tol(EX1_SAMPLE_N), instance=inst,
                 what="least squares on the midpoint sample: b -> b*")
    sample_err = lg.error_count(coef[0] * s + coef[1], y) / s.size
    record.close(sample_err, 1 / 16, tol=1.0 / s.size, instance=inst,
                 what="midpoint sample: misclassified fraction of the fitted line = 1/16 (to one sample)")
    # the error of the (unique) global minimum, exactly
    exact(record, v["f_positive"] >= 0, "exact: the positive point is classified correctly", inst)
    exact(record, v["error"] >= bound,
          f"exact: P(Y != sgn f*(X)) = {v['error']} >= {bound} (the misclassified negatives are [7/8, 1])", inst)
    record.note("population error", float(v["error"]), instance=inst, extra={"exact": str(v["error"])})
    # zero error is achievable by the same model (threshold 9/8), at a higher quadratic loss
    za, zb = Fraction(1), Fraction(-9, 8)
    exact(record, lc.ex1_error_exact(za, zb) == 0, "exact: f(x) = x - 9/8 has zero population error", inst)
    exact(record, lc.ex1_loss_exact(za, zb) > v["L"], "exact: ... and a higher quadratic loss than L*", inst)
    arrays = {"a": np.array([a.numerator, a.denominator]), "b": np.array([b.numerator, b.denominator]),
              "loss": np.array([v["L"].numerator, v["L"].denominator]),
              "error": np.array([v["error"].numerator, v["error"].denominator]),
              "scipy_minimizer": res.x, "sample_fit": coef}
    checks = {"a*": str(a), "b*": str(b), "L*": str(v["L"]), "error": str(v["error"]), "threshold": str(v["threshold"]),
              "scipy_a": float(res.x[0]), "scipy_b": float(res.x[1]), "sample_error": sample_err}
    certified = (all(g == 0 for g in v["optimality_residuals"]) and v["det_H"] > 0 and v["H11"] > 0
                 and v["error"] >= bound)
    record.witness("population", arrays, certified=certified, checks=checks,
                   instance=f"{inst}: unique minimizer a*=72/35, b*=-9/5, threshold 7/8, error exactly 1/16")


@pytest.mark.claim("liang2018.ex1")
def test_quadratic_loss_global_minimum_misclassifies_one_sixteenth(record):
    check_example1(record)


# ------------------------------------------------------------------------------------------------------------
# Appendix B.8 (samples, quadratic loss)
# ------------------------------------------------------------------------------------------------------------
B8_EVENT_SIZES = {"A": (4, 5, 6, 7, 8), "B": (5, 6, 7)}   # sizes whose bad event is non-empty


def b8_check(instance: str, values, labels, record, desc: str, starts: int = 4, seed: int = 0,
             threshold: Fraction = Fraction(1, 8)) -> dict:
    """Exact least squares (Fractions), numpy lstsq, an explicit network realizing the fit, and L-BFGS on the
    network's parameters; the error of the global minimum counted exactly."""
    n = len(labels)
    fit = lc.exact_least_squares_fit(lc.b8_features(instance, values, labels), labels)
    errs = lc.exact_error_count(fit, labels)
    X, y = lc.b8_sample(instance, values, labels)
    F = np.array([[float(v) for v in row] for row in lc.b8_features(instance, values, labels)])
    ls = F @ np.linalg.lstsq(F, y, rcond=None)[0]
    fit_f = np.array([float(f) for f in fit])
    record.leq(float(np.abs(ls - fit_f).max()), 0.0, tol=tol.evaluation(float(np.abs(fit_f).max()), n),
               instance=desc, what="least squares: numpy lstsq = exact (Fractions)")
    L_star = float(np.mean((1.0 - y * fit_f) ** 2))
    prob = lc.b8_network(instance, X, y)
    realized = lc.b8_realize(instance, prob, fit_f)
    record.leq(float(np.abs(prob.outputs(realized) - fit_f).max()), 0.0,
               tol=tol.evaluation(float(np.abs(realized).max()) ** 2 + 1.0, n), instance=desc,
               what="the network realizes the least-squares fit (explicit parameters)")
    runs = lc.b8_train(prob, starts=starts, seed=seed)
    values_ = [r[0] for r in runs]
    record.geq(min(values_), L_star, tol=tol.evaluation(L_star, n), instance=desc,
               what="no L-BFGS run goes below the least-squares optimum")
    best = min(runs, key=lambda r: r[0])
    gap = best[0] - L_star
    # a run counts as having reached the global minimum when its excess loss is within the L-BFGS floor; the
    # fitted values then lie within LSQ_FIT_TOL (excess = ||f - f*||^2 / n)
    if gap > lc.LSQ_FIT_TOL ** 2:
        record.inconclusive(f"no L-BFGS run reached the least-squares value (best excess {gap:.3g})", instance=desc)
    record.leq(float(np.abs(best[1] - fit_f).max()), 0.0, tol=lc.LSQ_FIT_TOL, instance=desc,
               what="best L-BFGS run reproduces the least-squares fitted values")
    record.close(lg.error_count(best[1], y), errs, tol=lc.INTEGER_TOL, instance=desc,
                 what="best L-BFGS run makes the same errors as the exact fit")
    # strictly above the threshold num/den: den * errors - num * n >= 1 (integers)
    record.geq(threshold.denominator * errs - threshold.numerator * n, 1, tol=lc.INTEGER_TOL, instance=desc,
               what=f"exact: the global minimum errs on more than {threshold} of the sample (strictly)")
    record.note("training error of the global minimum", errs / n, instance=desc)
    return {"errors": errs, "n": n, "L*": L_star, "best_lbfgs_excess": gap, "fit": fit_f, "network": prob,
            "realized": realized}


def b8_assumptions(instance: str, values, labels, M: int) -> dict:
    """Exact checks that the sample meets Theorem 2's (A) or Theorem 1's (B) data assumptions."""
    if instance == "A":
        w = (Fraction(-9, 8), Fraction(1))   # separates through the origin: y (w . (1, s)) > 0
        return {"separable_through_origin": all(yv * (w[0] + w[1] * Fraction(v)) > 0
                                                for v, yv in zip(values, labels))}
    # U+ = {e1}, U- = {e2} (r+ = r- = 1, Delta r = 1): a single non-zero sample spans its class's line
    n = len(labels)
    return {"non-zero coordinates (Assumption 2)": all(Fraction(v) != 0 for v in values),
            "both classes": len(set(labels)) == 2, "M >= 2 max(n / Delta r, r+, r-)": M >= 2 * max(n, 1, 1)}


@pytest.mark.claim("liang2018.b8")
@pytest.mark.parametrize("instance", ["A", "B"])
def test_quadratic_loss_global_minima_err_on_more_than_one_eighth(instance, record):
    values, labels = lc.B8_INSTANCES[instance]
    X, y = lc.b8_sample(instance, values, labels)
    assumptions = b8_assumptions(instance, values, labels, lc.b8_network(instance, X, y).M)
    desc = ("B.8 instance A (Thm-2 conditions): inputs (1,s), one linear neuron, f_D=0; positive s=5/4, "
            "negatives s=0,1,1; quadratic loss" if instance == "A" else
            "B.8 instance B (Thm-1 conditions): positives s e1 (s=1,3), negatives t e2 (t=1,1,3), M=2n=10 "
            "quadratic neurons, f_D=0; quadratic loss")
    exact(record, all(assumptions.values()), "the sample meets the theorem's data assumptions (exact)", desc)
    out = b8_check(instance, values, labels, record, desc, starts=6)
    # zero training error is possible in the same model (at a higher quadratic loss)
    prob = out["network"]
    good = lc.b8_realize(instance, prob, [(1.0 * float(v) - 9 / 8) if instance == "A" else
                                          (float(v) ** 2 if yv > 0 else -float(v) ** 2)
                                          for v, yv in zip(values, labels)])
    record.leq(prob.errors(good), 0, tol=lc.INTEGER_TOL, instance=desc,
               what="an error-free parameter exists in the same model")
    arrays = {"values_num": np.array([Fraction(v).numerator for v in values]),
              "values_den": np.array([Fraction(v).denominator for v in values]), "labels": np.array(labels),
              "X": X, "y": y, "fitted": out["fit"], "theta_fit": out["realized"], "theta_zero_error": good}
    checks = {"errors": out["errors"], "n": out["n"], "L*": out["L*"], "best_lbfgs_excess": out["best_lbfgs_excess"],
              **{k: bool(v) for k, v in assumptions.items()}}
    record.witness(f"instance-{instance}", arrays,
                   certified=bool(all(assumptions.values()) and Fraction(out["errors"], out["n"]) > Fraction(1, 8)),
                   checks=checks, instance=f"{desc}: global minimum errs on {out['errors']}/{out['n']}")


@pytest.mark.claim("liang2018.b8")
@pytest.mark.parametrize("instance", ["A", "B"])
def test_the_bad_event_has_positive_probability(instance, record):
    """Exact enumeration of every sample of the instance's distribution (sizes in ``B8_EVENT_SIZES``): the
    probability that the least-squares global minimum errs on more than 1/8, as a Fraction."""
    for n in B8_EVENT_SIZES[instance]:
        bad = lc.b8_bad_patterns(instance, n)
        prob = sum((b[2] for b in bad), Fraction(0))
        desc = f"B.8 instance {instance}, samples of size n={n}"
        record.note("P(every global minimum errs on > 1/8)", float(prob), instance=desc,
                    extra={"exact": str(prob), "bad_samples": len(bad)})
        exact(record, prob > 0, "the bad event has positive probability (exact enumeration)", desc)
        if n == len(lc.B8_INSTANCES[instance][1]):
            catalog = sorted(zip(*lc.B8_INSTANCES[instance]))
            exact(record, any(sorted(zip(b[0], b[1])) == catalog for b in bad),
                  "the catalog's instance is one of the enumerated bad samples", desc)


@st.composite
def b8_event_samples(draw, instance: str):
    """A sample from the bad event, drawn among the exactly enumerated bad samples, in a random order."""
    n = draw(st.sampled_from(B8_EVENT_SIZES[instance]), label="n")
    bad = _bad_patterns(instance, n)
    values, labels, prob, errs = bad[draw(st.integers(0, len(bad) - 1), label="pattern")]
    order = draw(st.permutations(range(n)), label="order")
    return tuple(values[i] for i in order), tuple(labels[i] for i in order), prob, errs


_BAD_CACHE: dict = {}


def _bad_patterns(instance: str, n: int):
    if (instance, n) not in _BAD_CACHE:
        _BAD_CACHE[instance, n] = lc.b8_bad_patterns(instance, n)
    return _BAD_CACHE[instance, n]


@pytest.mark.claim("liang2018.b8")
@pytest.mark.parametrize("instance", ["A", "B"])
@budget(0.25)
@given(data=st.data())
def test_quadratic_loss_bad_event_samples_by_float_routes(instance, data, record):
    values, labels, prob, errs = data.draw(b8_event_samples(instance), label="sample")
    desc = (f"B.8 instance {instance} event sample: values={[str(v) for v in values]} labels={list(labels)} "
            f"P={prob}")
    out = b8_check(instance, values, labels, record, desc, starts=3, seed=len(values))
    record.close(out["errors"], errs, tol=lc.INTEGER_TOL, instance=desc, what="exact error count = enumeration's")
