"""Propositions 8-12: shift-and-scale, the logistic loss, the SDP data conditions and planted minima."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from landscape.core import certify as cf
from landscape.core import tolerances as tol
from landscape.core.results import RouteResult
from landscape.liang2018 import conditions as cond
from landscape.liang2018 import critical as lcr
from landscape.liang2018 import models as lg
from theorems.liang2018.checks.zero_error import ERROR_ROUTES, record_census


def finite_or_none(x):
    """JSON has no infinities: an absent bound (no weights or no dual matrix came back) is recorded as None."""
    return float(x) if np.isfinite(x) else None


def finite_point(problem, theta) -> bool:
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.all(np.isfinite(theta)) and np.isfinite(problem.value(theta)))


def finite_runs(problem, starts: int, seed: int, max_iter: int, first_zero_error: bool = False):
    """End points of L-BFGS from random starts (non-finite runs dropped: e^z can overflow far from the data)."""
    rng = np.random.default_rng(seed)
    loss = problem.objective()
    out = []
    for _ in range(starts):
        theta = cf.minimize(loss, problem.random_theta(rng), max_iter=max_iter)
        if finite_point(problem, theta):
            out.append(theta)
            if first_zero_error and problem.errors(theta) == 0:
                break
    return out


def check_shift_and_scale(inst, record, shift_and_scale=cond.shift_and_scale, starts: int = 2) -> None:
    """A zero-error parameter (the planted teacher, and any zero-error L-BFGS end point) becomes a zero-loss one
    under the explicit map; the map touches only the output layer."""
    p = inst.problem
    points = [inst.teacher]
    record.holds(p.errors(inst.teacher) == 0, instance=inst, what="planted teacher has zero error (exact count)")
    points += [t for t in finite_runs(p, starts, inst.seed, 200) if p.errors(t) == 0]
    torch_loss = p.objective()
    for theta in points:
        moved = shift_and_scale(p, theta)
        sl = cond.output_layer_slice(p)
        rest = np.delete(np.arange(p.size), np.arange(p.size)[sl])
        record.holds(
            bool(np.array_equal(moved[rest], theta[rest])), instance=inst, what="the map changes only (W_L, b_L)"
        )
        margins = p.y * p.outputs(moved)
        # the claim's content (zero minimal error => zero minimal loss, attained): the explicit map's point has loss
        # exactly 0, evaluated by numpy and by torch
        record.leq(
            p.value(moved),
            0.0,
            tol=0.0,
            instance=inst,
            decisive=True,
            routes=("loss at the shift-and-scale point (numpy)", "claimed minimal loss 0"),
            what="loss after shift-and-scale is exactly 0",
        )
        record.close(
            p.value(moved),
            float(torch_loss(torch.tensor(moved))),
            tol=0.0,
            instance=inst,
            routes=("numpy loss at the mapped point", "torch loss at the mapped point"),
            what="loss after shift-and-scale: numpy = torch",
        )
        # what the map is built to do, and with a polynomial hinge equivalent to the loss check above: sanity
        record.geq(
            float(np.min(margins)),
            1.0,
            tol=0.0,
            instance=inst,
            evidence=False,
            what="(sanity) every margin y_i f_i >= z_0 = 1",
        )
    record.note("zero-error points mapped", len(points), instance=inst)


def check_error_below_loss(inst, record, loss_fn=None, draws: int = 20) -> None:
    """R_n <= L_n at random parameters of several scales: the error by counting signs, the loss by torch."""
    p = inst.problem
    fn = loss_fn or lg.LOSSES[p.loss][0]
    y = torch.as_tensor(p.y)
    rng = np.random.default_rng(inst.seed + 1)
    worst = np.inf
    for k in range(draws):
        theta = p.random_theta(rng) * (0.3, 1.0, 3.0)[k % 3]
        R = p.errors(theta) / p.n
        with torch.no_grad():
            L = float(torch.mean(fn(-y * p.torch_outputs(torch.tensor(theta)), p.p)))
        # the loss is a mean of n terms, each >= 1 where a sample is misclassified: rounding of the mean only
        # a sanity check, not evidence: R_n <= L_n follows from l(z) >= 1{z >= 0} for ANY parameters
        margin = record.leq(
            R,
            L,
            tol=4 * p.n * lg.EPS64 * (1.0 + L),
            instance=inst,
            evidence=False,
            what="(sanity) training error R_n <= loss L_n (surrogate)",
        )
        worst = min(worst, margin)
    record.note("smallest L_n - R_n over random parameters", worst, instance=inst)


def check_no_local_minimum(
    inst, record, starts: int = 2, max_iter: int = 200, extra_points=(), critical: bool = True
) -> None:
    """No point is a certified local minimum: (1) critical points reached by Newton on the gradient (the
    critical-point search of ``landscape.liang2018.critical``: constant-model starts, Proposition 5/11 shapes, a
    random start; deflated) are each certified a saddle or left inconclusive, never a local minimum; (2) descent
    end points (random starts plus one next to a constant model) are classified too, but an end point that is
    simply not critical passes automatically, so those records are sanity checks, not evidence."""
    p = inst.problem
    decided = 0
    if critical:
        census = lcr.critical_census(p, inst.seed, random_starts=1, constant_starts=2)
        record_census(record, inst, census)
        for e in census.entries:
            if e.kind in ("saddle", "local-min"):
                decided += 1
                record.holds(
                    e.kind != "local-min",
                    instance=inst,
                    decisive=True,
                    what="critical point (Newton on the gradient) is not a certified local minimum",
                    extra={"kind": e.kind, "loss": e.value, "errors": e.errors, "start": e.start},
                )
    points = finite_runs(p, starts, inst.seed, max_iter) + list(extra_points)
    if starts:
        rng = np.random.default_rng(inst.seed + 5)
        near_constant = p.pack(0.0, -np.abs(rng.standard_normal(p.M)), 1e-3 * rng.standard_normal((p.d, p.M)))
        end = cf.minimize(p.objective(), near_constant, max_iter=max_iter)
        if finite_point(p, end):
            points.append(end)
    verdicts = [cond.classify_end_point(p, t, seed=inst.seed) for t in points]
    for v in verdicts:
        if v.status == "inconclusive":
            continue
        critical_end = v.status != "not-critical"
        decided += critical_end
        record.holds(
            not v.is_minimum,
            instance=inst,
            evidence=critical_end,
            decisive=critical_end,
            what="optimizer end point is not a certified local minimum"
            + ("" if critical_end else " (sanity: the end point is not critical)"),
            extra={"status": v.status, "loss": v.value, "relative_gradient": v.rel_grad},
        )
    if not decided:
        record.inconclusive(
            "no critical point was reached and decided: "
            + "; ".join(v.details.get("reason", v.status) for v in verdicts),
            instance=inst,
        )
    record.note("end point statuses", ",".join(v.status for v in verdicts), instance=inst)
    if verdicts:
        record.note("smallest end-point loss", min(v.value for v in verdicts), instance=inst)


def check_spare_neuron_descent(inst, record, expected_sign: float = 1.0) -> None:
    """At a point with a switched-off neuron and a_0 balanced, the subspace lemma's explicit input weight gives
    g_lam(w) != 0 (positive for a basis vector owned by the positives, negative for one owned by the negatives)
    and the spare-neuron move strictly lowers the loss; a small move of w_j alone is tried too."""
    p = inst.problem
    rng = np.random.default_rng(inst.seed + 7)
    theta = p.random_theta(rng)
    j = int(rng.integers(p.M))
    theta[1 + j] = 0.0  # switch neuron j off
    theta = cond.balance_output_bias(p, theta)
    a0, a, W = p.unpack(theta)
    lam = p.lambdas(theta)
    # balance by two routes: the closed form sum lam_i y_i and the autograd derivative in a_0
    _, grad = cf.gradient(p.objective(), theta)
    scale = 1e3 * lg.EPS64 * float(np.sum(lam))
    # the root finder's own equation: sanity of the balancing, not evidence
    record.leq(
        abs(float(np.sum(lam * p.y))),
        0.0,
        tol=scale,
        instance=inst,
        evidence=False,
        what="(sanity) balance sum_i lam_i y_i = 0",
    )
    record.close(
        grad[0],
        -float(np.sum(lam * p.y)) / p.n,
        tol=scale / p.n,
        instance=inst,
        what="d L / d a_0 (autograd) = -(1/n) sum lam_i y_i",
        routes=("autograd derivative in a_0", "closed form -(1/n) sum lam_i y_i"),
    )
    owned = [(k, 1.0) for k in sorted(set(inst.U_plus) - set(inst.U_minus))]
    owned += [(k, -1.0) for k in sorted(set(inst.U_minus) - set(inst.U_plus))]
    for k, cls in owned:
        w = 0.5 * cond.subspace_direction(p.X, cls * p.y, lam, inst.basis(k), p.act)
        g = p.g_lambda(lam, w)
        act = lg.activation(p.act)
        rounding = 1e3 * lg.EPS64 * float(np.sum(lam * np.abs(act.np_fn(p.X @ w / act.input_scale))))
        record.geq(
            expected_sign * cls * g,
            rounding,
            tol=0.0,
            instance=inst,
            what="lemma: g_lam(s t e) is non-zero (beyond rounding) with the sign of the class owning e",
            routes=("g_lambda evaluated on the data", "float64 rounding floor of its terms"),
            extra={"g": g},
        )
        mv = cond.spare_neuron_move(p, theta, j, w)
        switched_off = mv.theta.copy()
        switched_off[[0, 1 + j]] = theta[0], 0.0  # w_j moved, a_j and a_0 as before
        _, gm = cf.gradient(p.objective(), switched_off)
        record.close(
            gm[1 + j],
            -g / p.n,
            tol=scale / p.n,
            instance=inst,
            what="d L / d a_j at the moved neuron (autograd) = -g_lam(w) / n",
            routes=("autograd derivative in a_j", "closed form -g_lambda(w) / n"),
        )
        record.leq(
            mv.new,
            mv.base - 0.5 * mv.predicted,
            tol=0.0,
            instance=inst,
            decisive=True,
            what="spare-neuron move lowers the loss (evaluated)",
            extra={"eps": mv.eps},
            routes=("loss evaluated after the move", "loss before minus half the first-order prediction"),
        )
    # the local form: w_j itself moved by 1e-3 (analyticity makes g_lam non-zero near any w once g_lam != 0)
    delta = rng.standard_normal(p.d)
    mv = cond.spare_neuron_move(p, theta, j, W[:, j] + cond.DELTA_NORM * delta / np.linalg.norm(delta))
    record.note(
        "local spare-neuron move (|delta| = 1e-3) decreased the loss",
        bool(mv.decreased),
        instance=inst,
        extra={"g": mv.g},
    )
    with torch.no_grad():
        record.close(
            float(p.objective()(torch.tensor(theta))),
            p.value(theta),
            tol=cond.EVAL_RTOL * (1.0 + p.value(theta)),
            instance=inst,
            what="loss: torch = numpy",
            routes=("torch loss", "numpy loss"),
        )


def check_constant_critical_point(inst, record, balance=cond.balance_output_bias) -> None:
    """Exact critical points: all output weights 0, all input weights 0, a_0 balanced.  The gradient vanishes
    (autograd), and the point is a saddle: the end-point classifier finds descent (the spare-neuron move, since
    every neuron is switched off), and so does the lemma's explicit input weight."""
    p = inst.problem
    theta = balance(p, p.pack(0.0, np.zeros(p.M), np.zeros((p.d, p.M))))
    lam = p.lambdas(theta)
    value, grad = cf.gradient(p.objective(), theta)
    s0, s1, _ = cond.activation_at_zero(p.act)
    # each partial derivative is (1/n) sum of terms lam_i |sigma(0)| or lam_i |sigma'(0)| |x_i|: rounding only
    size = float(np.sum(lam)) * (1.0 + abs(s0) + abs(s1) * np.sqrt(cond.data_scale(p.X))) / p.n
    record.leq(
        float(np.linalg.norm(grad)),
        0.0,
        tol=1e3 * lg.EPS64 * size * np.sqrt(p.size),
        instance=inst,
        what="constant point with balanced a_0 is critical (autograd gradient)",
        routes=("autograd gradient at the construction", "analytic criticality of the construction (0)"),
    )
    v = cond.classify_end_point(p, theta, seed=inst.seed)
    record.holds(
        v.status == "escaped",
        instance=inst,
        decisive=True,
        what="critical point is a saddle (descent found)",
        extra={"status": v.status, **v.details},
    )
    k = sorted(set(inst.U_plus) - set(inst.U_minus))[0]
    w = 0.5 * cond.subspace_direction(p.X, p.y, lam, inst.basis(k), p.act)
    mv = cond.spare_neuron_move(p, theta, 0, w)
    record.leq(
        mv.new,
        mv.base - 0.5 * mv.predicted,
        tol=0.0,
        instance=inst,
        what="lemma direction: spare-neuron move lowers the loss at the critical point",
        routes=("loss evaluated after the move", "loss before minus half the first-order prediction"),
    )


