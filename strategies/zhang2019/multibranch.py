"""Strategies for multi-branch networks with the tau-hinge loss (Zhang et al. 2019, Thm 1 and Remarks 1-3).

Every instance is built inside Assumption 1 by construction: branch outputs are tabulated (or bounded exactly)
over the whole feasible parameter set first, and tau is then set above the largest reachable ``y f``.

* ``pwl_branch_problems``  family A, literally inside the theorem: each branch is a ReLU network in one
  trainable scalar ``w`` on an interval (``f_i(w; x) = sum_k alpha_k relu(w - t_k) + beta`` realizes any
  continuous piecewise-linear output), with a convex piecewise-linear regularizer radial about a centre.
* ``relu_unit_problems``   family A from data: branch ``v_i relu(w a_i.x + b_i) + e_i.x`` on a drawn sample.
* ``grid_network_problems`` family B: heterogeneous MLP branches (0-2 hidden layers, activations from the
  catalogue) whose parameters move along a line through parameter space, tabulated on a finite grid, weight
  decay ``||theta||^2`` as regularizer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from landscape.core.activations import CATALOGUE
from landscape.core.networks import Branch
from landscape.zhang2019 import hinge_gap as hg
from landscape.zhang2019 import multibranch as mb

SHAPES = ("random", "plateau-drop", "convex", "identical plateau")
# tau is set this far (relatively) above the largest reachable y*f, so Assumption 1 holds strictly
TAU_SLACK = (0.01, 2.0)


@dataclass(frozen=True)
class BranchProblem:
    inst: object  # mb.PWLBranches or mb.GridBranches
    shape: str
    seed: int
    tau: float | None = None
    note: str = ""
    scalars: dict | None = None  # family B with scalar grids: per-branch parameter values and h centres

    @property
    def I(self) -> int:
        return self.inst.I

    def summary(self) -> str:
        sizes = [len(r) for r in self.inst.H]
        return (
            f"{type(self.inst).__name__} I={self.I} points/branch={min(sizes)}..{max(sizes)} "
            f"K={self.inst.K:.6g} shape={self.shape} seed={self.seed} {self.note}"
        ).strip()


def explicit_problem(I: int, d: float) -> BranchProblem:
    """The catalog's explicit worst case (``multibranch.explicit_instance``) as a problem: normalized gap 1/I."""
    inst = mb.explicit_instance(I, d)
    return BranchProblem(inst, "explicit worst case", 0, None, note=f"explicit d={d}", scalars={"center": np.zeros(I)})


def _sample(draw, max_n: int, max_d: int):
    """A drawn sample size and dimension, a seed, its generator, Gaussian inputs and random +-1 labels."""
    n = draw(st.integers(1, max_n), label="n")
    d = draw(st.integers(1, max_d), label="d")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    return n, d, seed, rng, rng.standard_normal((n, d)), rng.choice([-1.0, 1.0], n)


def _convex_h(t, c, a_left, a_right, b, r0):
    """A convex piecewise-linear regularizer with its minimum 0 at c: slopes a_left / a_right on either side
    (asymmetric when they differ), steeper by b beyond distance r0."""
    return a_left * np.maximum(c - t, 0.0) + a_right * np.maximum(t - c, 0.0) + b * np.maximum(np.abs(t - c) - r0, 0.0)


