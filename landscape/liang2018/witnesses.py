"""The readable instances of the failure cases (one small fixed instance per proposition, described in words) and
their witness files: plain arrays out, a rebuilt ``BadPoint`` in (the facts its checks rely on are recomputed)."""

from __future__ import annotations

import numpy as np

from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint
from landscape.liang2018.constructions.constant import constant_loss
from landscape.liang2018.constructions.curved import prop5_constant_point, weighted_second_moment
from landscape.liang2018.constructions.dead import (
    first_layer,
    prop2_dead_point,
    prop6_dead_first_layer,
    prop7_shortcut_point,
)
from landscape.liang2018.constructions.linear import linear_model_by_newton
from landscape.liang2018.constructions.linear_regime import prop3_linear_point
from landscape.liang2018.constructions.symmetric import prop4_constant_point
from landscape.liang2018.data import (
    class_counts,
    half_space_separable_data,
    half_space_subspace_data,
    prop5_data,
    symmetric_sample,
)
from landscape.liang2018.models import IdentityShortcutProblem


# ------------------------------------------------------------------------------------------------------------
# Readable instances and witness files
# ------------------------------------------------------------------------------------------------------------
def readable_instances() -> dict[str, BadPoint[lg.LiangProblem]]:
    """The small fixed instance of each proposition (name -> BadPoint), described in words."""
    out: dict[str, BadPoint[lg.LiangProblem]] = {}
    tp, tm = [-0.5, 0.25, 1.0], [-1.0, 0.5]
    X, y = half_space_subspace_data(tp, tm)
    M = lg.required_width_thm1(5, 2, 2, 1)
    B = lg.constant_model_optimum(3, 2, 6)
    out["liang2018.prop2__thm1-data"] = prop2_dead_point(
        X,
        y,
        M,
        "relu",
        6,
        description=(
            f"Thm-1 data d=3: n+=3 at (1,t,0), t=-1/2,1/4,1; n-=2 at (1,0,t), t=-1,1/2 (U+={{e1,e2}}, "
            f"U-={{e1,e3}}, dr=1); M={M}=2n ReLU neurons, all w_j=-e1 (pre-activation -1), a_j=1, a_0=B*={B:.6f}, "
            f"f_D=0, p=6: f=B*>=0 everywhere, both negatives wrong, error 2/5"
        ),
    )
    X, y = half_space_separable_data([0.25, 0.5, 0.75], [0.0, 0.5])
    B = lg.constant_model_optimum(3, 2, 4)
    out["liang2018.prop2__thm2-data"] = prop2_dead_point(
        X,
        y,
        2,
        "relu",
        4,
        description=(
            f"Thm-2 data d=3: n+=3 at (1,x2,0), x2=3/4,1,5/4; n-=2 at x2=-1/2,-1 (separator e2); M=2 ReLU "
            f"neurons w_j=-e1 (dead), a_0=B*={B:.6f}, p=4: both negatives wrong, error 2/5"
        ),
    )
    X, y = half_space_subspace_data([1.0, -0.5], [0.25, -1.0])
    lin = linear_model_by_newton(X, y, 6)
    bp: BadPoint[lg.LiangProblem] = prop3_linear_point(X, y, 8, "leaky_relu", 6, linear=lin)
    affine = (
        f"f = {lin.beta + lin.u[0]:.5f} + {lin.u[1]:.5f} t (positives), "
        f"{lin.beta + lin.u[0]:.5f} + {lin.u[2]:.5f} t (negatives)"
    )
    bp.description = (
        f"Thm-1 data d=3: n+=2 at (1,t,0), t=1,-1/2; n-=2 at (1,0,t), t=1/4,-1 (no affine "
        f"classifier is error-free); M=8=2n leaky ReLU (slope 0.1) neurons in their linear piece "
        f"realizing the best linear model {affine}; p=6; error {bp.errors()}/4"
    )
    out["liang2018.prop3__linear-regime"] = bp
    X, y = symmetric_sample(2, 1)
    B = lg.constant_model_optimum(4, 2, 6)
    out["liang2018.prop4__symmetric"] = prop4_constant_point(
        X,
        y,
        12,
        "tanh",
        6,
        description=(
            f"symmetric sample 2n=6 in R^2: positives +e1,+e1,-e1,-e1; negatives +e2,-e2; M=12=2(2n) tanh "
            f"neurons, W=0, a_j=1, a_0=B*={B:.6f}, p=6: f=B*>0, both negatives wrong, error 2/6 (a global "
            f"minimum: no parameter is error-free on this sample)"
        ),
    )
    X, y = prop5_data([1.25, 1.5, 1.75], [-1.5, -1.25])
    bp = prop5_constant_point(X, y, 2, "square", 6)
    bp.description = (
        f"separable 1-d data: n+=3 at x=5/4,3/2,7/4; n-=2 at x=-3/2,-5/4 (separator w=1); "
        f"M=2 quadratic neurons, W=0, a_j={-int(np.sign(bp.meta['S'])):+d} (sign -S, "
        f"S={bp.meta['S']:.4g}), a_0=B*={bp.B_star:.6f}, p=6: error {bp.errors()}/5"
    )
    out["liang2018.prop5__square"] = bp
    X = np.array([[1.0, 1.0], [2.0, -1.0], [-1.0, 1.0], [-2.0, -1.0], [1.5, 0.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
    bp = prop6_dead_first_layer(X, y, (2, 2), "relu", 6, seed=0, planted=np.array([1.0, 0.0, 0.0]))
    bp.description = (
        f"d=2: positives (1,1),(2,-1),(3/2,0), negatives (-1,1),(-2,-1) (labels = sign x_1); "
        f"ReLU net 2-2-2-1 with random weights (seed 0) and first-layer biases "
        f"{first_layer(bp.problem, bp.theta)[1][0]:.4g} (all first-layer units dead), output bias "
        f"set so f=B*={bp.B_star:.6f}; p=6: both negatives wrong, error 2/5"
    )
    out["liang2018.prop6__dead-first-layer"] = bp
    X, y = half_space_subspace_data([1.0, -0.5], [0.25, -1.0])
    bp = prop7_shortcut_point(X, y, 2, 6, seed=0, linear=lin)
    bp.description = (
        f"the prop3 data (n=4, d=3); f=a^T(x+H(x))+b, H=V^T relu(U^T x+c)+e with k=2 dead "
        f"hidden units (c={bp.problem.unpack(bp.theta)[3][0]:.4g}), a=u*, b=beta*-a^T e, so on "
        f"the data {affine}; p=6: error {bp.errors()}/4"
    )
    out["liang2018.prop7__dead-residual"] = bp
    return out


def witness_arrays(bp: BadPoint[lg.LiangProblem]) -> dict:
    """Plain arrays (no objects) that rebuild the problem and the point: see :func:`bad_point_from_arrays`."""
    prob = bp.problem
    arrays = {
        "claim": np.asarray(bp.claim),
        "X": prob.X,
        "y": prob.y,
        "theta": bp.theta,
        "p": np.asarray(prob.p),
        "better": bp.better if bp.better is not None else np.zeros(0),
        "regime": np.asarray(bp.regime),
        "description": np.asarray(bp.description),
    }
    if isinstance(prob, lg.ShallowProblem):
        assert prob.offsets is not None  # ShallowProblem.__post_init__ always sets them
        arrays.update(model=np.asarray("shallow"), act=np.asarray(prob.act), M=np.asarray(prob.M), offsets=prob.offsets)
    elif isinstance(prob, lg.FeedForwardProblem):
        arrays.update(model=np.asarray("feedforward"), act=np.asarray(prob.act), hidden=np.asarray(prob.hidden))
    else:
        arrays.update(model=np.asarray("shortcut"), k=np.asarray(prob.k))
    return arrays


def bad_point_from_arrays(arrays) -> BadPoint[lg.LiangProblem]:
    """Rebuild a BadPoint from witness arrays.  The facts its checks rely on (best constant B*, best linear model)
    are recomputed from the stored data, not read from the file."""
    claim = str(arrays["claim"])
    model = str(arrays["model"])
    X, y, theta, p = arrays["X"], arrays["y"], np.asarray(arrays["theta"], dtype=np.float64), int(arrays["p"])
    prob: lg.LiangProblem
    if model == "shallow":
        prob = lg.ShallowProblem(X, y, int(arrays["M"]), str(arrays["act"]), p, offsets=arrays["offsets"])
    elif model == "feedforward":
        prob = lg.FeedForwardProblem(X, y, tuple(int(h) for h in arrays["hidden"]), str(arrays["act"]), p)
    elif model == "shortcut":
        prob = IdentityShortcutProblem(X, y, int(arrays["k"]), p)
    else:
        raise ValueError(f"unknown model {model!r} in a witness file")
    if theta.shape != (prob.size,):
        raise ValueError(f"theta has {theta.size} entries; the model has {prob.size} parameters")
    stored = np.asarray(arrays["better"], dtype=np.float64)
    better = stored if stored.size else None
    n_plus, n_minus = class_counts(prob.y)
    B = lin = None
    meta = {}
    if claim in ("liang2018.prop3", "liang2018.prop7"):
        lin = linear_model_by_newton(prob.X, prob.y, p)
        reference = lin.value
    else:
        B = lg.constant_model_optimum(n_plus, n_minus, p)
        reference = constant_loss(B, prob.y, p)
        if claim == "liang2018.prop5":
            meta["S"] = float(weighted_second_moment(prob.X, prob.y, B, p)[0, 0])
    return BadPoint(
        claim,
        prob,
        theta,
        reference,
        str(arrays["regime"]),
        str(arrays["description"]),
        0,
        B_star=B,
        linear=lin,
        better=better,
        better_kind="zero-error" if better is not None else "",
        meta=meta,
    )