def check_euler_identity(inst, record, draws: int = 6, sides=cond.euler_sides) -> None:
    p = inst.problem
    rng = np.random.default_rng(inst.seed + 3)
    for k in range(draws):
        theta = p.random_theta(rng) * (0.3, 1.0, 3.0)[k % 3]
        s = sides(p, theta)
        record.close(
            s["lhs"],
            s["rhs"],
            tol=cond.EVAL_RTOL * (1.0 + s["scale"]),
            instance=inst,
            what="Euler identity: sum lam_i y_i f_i (closed form) = -n <grad_out L, theta_out> (autograd)",
            routes=("closed form sum lam_i y_i f_i", "autograd gradient of the output layer"),
            decisive=True,
        )


def check_error_free_points_are_not_critical(inst, record, bound=cond.euler_lower_bound, starts: int = 2) -> None:
    """At every error-free point, |<grad_out L, theta_out>| >= (1/n) min lam_i sum y_i f_i > 0: the planted
    teacher, the teacher with its output layer scaled by 1/2 and 2 (signs kept: no teacher output is 0), and
    zero-error L-BFGS end points."""
    p = inst.problem
    sl = cond.output_layer_slice(p)
    points = [inst.teacher]
    for c in (0.5, 2.0):
        scaled = inst.teacher.copy()
        scaled[sl] *= c
        points.append(scaled)
    points += [t for t in finite_runs(p, starts, inst.seed, 200) if p.errors(t) == 0]
    checked = 0
    for theta in points:
        s = cond.euler_sides(p, theta)
        record.holds(p.errors(theta) == 0, instance=inst, what="point is error-free (exact count)")
        lb = bound(s["lam"], p.y, s["f"])
        # l'(-margin) ~ e^-margin leaves the normal float64 range beyond margin ~708 and underflows to 0 beyond ~745;
        # a subnormal lam has lost its relative precision (a dev run, seed 1010: margins ~715 gave a bound of
        # 1e-312), so float64 cannot decide there either
        if np.min(s["lam"]) < np.finfo(float).tiny:
            record.note("loss derivative underflows at this point", True, instance=inst)
            continue
        checked += 1
        record.geq(
            lb,
            np.finfo(float).tiny,
            tol=0.0,
            instance=inst,
            what="lower bound (1/n) min lam sum y f is positive",
            routes=("closed-form lower bound min lam sum y f / n", "smallest positive float64"),
        )
        record.geq(
            abs(s["inner"]),
            lb,
            tol=cond.EVAL_RTOL * (1.0 + s["scale"]) / p.n,
            instance=inst,
            what="|<grad_out L, theta_out>| (autograd) >= (1/n) min lam_i sum y_i f_i (closed form)",
            routes=("autograd <grad_out L, theta_out>", "closed-form lower bound min lam sum y f / n"),
            decisive=True,
        )
        # implied by the check above through Cauchy-Schwarz: sanity, not evidence
        record.geq(
            s["grad_out_norm"] * s["out_norm"],
            lb,
            tol=cond.EVAL_RTOL * (1.0 + s["scale"]) / p.n,
            instance=inst,
            evidence=False,
            what="(sanity) ||grad_out L|| ||theta_out|| >= lower bound: not a critical point",
            extra={"grad_out_norm": s["grad_out_norm"], "loss": s["value"]},
        )
    if checked == 0:
        record.inconclusive("every error-free point had an underflowing loss derivative", instance=inst)
    record.note("error-free points checked", checked, instance=inst)


