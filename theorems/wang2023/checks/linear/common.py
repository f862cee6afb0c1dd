"""Shared helpers of the Wang et al. (2023) deep linear checks: evaluation tolerances, the minimum-norm
interpolant, interpolation and factor checks, the trained-route wrapper and the gap note.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from landscape.core import tolerances as tol
from landscape.wang2023 import linear as wl
from reports.families.wang2023 import GAP_NOTE, GAP_T_NOTE
from strategies.wang2023.linear import WangLinearInstance

C = wl.CLOSED
UNEQUAL = ("distinct", "repeated")  # reading A: the non-zero singular values are not all equal


# ------------------------------------------------------------------------------------------------------------
# helpers: tolerances and shared checks
# ------------------------------------------------------------------------------------------------------------
def _size(inst: WangLinearInstance) -> int:
    return max(inst.N, inst.d, inst.K, *inst.widths)


def eval_tol(inst: WangLinearInstance, value: float) -> float:
    """Float64 allowance for a value assembled from L factors (products, norms, powers 1/L): L evaluations."""
    return inst.L * tol.evaluation(value, _size(inst))


def _pinv_norm(inst: WangLinearInstance) -> float:
    return float(np.linalg.norm(np.linalg.pinv(inst.X), 2))


def _schatten_allowance(inst: WangLinearInstance, t: float, p: float, residual: float) -> float:
    """How much lower the closed form ``t^-(L-2) ||W||_{S_p}`` can be at the targets a trained point actually
    interpolates (they differ from Y by ``residual`` in Frobenius norm; see ``wl.perturbation_allowance``)."""
    return wl.perturbation_allowance(inst.planted_sv, inst.L, t, p, _pinv_norm(inst) * residual, min(inst.d, inst.K))


def _power_sum_allowance(inst: WangLinearInstance, residual: float) -> float:
    """Same for ``(L/2) sum sigma^(2/L)``: each of min(d, K) terms drops by at most ``shift^(2/L)``."""
    shift = _pinv_norm(inst) * residual
    return inst.L / 2.0 * min(inst.d, inst.K) * shift ** (2.0 / inst.L) if shift > 0 else 0.0


def wstar(inst: WangLinearInstance) -> np.ndarray:
    """``W* = X^+ Y`` (the factor constructions start from it; the checks compare with X and Y themselves)."""
    return wl.spectrum(inst.X, inst.Y).W


def _interpolation_check(record, inst, net: wl.StairNet, what: str, trained: bool = False) -> None:
    """``X (end-to-end map of net) = Y``: for an explicit construction up to the rounding of a product of L
    factors; for a trained point up to the residual its last-layer solve was accepted with (RESIDUAL_RTOL)."""
    E = wl.end_to_end(net, inst.d)
    if trained:
        allowed = wl.RESIDUAL_RTOL * (1.0 + float(np.linalg.norm(inst.Y)))
    else:
        scale = float(
            np.linalg.norm(inst.X, 2)
            * np.sum(np.linalg.norm(wl.branch_vectors(net, inst.d), axis=1) * np.linalg.norm(net.rows, axis=1))
            + np.linalg.norm(inst.Y)
        )
        allowed = eval_tol(inst, scale)
    record.leq(
        float(np.linalg.norm(inst.X @ E - inst.Y)),
        0.0,
        tol=allowed,
        instance=inst,
        routes=("end-to-end map of the net", "targets Y"),
        what=f"{what}: the net interpolates Y",
    )


def pinned(record, inst: WangLinearInstance, net: wl.StairNet, t: float, layers: int, value: float, what: str) -> None:
    """The claim's decisive check: an explicit feasible net (upper bound) attains the Hoelder lower bound with
    ``layers`` factors (:func:`wl.holder_lower_bound`, not the closed form), which pins the optimum, and the closed
    form ``value`` equals the pinned optimum."""
    lower = wl.holder_lower_bound(inst.X, inst.Y, inst.L, t, layers=layers)
    record.close(
        wl.budget_cost(net, t),
        lower,
        tol=eval_tol(inst, lower),
        instance=inst,
        routes=("explicit net", "Hoelder lower bound"),
        what=f"{what}: explicit net attains the Hoelder bound",
    )
    record.close(
        value,
        lower,
        tol=eval_tol(inst, lower),
        instance=inst,
        routes=("closed form", "Hoelder lower bound"),
        decisive=True,
        what=f"{what}: closed form = pinned optimum",
    )


def check_standard_factors(record, inst, net: wl.StairNet, t: float, value: float, what: str) -> None:
    """A standard net's factors interpolate Y, respect the budgets and cost exactly ``value``."""
    Ws = net.standard_weights()
    _interpolation_check(record, inst, net, what)
    for W in Ws[:-2]:
        record.leq(
            float(np.linalg.norm(W)),
            t,
            tol=eval_tol(inst, t),
            instance=inst,
            routes=("factor norms", "budget t"),
            what=f"{what}: ||W_i||_F <= t",
        )
    record.leq(
        float(np.linalg.norm(Ws[-2], axis=0).max()),
        1.0,
        tol=eval_tol(inst, 1.0),
        instance=inst,
        routes=("column norms", "unit budget"),
        what=f"{what}: columns of W_(L-1) have norm <= 1",
    )
    cost = float(np.linalg.norm(Ws[-1], axis=1).sum())
    record.close(
        cost,
        value,
        tol=eval_tol(inst, value),
        instance=inst,
        routes=("explicit factors", "closed form"),
        what=f"{what}: sum of row norms of W_L = closed form",
    )