@st.composite
def pwl_branch_problems(draw, max_I: int = 64, max_breaks: int = 8, shapes=SHAPES, min_I: int = 1):
    """Family A instances (h_i convex piecewise linear, radial or asymmetric about its minimizer); the worst-case
    shapes of the catalog are planted by ``shape``:
    ``plateau-drop`` (g flat, then falling near the largest h), ``identical plateau`` (the same such branch
    everywhere, with K just enough for one branch to reach the end of the plateau: the explicit worst case),
    ``convex`` (Delta = 0: the theorem then says P = D), ``random``."""
    I = draw(st.one_of(st.integers(min_I, max(min_I, 8)), st.integers(min_I, max_I)), label="I")
    shape = draw(st.sampled_from(shapes), label="shape")
    M = draw(st.integers(1, max_breaks), label="segments")
    k_frac = draw(st.floats(0, 1), label="K position")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    plateau = float(rng.uniform(0.05, 0.95))
    ts, Gs, Hs, centers = [], [], [], []
    for i in range(I):
        if shape == "identical plateau" and i > 0:
            ts.append(ts[0]), Gs.append(Gs[0]), Hs.append(Hs[0]), centers.append(centers[0])
            continue
        lo = float(rng.uniform(-1, 0)) if shape != "identical plateau" else 0.0
        width = float(rng.uniform(0.5, 2)) if shape != "identical plateau" else 1.0
        knots = np.sort(lo + width * rng.uniform(0, 1, M - 1))
        if shape in ("plateau-drop", "identical plateau"):
            knots = np.array([lo + plateau * width])
        t_g = np.unique(np.concatenate([[lo, lo + width], knots]))
        # branch output F at the knots (a ReLU network in w realizes any such PWL function); g = 1 - F / tau
        if shape == "random":
            F = rng.standard_normal(t_g.size)
        elif shape == "convex":  # F concave => g convex
            slopes = np.sort(rng.standard_normal(t_g.size - 1))[::-1]
            F = np.concatenate([[0.0], np.cumsum(slopes * np.diff(t_g))])
        else:  # flat, then rising output (falling loss) on the last piece
            F = np.array([0.0, 0.0, float(rng.uniform(0.5, 2))])
        # a convex PWL regularizer with minimum at a centre c: radial (h = a|w - c| + b relu(|w - c| - r0)) or, for
        # half of the branches, asymmetric (slopes a and a * 10^U(-0.5, 0.5) on either side of c)
        if shape == "identical plateau":
            c, a, skew, b, r0 = lo, 1.0, 1.0, 0.0, 0.0
        else:
            c = float(rng.choice(t_g)) if rng.uniform() < 0.5 else float(rng.uniform(lo, lo + width))
            a, b, r0 = float(rng.uniform(0.1, 2)), float(rng.uniform(0, 2)), float(rng.uniform(0, width))
            skew = 1.0 if rng.uniform() < 0.5 else float(10 ** rng.uniform(-0.5, 0.5))
        t = np.unique(np.concatenate([t_g, [c], [c - r0, c + r0]]))
        t = t[(t >= lo) & (t <= lo + width)]
        ts.append(t)
        centers.append(c)
        Gs.append(np.interp(t, t_g, F))  # F for now; divided by tau below
        Hs.append(_convex_h(t, c, a, a * skew, b, r0))
    reach = max(float(np.max(np.abs(F))) for F in Gs)
    tau = (1.0 + draw(st.floats(*TAU_SLACK), label="tau slack")) * max(reach, 1e-3)
    Gs = [1.0 - F / tau for F in Gs]
    k_min = float(np.mean([h.min() for h in Hs]))
    k_max = float(np.mean([h.max() for h in Hs]))
    if shape == "identical plateau":
        K = plateau / I  # one branch may sit at the end of the plateau; none can afford the drop
    else:
        K = k_min + k_frac * (k_max - k_min)
    return BranchProblem(mb.PWLBranches(ts, Gs, Hs, K), shape, seed, tau, scalars={"center": np.array(centers)})


DEGENERATE = ("none", "duplicated samples", "rank-one inputs")