def check_constant_critical_point_misclassifies(inst, record, critical_point=cond.constant_critical_point) -> None:
    """Exact critical points (all weight matrices 0, output bias log(n_+/n_-)): the autograd gradient vanishes,
    and the constant output misclassifies a whole class: min(n_+, n_-) errors, or n_- when the classes tie
    (f = 0 counts as positive)."""
    p = inst.problem
    theta = critical_point(p, np.random.default_rng(inst.seed))
    value, grad = cf.gradient(p.objective(), theta)
    lam = lg.logistic_prime(-p.y * p.outputs(theta))
    h = p.X
    act = lg.activation(p.act)
    for W, b in p.unpack(theta)[:-1]:
        h = act.np_fn(h @ W + b)
    # every partial derivative is a mean of terms lam_i times an activation (or 1): rounding only
    size = float(np.mean(lam)) * (1.0 + float(np.max(np.abs(h))))
    record.leq(
        float(np.linalg.norm(grad)),
        0.0,
        tol=1e3 * lg.EPS64 * size * np.sqrt(p.size),
        instance=inst,
        what="constant point with b_L = log(n_+/n_-) is critical (autograd gradient)",
        routes=("autograd gradient at the construction", "analytic criticality of the construction (0)"),
    )
    n_plus, n_minus = int(np.sum(p.y > 0)), int(np.sum(p.y < 0))
    expected = n_minus if n_plus >= n_minus else n_plus
    errors = p.errors(theta)
    record.holds(
        errors == expected,
        instance=inst,
        what="errors of the constant output = min(n+, n-) (exact count)",
        extra={"errors": errors, "expected": expected},
    )
    record.holds(errors >= 1, instance=inst, decisive=True, what="the critical point misclassifies (R_n > 0)")