def perturbed_costs(inst: WangLinearInstance, t: float, count: int = 16) -> tuple[float, float]:
    """Scale-t costs of random feasible factorizations near (and far from) the optimal ones.

    The shared layers and columns of an optimal factorization (widths padded to N so that the first L-1 layers
    map onto all of R^N) get random perturbations of relative size 1e-4..1; the last layer is re-solved so that
    the net interpolates Y again, and :func:`wl.budget_cost` rescales it into the budgets.  Returns the smallest
    cost and the largest interpolation residual among the usable ones.
    """
    padded = [max(w, inst.N) for w in inst.widths]
    net = wl.stair_factors(wstar(inst), inst.L, inst.L - 2, t, padded[:-1], padded[-1], seed=inst.seed)
    rng = np.random.default_rng(inst.seed)
    best, worst_res = np.inf, 0.0
    for _ in range(count):
        eps = 10.0 ** rng.uniform(-4, 0)
        shared = tuple(W + eps * np.linalg.norm(W) * rng.standard_normal(W.shape) / np.sqrt(W.size) for W in net.shared)
        cols = net.cols + eps * rng.standard_normal(net.cols.shape) / np.sqrt(net.cols.shape[1])
        solved = wl.solve_rows(inst.X, inst.Y, wl.StairNet(shared, (), cols, net.rows))
        if not solved.ok:
            continue
        cand, res = solved["net"], solved["residual"]
        best = min(best, wl.budget_cost(cand, t))
        worst_res = max(worst_res, res)
    return best, worst_res


def _minimize_over_t(f, guess: float) -> tuple[float, float]:
    """Numerical ``min_{t > 0} f(t)`` (bounded Brent on log t around ``guess``): an independent check of the
    closed-form minimization over the scale.  Returns (minimizer, minimum)."""
    res = minimize_scalar(
        lambda u: f(np.exp(u)),
        bounds=(np.log(guess) - 8, np.log(guess) + 8),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(np.exp(res.x)), float(res.fun)


def _trained(record, fn, *, instance: WangLinearInstance, what: str) -> wl.RouteResult:
    """A training route's result when at least one run gave an interpolating point (each such run is an upper
    bound whether or not it converged); inconclusive when every run was discarded."""
    try:
        result = fn()
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - an optimizer crash is an undecidable example, recorded as such
        record.inconclusive(f"{what} raised {type(exc).__name__}: {exc}", instance=instance)
    if not result.data.get("values"):
        record.inconclusive(f"{what}: {result.status}", instance=instance)
    return result


def _require_converged(record, inst: WangLinearInstance, result: wl.RouteResult, what: str) -> None:
    """Equalities with a trained value need a run that stopped at a small gradient; otherwise inconclusive."""
    if not result.ok:
        record.inconclusive(f"{what}: best run did not converge ({result.status})", instance=inst)


def _note_reached(record, inst: WangLinearInstance, label: str, best: float, value: float) -> None:
    """Record (not assert) whether the best training run reached the closed form, and by how much it missed."""
    excess = (best - value) / (1.0 + abs(value))
    record.note(f"{label}: best run reached the closed form", bool(excess <= wl.TRAIN_REACHED_RTOL), instance=inst)
    record.note(f"{label}: relative excess of the best run", excess, instance=inst, extra={"L": inst.L})


def _standard_shape(inst: WangLinearInstance) -> wl.StairShape:
    return wl.StairShape(inst.L, inst.L - 2, inst.widths[-1], tuple(inst.widths[:-1]))


def note_gap(record, inst, cert: wl.RouteResult, spread: float, rank: int) -> None:
    extra = {"L": inst.L, "spread": spread, "rank": rank, "structure": inst.structure}
    record.note(GAP_NOTE, cert["relative_gap"], instance=inst, extra=extra)
    record.note(GAP_T_NOTE, cert["relative_gap_t"], instance=inst, extra=extra)