def _degenerate_inputs(draw, rng, X):
    """Degenerate data on demand: some samples repeated, or every input on one line (rank one)."""
    kind = draw(st.sampled_from(DEGENERATE), label="degenerate data")
    n = X.shape[0]
    if kind == "duplicated samples" and n >= 2:
        X = X.copy()
        src = rng.integers(0, n, size=max(1, n // 2))
        X[rng.integers(0, n, size=src.size)] = X[src]
    elif kind == "rank-one inputs":
        X = np.outer(rng.standard_normal(n), rng.standard_normal(X.shape[1]))
    return X, kind


def _concave_unit(rng, X, u: float):
    """A unit ``v relu(w a.x + b) + e.x`` with v > 0: with every label +1 its g is concave in w.  The bias puts the
    first kink inside (0, u) (b = -w_k max_j a.x_j < 0), so that on [0, u] g is flat up to w_k and then falls: the
    plateau-then-drop shape where Delta > 0.  (All a.x_j = 0 leaves g flat: then Delta = 0.)"""
    a = rng.standard_normal(X.shape[1])
    s = X @ a
    if np.max(s) <= 0:
        a, s = -a, -s
    w_k = float(rng.uniform(0.05, 0.95)) * u
    return a, -w_k * float(max(np.max(s), 0.0)), float(abs(rng.standard_normal()) + 0.1)


def _tight_budget(t, G):
    """For identical branches with concave g on [0, u] and h = |w|: the level w* maximising
    min(g(0), g(w)) - chord(w) (the definition of Delta there), where one branch alone at w* gives I (P - D) = Delta.
    Candidates: breakpoints and the point where g falls back to g(0)."""
    g0 = G[0]
    chord = g0 + (G[-1] - g0) * (t - t[0]) / (t[-1] - t[0])
    cand, vals = list(t), list(np.minimum(g0, G) - chord)
    for k in range(1, t.size):  # g concave: it crosses the level g(0) downwards at most once
        if G[k - 1] >= g0 > G[k]:
            w = t[k - 1] + (G[k - 1] - g0) / (G[k - 1] - G[k]) * (t[k] - t[k - 1])
            cand.append(w)
            vals.append(g0 - (g0 + (G[-1] - g0) * (w - t[0]) / (t[-1] - t[0])))
    return float(cand[int(np.argmax(vals))])


@st.composite
def relu_unit_problems(draw, max_I: int = 24, max_n: int = 12, max_d: int = 3):
    """Family A from a drawn sample (Remark 2's empirical risk): ``f_i = v_i relu(w a_i.x + b_i) + e_i.x``.

    ``shape="random"``: independent units, random labels (separable or not), h_i = |w - c_i| with c_i inside the
    interval, K anywhere in its feasible range.  ``shape="tight"``: the worst case of the bound, built from data: I
    copies of one unit with v > 0 on W = [0, u], every label +1 (so g is concave), h = |w|, and K = w*/I with w*
    the level where Delta is attained (``_tight_budget``; optionally a little below it), where the normalized gap
    I (P - D) / Delta_worst is 1.  Either shape may get degenerate data (duplicated samples, rank-one inputs).
    """
    I = draw(st.integers(1, max_I), label="I")
    n = draw(st.integers(1, max_n), label="n")
    d = draw(st.integers(1, max_d), label="d")
    shape = draw(st.sampled_from(("random", "tight")), label="shape")
    separable = draw(st.booleans(), label="separable labels") if shape == "random" else True
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    k_frac = draw(st.floats(0, 1), label="K position")
    rng = np.random.default_rng(seed)
    X, degenerate = _degenerate_inputs(draw, rng, rng.standard_normal((n, d)))
    if shape == "random":
        y = np.sign(X @ rng.standard_normal(d)) if separable else rng.choice([-1.0, 1.0], n)
        y[y == 0] = 1.0
        units = (
            rng.standard_normal((I, d)),
            rng.standard_normal(I),
            rng.standard_normal(I),
            0.3 * rng.standard_normal((I, d)),
        )
        lo = rng.uniform(-2, 0, I)
        intervals = np.stack([lo, lo + rng.uniform(0.5, 3, I)], axis=1)
        centers = intervals[:, 0] + rng.uniform(0, 1, I) * (intervals[:, 1] - intervals[:, 0])
    else:
        y = np.ones(n)
        u = float(rng.uniform(0.5, 3))
        a, b, v = _concave_unit(rng, X, u)
        units = (np.tile(a, (I, 1)), np.full(I, b), np.full(I, v), 0.3 * rng.standard_normal((I, d)))
        intervals = np.tile([0.0, u], (I, 1))
        centers = np.zeros(I)
    reach = 1.0 - mb.assumption1_margin(X, y, 1.0, units, intervals)  # max_j (1/I) sum_i max_w y_j f_i
    tau = (1.0 + draw(st.floats(*TAU_SLACK), label="tau slack")) * max(reach, 1e-3)
    # h_i = |w - c_i| with c_i inside the interval: the budget's least value is 0
    if shape == "random":
        K = k_frac * float(np.mean(np.maximum(centers - intervals[:, 0], intervals[:, 1] - centers)))
    else:
        probe = mb.pwl_from_relu_units(X, y, tau, units, intervals, centers, 0.0)
        below = draw(st.sampled_from((0.0, 0.0, 0.01, 0.1)), label="K below the tight level")
        K = (1.0 - below) * _tight_budget(probe.t[0], probe.G[0]) / I
    inst = mb.pwl_from_relu_units(X, y, tau, units, intervals, centers, K, require_assumption1=True)
    return BranchProblem(
        inst,
        f"relu units, {shape}",
        seed,
        tau,
        note=f"n={n} d={d} separable={separable} data={degenerate}",
        scalars={"center": centers, "X": X, "y": y, "units": units, "intervals": intervals},
    )


@st.composite
def grid_network_problems(
    draw,
    max_I: int = 6,
    max_G: int = 5,
    max_n: int = 8,
    max_d: int = 3,
    tau_side: str = "above",
    max_choices: int = 20_000,
):
    """Family B: each branch an MLP (own depth, width, activation) whose parameters run along a line
    ``theta_0 + w d`` through parameter space; the grid holds G values of w, always including the minimizer of
    ``h(w) = ||theta_0 + w d||^2`` (so that f^ is finite on the grid's hull).  Grids may hold tied budgets (points
    mirrored about the minimizer of h) and the data may be degenerate (duplicated samples, rank-one inputs).

    ``tau_side="above"``: tau above every tabulated ``|f|`` (Assumption 1); ``"below"``: tau below the largest
    reachable ``y f`` (Assumption 1 fails, the hinge can be active).  With ``tau_side="above"`` a share of draws is
    the tight family (``_tight_grid``), where the normalized gap is 1 - eps.  Returns ``scalars`` for exact Delta
    and the raw outputs ``F`` (I, G, n) and labels for the enumeration route.
    """
    I = draw(st.integers(1, max_I), label="I")
    G = draw(st.integers(2, max_G), label="G")
    while G**I > max_choices:
        G -= 1
    if tau_side == "above" and draw(st.sampled_from(("networks", "tight")), label="shape") == "tight":
        return _tight_grid(draw, I, G, max_n, max_d)
    n, d, seed, rng, X, y = _sample(draw, max_n, max_d)
    X, degenerate = _degenerate_inputs(draw, rng, X)
    mirrored = draw(st.booleans(), label="tied budgets")
    F = np.zeros((I, G, n))
    W, Hh, C, archs = np.zeros((I, G)), np.zeros((I, G)), np.zeros(I), []
    for i in range(I):
        depth = draw(st.integers(0, 2), label=f"depth {i}")
        hidden = tuple(draw(st.integers(1, 3)) for _ in range(depth))
        act = draw(st.sampled_from(sorted(CATALOGUE)), label=f"activation {i}")
        branch = Branch(d, hidden, act)
        archs.append(branch.describe())
        theta0, direction = rng.standard_normal(branch.n_params), rng.standard_normal(branch.n_params)
        c = -float(theta0 @ direction) / float(direction @ direction)
        offsets = rng.uniform(-2, 2, G - 1)
        if mirrored and G >= 3:  # the second offset mirrors the first: two parameters with the same budget
            offsets[1] = -offsets[0]
        w = np.sort(np.concatenate([[c], c + offsets]))
        thetas = theta0[None, :] + w[:, None] * direction[None, :]
        F[i], W[i], Hh[i], C[i] = branch.forward_many(thetas, X), w, np.sum(thetas**2, axis=1), c
    reach = float(np.max(np.abs(F)))
    if tau_side == "above":
        tau = (1.0 + draw(st.floats(*TAU_SLACK), label="tau slack")) * max(reach, 1e-3)
    else:
        # the largest y_j f(w; x_j) the averaged network reaches: each branch picks its own best grid point
        reach_avg = float(np.max(np.mean(np.max(y[None, None, :] * F, axis=1), axis=0)))
        assume(reach_avg > 1e-6)  # rare: no choice has a positive margin, so no tau can violate Assumption 1
        tau = draw(st.floats(0.02, 0.9), label="tau / reachable") * reach_avg
    Gi = np.mean(1.0 - y[None, None, :] * F / tau, axis=2)
    budgets = (float(np.mean(Hh.min(axis=1))), float(np.mean(Hh.max(axis=1))))
    K = budgets[0] + draw(st.floats(0, 1), label="K position") * (budgets[1] - budgets[0])
    inst = mb.GridBranches(Gi, Hh, K, w=W, h_center=C)
    return BranchProblem(
        inst,
        "grid networks",
        seed,
        tau,
        note=f"n={n} d={d} data={degenerate} tied={mirrored} branches={','.join(archs)}",
        scalars={"w": W, "center": C, "F": F, "y": y, "X": X},
    )


def _tight_grid(draw, I: int, G: int, max_n: int, max_d: int) -> BranchProblem:
    """The worst case of the grid reading, as networks: I copies of one unit ``v relu(w a.x + b) + e.x`` (v > 0,
    labels +1, so g is concave) on the grid {0, points of (0, w_c] where g >= g(0), u}, h = w^2 (weight decay of the
    one trainable weight).  No branch can afford u with K = (1 - eps) u^2 / I, so P = g(0); D and Delta follow
    the chord from (0, g(0)) to (u, g(u)): the normalized gap is I (P - D) / Delta_worst = 1 - eps."""
    n, d, seed, rng, X, _ = _sample(draw, max_n, max_d)
    X, degenerate = _degenerate_inputs(draw, rng, X)
    y = np.ones(n)
    u = float(rng.uniform(0.5, 3))
    a, b, v = _concave_unit(rng, X, u)
    e = 0.3 * rng.standard_normal(d)
    s = X @ a

    def out(w):
        return v * np.maximum(np.outer(w, s) + b, 0.0) + (X @ e)[None, :]  # (len(w), n)

    dense = np.linspace(0.0, u, 513)
    g_dense = np.mean(1.0 - out(dense), axis=1)  # the shape of g; tau only rescales it
    plateau = dense[1:-1][g_dense[1:-1] >= g_dense[0]]
    inner = np.sort(rng.choice(plateau, size=min(G - 2, plateau.size), replace=False)) if plateau.size else []
    w = np.concatenate([[0.0], inner, [u]])
    F1 = out(w)
    tau = (1.0 + draw(st.floats(*TAU_SLACK), label="tau slack")) * max(float(np.max(np.abs(F1))), 1e-3)
    eps = draw(st.sampled_from((1e-3, 0.01, 0.03, 0.05)), label="eps")
    F = np.broadcast_to(F1, (I, *F1.shape)).copy()
    Gi = np.mean(1.0 - y[None, None, :] * F / tau, axis=2)
    W = np.tile(w, (I, 1))
    inst = mb.GridBranches(Gi, W**2, (1.0 - eps) * u**2 / I, w=W, h_center=np.zeros(I))
    return BranchProblem(
        inst,
        "grid networks, tight",
        seed,
        tau,
        note=f"n={n} d={d} data={degenerate} eps={eps}",
        scalars={"w": W, "center": np.zeros(I), "F": F, "y": y, "X": X},
    )


@st.composite
def single_unit_hinge_problems(draw, max_n: int = 4, max_d: int = 2):
    """One ReLU unit ``v relu(w a.x + b) + e.x`` on an interval, with tau BELOW the largest reachable ``y f``
    (Assumption 1 fails): the hinge-refined family-A instance of the true loss, and the linear surrogate g that
    defines Delta (``scalars["linear"]``)."""
    n, d, seed, rng, X, y = _sample(draw, max_n, max_d)
    unit = (
        rng.standard_normal(d),
        float(rng.standard_normal()),
        float(rng.standard_normal()),
        0.5 * rng.standard_normal(d),
    )
    lo = -float(rng.uniform(0, 2))
    hi = lo + float(rng.uniform(0.5, 3))
    # the continuous knobs come from the seeded generator, not from Hypothesis floats: violations are ~1 % of
    # draws, and Hypothesis biases float draws towards constants it mines from the loaded modules, which made
    # whether a search finds one depend on which modules a run had imported
    c = lo + float(rng.uniform(0, 1)) * (hi - lo)
    # the largest y f over the interval: f is piecewise linear in w, so its maximum sits at an end or a kink
    s = X @ unit[0]
    cand = np.array([lo, hi, *[-unit[1] / sj for sj in s if sj != 0]])
    cand = cand[(cand >= lo) & (cand <= hi)]
    reach = float(np.max(y[None, :] * (unit[2] * np.maximum(np.outer(cand, s) + unit[1], 0.0) + X @ unit[3])))
    assume(reach > 1e-6)  # rare: no parameter reaches a positive margin, so Assumption 1 cannot fail
    tau = float(rng.uniform(0.02, 0.95)) * reach
    K = float(rng.uniform(0, 1)) * max(c - lo, hi - c)
    with_hinge, linear = hg.single_unit_hinge_instances(X, y, tau, unit, (lo, hi), c, K)
    return BranchProblem(
        with_hinge,
        "single unit, hinge active",
        seed,
        tau,
        note=f"n={n} d={d} reach={reach:.4g}",
        scalars={
            "linear": linear,
            "center": np.array([c]),
            "X": X,
            "y": y,
            "reach": reach,
            "unit_a": unit[0],
            "unit_b": unit[1],
            "unit_v": unit[2],
            "unit_e": unit[3],
            "interval": np.array([lo, hi]),
        },
    )


@st.composite
def coupled_grid_problems(
    draw,
    max_I: int = 3,
    max_G: int = 25,
    kinds: tuple[str, ...] = ("random walk", "convex", "decreasing"),
    quantiles: tuple[float, ...] = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5),
):
    """Scalar-parameter grids (w = 0 always on the grid) for the coupled-budget search: the per-branch losses g_i
    are a random walk, convex, or decreasing away from 0, affinely placed inside (0, 2) so that they are the
    surrogate ``1 - f_i / tau`` of outputs ``|f_i| < tau = 1`` (one sample x = 1, y = +1: Assumption 1 holds)."""
    I = draw(st.integers(2, max_I), label="I")
    G = draw(st.integers(3, max_G if I == 2 else min(max_G, 20)), label="G")
    kind = draw(st.sampled_from(list(kinds)), label="shape of g")
    # tight budgets are where a coupling regularizer separates P from D: draw the quantile on a log scale
    quantile = draw(st.sampled_from(list(quantiles)), label="budget quantile")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    w = np.sort(np.concatenate([np.zeros((I, 1)), rng.uniform(-1, 1, (I, G - 1))], axis=1), axis=1)
    if kind == "random walk":
        g = np.cumsum(rng.standard_normal((I, G)), axis=1)
    elif kind == "convex":
        g = (w - rng.uniform(-1, 1, (I, 1))) ** 2 * rng.uniform(0.1, 3, (I, 1))
    else:
        g = -np.abs(w) * rng.uniform(0.1, 2, (I, 1)) + 0.1 * rng.standard_normal((I, G))
    g = 0.05 + 1.9 * (g - g.min()) / max(float(np.ptp(g)), 1e-12)
    F = (1.0 - g)[:, :, None]  # outputs on the single sample x = 1, y = +1, tau = 1
    inst = mb.GridBranches(g, w**2, float(np.mean((w**2).max(axis=1))), w=w, h_center=np.zeros(I))
    return BranchProblem(
        inst,
        kind,
        seed,
        1.0,
        note=f"budget quantile={quantile:.3g}",
        scalars={"w": w, "center": np.zeros(I), "F": F, "y": np.ones(1), "X": np.ones((1, 1)), "quantile": quantile},
    )