def check_sdp_side(res: RouteResult, record, inst, planted_value: float | None = None) -> None:
    """The solver's value sits between its two certified bounds; the planted weights bound it from below."""
    if not res.ok:
        record.inconclusive(
            f"SDP side {res['side']:+d} (zero mean: {res['zero_mean']}) undecided: status {res.status}, "
            f"bounds [{res['lower']:.3g}, {res['upper']:.3g}]",
            instance=inst,
        )
    vt = cond.SDP_VALUE_RTOL * (1.0 + res["scale"])
    tag = f"side {res['side']:+d}{', zero mean' if res['zero_mean'] else ''}"
    if np.isfinite(res["lower"]) and np.isfinite(res["upper"]):
        record.leq(
            res["lower"],
            res["upper"],
            tol=vt,
            instance=inst,
            what=f"SDP {tag}: certified lower <= certified upper",
            routes=("primal weights, eigvalsh", "dual matrix, weak duality"),
        )
    if np.isfinite(res.value):
        if np.isfinite(res["upper"]):
            record.leq(
                res.value,
                res["upper"],
                tol=vt,
                instance=inst,
                what=f"SDP {tag}: solver t* <= dual bound",
                routes=("solver's reported t* (Clarabel)", "dual matrix, weak duality"),
            )
        if res["lam"] is not None:
            record.close(
                res.value,
                res["lower"],
                tol=vt,
                instance=inst,
                what=f"SDP {tag}: solver t* = lambda_min of its weights (eigvalsh)",
                routes=("solver's reported t* (Clarabel)", "primal weights, eigvalsh"),
            )
    if planted_value is not None:
        record.geq(
            res.value,
            planted_value,
            tol=vt,
            instance=inst,
            what=f"SDP {tag}: solver t* >= value of the planted weights",
            routes=("solver's reported t* (Clarabel)", "planted weights, eigvalsh"),
        )
        record.geq(
            res["upper"],
            planted_value,
            tol=vt,
            instance=inst,
            what=f"SDP {tag}: dual bound >= value of the planted weights",
            routes=("dual matrix, weak duality", "planted weights, eigvalsh"),
        )


def lemma_bounds(inst) -> dict:
    """The subspace lemma in closed form: for a basis vector e owned by the negatives only and any admissible
    lam, lambda_min(S(lam)) <= e^T S(lam) e <= max_+ (e^T x_i)^2 - min_- (e^T x_i)^2 (the first term is 0 on
    subspace data); symmetrically for the other side with e owned by the positives."""
    p = inst.problem
    out = {}
    for side, own in ((1, set(inst.U_minus) - set(inst.U_plus)), (-1, set(inst.U_plus) - set(inst.U_minus))):
        inner, outer = (p.y > 0, p.y < 0) if side == 1 else (p.y < 0, p.y > 0)
        out[side] = min(
            float(np.max((p.X[inner] @ inst.basis(k)) ** 2) - np.min((p.X[outer] @ inst.basis(k)) ** 2)) for k in own
        )
    return out


def check_subspace_condition(inst, record, zero_mean: bool, bounds=lemma_bounds) -> None:
    """Subspace (or leaky subspace) data satisfy the condition: no admissible lam makes S(lam) definite
    (Prop 11) or even semidefinite (Prop 12).  Each SDP side is certified negative (dual bound < 0) and the
    solver's value sits below the lemma's closed-form bound."""
    p = inst.problem
    lemma = bounds(inst)
    for side in (1, -1):
        res = cond.condition_sdp(p.X, p.y, side, zero_mean)
        if res.status == "infeasible":
            lp = record.decide(lambda: cond.admissible_exists(p.X, p.y, zero_mean), instance=inst, what="LP (HiGHS)")
            record.close(
                lp.value,
                0.0,
                tol=0.0,
                instance=inst,
                what="SDP infeasible = LP finds no admissible weights (condition holds vacuously)",
                routes=("LP feasibility (HiGHS)", "SDP status infeasible (Clarabel)"),
            )
        check_sdp_side(res, record, inst)
        record.leq(
            res["upper"],
            -res["decide_tol"],
            tol=0.0,
            instance=inst,
            what=f"side {side:+d}: certified upper bound < 0 (condition holds)",
            extra={"lower": finite_or_none(res["lower"])},
            routes=("SDP dual matrix, weak duality", "condition: no admissible lam with value >= 0"),
            decisive=True,
        )
        vt = cond.SDP_VALUE_RTOL * (1.0 + res["scale"])
        record.leq(
            lemma[side],
            -res["decide_tol"],
            tol=0.0,
            instance=inst,
            what=f"side {side:+d}: the lemma's closed-form bound is negative",
            routes=("subspace lemma, closed form", "condition: no admissible lam with value >= 0"),
        )
        if np.isfinite(res["lower"]):
            record.leq(
                res["lower"],
                lemma[side],
                tol=vt,
                instance=inst,
                what=f"side {side:+d}: value of the solver's weights <= lemma bound",
                routes=("SDP weights, smallest eigenvalue (numpy)", "subspace lemma, closed form"),
            )
        if np.isfinite(res.value):
            record.leq(
                res.value,
                lemma[side],
                tol=vt,
                instance=inst,
                what=f"side {side:+d}: solver t* <= lemma bound",
                routes=("solver's reported t* (Clarabel)", "subspace lemma, closed form"),
            )


@dataclass(frozen=True)
class BadMinimumSpec:
    """What :func:`check_bad_minimum` builds and checks.

    ``zero_mean``: Proposition 11's SDP (with the zero-mean constraint) or Proposition 12's.  ``act``/``M``: the
    network of the construction (default: the instance's).  ``cone``: also certify by the convex program over the
    cone the construction confines a quadratic model to.  ``planted_weights``: build from the strategy's planted
    weights instead of the SDP's.  ``witness``: save the point under this name.  ``starts``: random L-BFGS starts
    that must reach zero error (the minimum is not global).  The mutation meta-tests set the last three:
    ``flip`` (flip the output weights: a saddle), ``claimed_side`` (ask the SDP the wrong side), ``cone_side``
    (the cone of the wrong sign)."""

    zero_mean: bool
    act: str | None = None
    M: int | None = None
    cone: bool = False
    planted_weights: bool = False
    witness: str | None = None
    starts: int = 3
    flip: bool = False
    claimed_side: int | None = None
    cone_side: int | None = None


def check_bad_minimum(inst, record, spec: BadMinimumSpec) -> None:
    """Data violating the condition: the SDP returns a certified definite witness lam, the construction built
    from it (or from the planted weights) is a certified local minimum with errors, and random L-BFGS starts
    reach zero error, so it is a bad, non-global minimum."""
    X, y = inst.X, inst.y
    side = spec.claimed_side or inst.side
    res = cond.condition_sdp(X, y, side, spec.zero_mean)
    check_sdp_side(res, record, inst, planted_value=inst.t0 if side == inst.side else None)
    record.geq(
        res["lower"],
        res["decide_tol"],
        tol=0.0,
        instance=inst,
        what="re-verified witness: lambda_min(side S(lam)) > 0 (condition fails)",
        routes=("SDP weights, eigvalsh (numpy)", "condition fails: some admissible lam with value > 0"),
    )
    # validity of the cleaned weights (the witness's own constraint equations): sanity, not evidence
    record.leq(
        res["residual"],
        cond.CLEAN_RESIDUAL_RTOL * (1.0 + np.sqrt(res["scale"])),
        tol=0.0,
        instance=inst,
        evidence=False,
        what="(sanity) witness is admissible (constraint residual)",
    )
    if spec.claimed_side is None:
        # the other side cannot be definite: with unit class weights tr(-side S(lam)) <= max_inner |x|^2 -
        # min_outer |x|^2 < 0 (the outer class is the one labelled `side`), so its value is at most that over d
        other = cond.condition_sdp(X, y, -side, spec.zero_mean)
        check_sdp_side(other, record, inst)
        sq = np.sum(X**2, axis=1)
        outer = y == side
        trace_bound = (np.max(sq[~outer]) - np.min(sq[outer])) / X.shape[1]
        record.leq(
            other["upper"],
            -other["decide_tol"],
            tol=0.0,
            instance=inst,
            what="other side certified not definite (dual bound < 0)",
            routes=("SDP dual matrix, weak duality", "no admissible lam with value >= 0 on that side"),
        )
        record.leq(
            other.value,
            trace_bound,
            tol=cond.SDP_VALUE_RTOL * (1.0 + res["scale"]),
            instance=inst,
            what="other side: solver t* <= trace bound (max_inner |x|^2 - min_outer |x|^2) / d",
            routes=("solver's reported t* (Clarabel)", "trace bound, closed form"),
        )
    rng = np.random.default_rng(inst.seed + 11)
    act = spec.act or inst.act
    M = spec.M or inst.M
    pm = cond.plant_bad_minimum(
        X,
        y,
        inst.lam0 if spec.planted_weights else res["lam"],
        side,
        act,
        M,
        p=inst.p,
        level=inst.level,
        B=inst.B,
        a_magnitudes=rng.uniform(0.5, 1.5, M),
        note=inst.summary(),
    )
    prob = pm.problem
    theta = cond.flipped(pm) if spec.flip else pm.theta
    value = prob.value(theta)
    record.close(
        value,
        pm.value,
        tol=cond.EVAL_RTOL * (1.0 + pm.value),
        instance=pm,
        what="loss at the construction: evaluated = closed form (1/n) sum l(z_i)",
        routes=("loss evaluated at the construction", "closed form (1/n) sum l(z_i)"),
    )
    c = cf.certify(prob.objective(), theta, grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=lg.HESSIAN_EIG_TOL)
    checks = {
        "verdict": c.verdict,
        "grad_norm": c.grad_norm,
        "lambda_min": c.lambda_min,
        "perturbation_min_increase": c.perturbation_min_increase,
    }
    record.holds(
        bool(c.is_local_min),
        instance=pm,
        what="construction is a certified local minimum (gradient, Hessian, perturbations)",
        extra=checks,
        decisive=True,
    )
    errors = prob.errors(theta)
    record.holds(
        errors == pm.expected_errors,
        instance=pm,
        extra={"errors": errors},
        what="error count = that of the target outputs (exact count)",
    )
    record.holds(errors >= 1, instance=pm, what="the local minimum misclassifies (R_n > 0)")
    if spec.cone:
        cs = side if spec.cone_side is None else spec.cone_side
        con = record.decide(
            lambda: cond.convex_quadratic_fit(prob.X, prob.y, prob.offsets, prob.p, cone_side=cs),
            instance=pm,
            what="cone (Clarabel)",
        )
        ct = cond.conic_poly_hinge_value(pm.value, prob.p)  # the conic solver's accuracy (tolerances.py)
        record.geq(
            con["value"],
            pm.value,
            tol=ct,
            instance=pm,
            what="convex route: min over the cone {side A <= 0} is not below L* (local minimum)",
            routes=("cone program (Clarabel), loss re-evaluated at its point", "construction closed form L*"),
        )
        record.close(
            con.value,
            pm.value,
            tol=ct,
            instance=pm,
            what="convex route: cone optimum = L*",
            routes=("conic solver over the cone", "construction closed form L*"),
        )
        free = record.decide(
            lambda: cond.convex_quadratic_fit(prob.X, prob.y, prob.offsets, prob.p), instance=pm, what="free (Clarabel)"
        )
        record.leq(
            free["value"],
            pm.value,
            tol=0.0,
            instance=pm,
            what="convex route without the cone: a lower point exists (not a global minimum)",
            routes=("unconstrained convex program (Clarabel), re-evaluated", "construction closed form L*"),
        )
    if spec.witness:
        record.witness(
            spec.witness,
            {
                "X": X,
                "y": y,
                "offsets": prob.offsets,
                "theta": theta,
                "lam": pm.lam,
                "M": np.array(M),
                "p": np.array(inst.p),
            },
            certified=bool(c.is_local_min and errors >= 1 and res["verdict"] == "definite"),
            checks=dict(
                checks,
                errors=errors,
                loss=value,
                sdp_lower=finite_or_none(res["lower"]),
                sdp_upper=finite_or_none(res["upper"]),
            ),
            instance=pm,
            refutes=False,
        )
    runs = finite_runs(prob, spec.starts, inst.seed, 300, first_zero_error=True)
    best = min(runs, key=lambda t: (prob.errors(t), prob.value(t)), default=None)
    if best is None or prob.errors(best) > 0:
        record.inconclusive(
            "no random start reached zero error: the minimum is not shown to be non-global", instance=pm
        )
    record.holds(prob.errors(best) == 0, instance=pm, what="a random L-BFGS start reaches zero error (exact count)")
    record.leq(
        prob.value(best),
        pm.value,
        tol=0.0,
        instance=pm,
        what="that end point is lower than L*",
        routes=("L-BFGS end point from a random start, loss evaluated", "construction closed form L*"),
    )


def check_quadratic_if_side(inst, record, starts: int = 3) -> None:
    """ "If" side, landscape part: M = d + 1 quadratic neurons with the instance's offsets.  Every decided
    L-BFGS end point (near-zero loss or certified local minimum) has zero error, and the convex route over
    (a_0, A) reaches loss ~0 with a realizable, error-free parameter."""
    base = inst.problem
    p = lg.ShallowProblem(base.X, base.y, base.d + 1, "square", base.p, "poly_hinge", base.offsets)
    fit = record.decide(
        lambda: cond.convex_quadratic_fit(p.X, p.y, p.offsets, p.p), instance=inst, what="convex fit (Clarabel)"
    )
    record.leq(
        fit["value"],
        0.0,
        tol=tol.conic_value(0.0),
        instance=inst,
        what="convex route: inf over (a_0, A) of the loss is 0 (re-evaluated)",
        routes=("convex program over (a0, A), re-evaluated", "condition holds: infimum 0"),
    )
    record.close(
        fit.value,
        fit["value"],
        tol=tol.conic_value(fit["value"]),
        instance=inst,
        what="convex route: solver value = loss re-evaluated at its point",
        routes=("conic solver's objective (Clarabel)", "loss re-evaluated at its point (numpy)"),
    )
    a, W, a0 = cond.quadratic_network_from(fit["a0"], fit["A"], p.M)
    realized = p.pack(a0, a, W)
    # W diag(a) W^T = A up to the eigensolver's backward error (~ d eps ||A||), times ||x||^2 per output
    out_tol = 1e3 * lg.EPS64 * (abs(a0) + np.linalg.norm(fit["A"], 2) * cond.data_scale(p.X))
    record.close(
        float(np.max(np.abs(p.outputs(realized) - fit["outputs"]))),
        0.0,
        tol=out_tol,
        instance=inst,
        what="network with M = d + 1 quadratic neurons realizes the convex route's outputs",
        routes=("network forward pass (eigendecomposition of A)", "convex route's outputs"),
    )
    record.holds(p.errors(realized) == 0, instance=inst, what="zero-error parameters exist (exact count)")
    decided = 0
    for theta in finite_runs(p, starts, inst.seed, 400):
        value, grad = cf.gradient(p.objective(), theta)
        if value <= lg.NEAR_ZERO_LOSS:
            decided += 1
            record.leq(
                p.errors(theta),
                0,
                tol=0,
                instance=inst,
                what="near-zero-loss end point has zero error",
                routes=ERROR_ROUTES,
            )
            continue
        if np.linalg.norm(grad) > lg.CRITICAL_GRAD_TOL:
            continue
        c = cf.certify(p.objective(), theta, grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=lg.HESSIAN_EIG_TOL)
        if c.is_local_min:
            decided += 1
            record.leq(
                p.errors(theta),
                0,
                tol=0,
                instance=inst,
                what="certified local minimum has zero error",
                extra={"loss": value, "verdict": c.verdict},
                routes=ERROR_ROUTES,
                decisive=True,
            )
        elif c.verdict == "saddle":
            decided += 1
    if decided == 0:
        record.inconclusive("no L-BFGS end point converged", instance=inst)
    record.note("decided end points", decided, instance=inst)
