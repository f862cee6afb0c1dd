"""Hypothesis strategies of the Kawaguchi et al. (2019) family: networks with per-unit activations drawn from the
paper's whole class (ReLU, leaky ReLU with any slope in [-1, 1] including the boundary slopes -1 = absolute value
and 1 = identity, mixed within a layer), inputs of four kinds, and points of the landscape built by construction
(planted critical points, tight points, random and trained points).  Each instance carries what is known."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from landscape.kawaguchi2019 import data as kd
from landscape.kawaguchi2019 import points as kp
from landscape.kawaguchi2019.networks import Net

SLOPE_KINDS = ("relu", "abs", "leaky", "identity")


@st.composite
def slopes_for(draw, width: int, kinds=SLOPE_KINDS) -> np.ndarray:
    """One slope per unit: ReLU (0), absolute value (-1), identity (1) or a leaky slope drawn from [-1, 1]."""
    out = []
    for _ in range(width):
        kind = draw(st.sampled_from(kinds))
        if kind == "relu":
            out.append(0.0)
        elif kind == "abs":
            out.append(-1.0)
        elif kind == "identity":
            out.append(1.0)
        else:
            out.append(draw(st.floats(-1.0, 1.0, allow_nan=False)))
    return np.array(out)


@st.composite
def nets(draw, depth=(1, 4), width=(1, 4), d_y=(1, 3), d_x=(1, 4), kinds=SLOPE_KINDS, smooth=None) -> Net:
    H = draw(st.integers(*depth), label="depth")
    widths = tuple(draw(st.integers(*width), label=f"width{l}") for l in range(H))
    dy = draw(st.integers(*d_y), label="d_y")
    dx = draw(st.integers(*d_x), label="d_x")
    if smooth is not None:
        return Net(dx, widths, dy, slopes=(None,) * H, smooth=smooth)
    slopes = tuple(draw(slopes_for(w, kinds)) for w in widths)
    return Net(dx, widths, dy, slopes=slopes)


@dataclass
class PointInstance:
    """A network, data and a point theta of its landscape, with how the point was made."""

    net: Net
    X: np.ndarray
    Y: np.ndarray
    theta: np.ndarray
    kind: str
    data: str
    seed: int
    info: dict = field(default_factory=dict)

    def summary(self) -> str:
        extra = " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.info.items())
        return (
            f"{self.kind} point, {self.net.summary()}, m={self.X.shape[0]} data={self.data} seed={self.seed} {extra}"
        ).strip()


def _targets(kind: str, net: Net, theta, X, rng, draw) -> tuple[np.ndarray, dict]:
    m = X.shape[0]
    if kind in ("planted", "saddle"):
        lo, hi = (-3.0, -1.0) if kind == "planted" else (-0.5, 0.5)
        alpha = float(10 ** draw(st.floats(lo, hi), label="log10 alpha"))
        Y = kp.plant_critical(net, theta, X, rng, alpha)
        if Y is None:  # Jacobian of full row rank: every target is fit exactly, r = 0
            Y, alpha = kp.unvec(kp.vec(kp.forward(net, theta, X).Yhat), m, net.d_y), 0.0
        return Y, {"alpha": alpha}
    if kind == "tight":
        which = draw(st.sampled_from([0.0, 0.5, 1.0]), label="singular direction")
        return kp.plant_tight(net, theta, X, rng, which, 0.5), {"direction": which}
    return rng.standard_normal((m, net.d_y)), {}


@st.composite
def points(
    draw,
    kinds=("planted", "trained"),
    data_kinds=kd.KINDS,
    overdetermined: bool = True,
    smooth=None,
    depth=(1, 4),
    width=(1, 4),
    d_y=(1, 3),
    kinds_of_units=SLOPE_KINDS,
) -> PointInstance:
    """A point of the landscape of a drawn network on drawn data.  ``overdetermined`` chooses more equations
    than parameters (m d_y > d_theta), where planted critical points are mostly local minima."""
    if isinstance(smooth, tuple):
        smooth = draw(st.sampled_from(smooth), label="smooth activation")
    net = draw(nets(depth=depth, width=width, smooth=smooth, d_y=d_y, kinds=kinds_of_units))
    data = draw(st.sampled_from(data_kinds), label="data")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if overdetermined:
        m = int(np.ceil(1.3 * net.n_params / net.d_y)) + draw(st.integers(1, 8), label="extra rows")
    else:
        m = draw(st.integers(2, max(3, net.n_params // net.d_y)), label="m")
    if data == "digits":
        m = min(m, 1797)
    X = kd.inputs(data, m, net.d_x, rng)
    theta = net.init(rng)
    kind = draw(st.sampled_from(kinds), label="point kind")
    if kind == "trained":
        Y = rng.standard_normal((m, net.d_y))
        theta = kp.train(net, X, Y, theta, max_iter=draw(st.sampled_from([300, 600]), label="iterations"))
        return PointInstance(net, X, Y, theta, kind, data, seed)
    Y, info = _targets(kind, net, theta, X, rng, draw)
    return PointInstance(net, X, Y, theta, kind, data, seed, info)


# -- nightly draws kept as explicit examples (rebuilt from their seeds) ----------------------------------------
def near_relu_unit_on_duplicated_rows() -> PointInstance:
    """A nightly draw (duplicated data, seed 820: 22 rows, 9 distinct) with one leaky unit of slope 1.4e-6 among
    three ReLUs, alpha = 0.1 (as in the saved arrays; the recorded failure had alpha = 0.0996, same mechanism).
    The Jacobian and D~ both have rank 9 (a gap of 4e9); the near-ReLU unit leaves a Gram-Schmidt residual of
    4.6e-8, and a later block's residual, zero in exact arithmetic, came out at 3.5e-10, above the gap cutoff
    2.4e-10: the per-unit sum kept a 10th direction and J_D~ <= J failed by 0.0019 (0.10821 against 0.10627)."""
    net = Net(3, (4,), 1, slopes=(np.array([0.0, 0.0, 1.4e-6, 0.0]),))
    rng = np.random.default_rng(820)
    X = kd.inputs("duplicated", 22, 3, rng)
    theta = net.init(rng)
    Y = kp.plant_critical(net, theta, X, rng, 0.1)
    return PointInstance(net, X, Y, theta, "planted", "duplicated", 820, {"alpha": 0.1})


def saturated_tanh_on_duplicated_rows() -> PointInstance:
    """A nightly draw (duplicated data, seed 3383: 30 rows, 12 distinct): a 2-3-3-1 tanh net trained by L-BFGS
    for 600 iterations, as the strategy does (weights up to 48, saturated units).  The Jacobian has rank 12 with a
    gap of 2.4e9, but its first nine columns have a singular value of 1.9e-9: Gram-Schmidt kept it (cutoff 1.3e-9),
    lost the accuracy of the later blocks, and its sum was 0.028 below the SVD projection.  At its own rounding
    level the route cannot resolve this point: inconclusive."""
    net = Net(2, (3, 3), 1, slopes=(None, None), smooth="tanh")
    rng = np.random.default_rng(3383)
    X = kd.inputs("duplicated", 30, 2, rng)
    theta = net.init(rng)
    Y = rng.standard_normal((30, 1))
    theta = kp.train(net, X, Y, theta, max_iter=600)
    return PointInstance(net, X, Y, theta, "trained", "duplicated", 3383)


def near_relu_unit_on_low_rank_input() -> PointInstance:
    """A nightly-profile draw (low-rank data with d_x = 1, seed 0) with one leaky unit of slope 1.4e-6 among four ReLUs:
    the Jacobian has rank 2 and condition 1.6, but the near-ReLU unit's Gram-Schmidt residual is 1.5e-6 of its
    block, so the per-unit sum is off by 6.5e-12 where the comparisons allow 2.9e-12 (J <= L failed): the route
    cannot decide this point to that tolerance, inconclusive."""
    net = Net(1, (5,), 1, slopes=(np.array([0.0, 0.0, 1.4e-6, 0.0, 0.0]),))
    rng = np.random.default_rng(0)
    X = kd.inputs("low-rank", 14, 1, rng)
    theta = net.init(rng)
    Y = kp.plant_critical(net, theta, X, rng, 0.1)
    return PointInstance(net, X, Y, theta, "planted", "low-rank", 0, {"alpha": 0.1})


@dataclass
class Blocks:
    """Random blocks B_1..B_n of p rows, some rank-deficient, some repeated (in the span of earlier ones), some
    zero; and a vector y."""

    blocks: list
    y: np.ndarray
    seed: int
    structure: tuple

    def summary(self) -> str:
        return f"p={self.y.size} blocks={list(self.structure)} seed={self.seed}"


@st.composite
def block_families(draw, max_blocks: int = 6) -> Blocks:
    p = draw(st.integers(2, 14), label="p")
    n = draw(st.integers(1, max_blocks), label="blocks")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    blocks, structure = [], []
    for j in range(n):
        kind = draw(
            st.sampled_from(["full", "low-rank", "repeat", "zero"] if j else ["full", "low-rank", "zero"]),
            label=f"block{j}",
        )
        w = draw(st.integers(1, 5), label=f"width{j}")
        if kind == "full":
            B = rng.standard_normal((p, w))
        elif kind == "low-rank":
            r = max(1, w - 1)
            B = rng.standard_normal((p, r)) @ rng.standard_normal((r, w))
        elif kind == "repeat":
            prev = np.hstack(blocks)
            B = prev @ rng.standard_normal((prev.shape[1], w))
        else:
            B = np.zeros((p, w))
        blocks.append(B)
        structure.append(f"{kind}:{w}")
    return Blocks(blocks, rng.standard_normal(p), seed, tuple(structure))


@dataclass
class Pair:
    """A (p x a) of rank r_a, C (p x b), and B = (I - P[A]) C (so A^T B = 0)."""

    A: np.ndarray
    C: np.ndarray
    seed: int
    rank: int

    def summary(self) -> str:
        return f"p={self.A.shape[0]} a={self.A.shape[1]} (rank {self.rank}) b={self.C.shape[1]} seed={self.seed}"


@st.composite
def orthogonal_pairs(draw) -> Pair:
    p = draw(st.integers(2, 16), label="p")
    a = draw(st.integers(1, 6), label="a")
    b = draw(st.integers(1, 6), label="b")
    r = draw(st.integers(0, min(a, p)), label="rank of A")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((p, r)) @ rng.standard_normal((r, a)) if r else np.zeros((p, a))
    C = rng.standard_normal((p, b))
    if draw(st.booleans(), label="C partly inside col(A)") and r:
        C[:, 0] = A @ rng.standard_normal(a)
    return Pair(A, C, seed, r)


@dataclass
class LinearInstance:
    net: Net
    X: np.ndarray
    Y: np.ndarray
    seed: int
    data: str

    def summary(self) -> str:
        return f"deep linear {self.net.summary()}, m={self.X.shape[0]} data={self.data} seed={self.seed}"


@st.composite
def deep_linear(draw, bottleneck: bool = False) -> LinearInstance:
    """Identity units (slope 1); widths >= d_y (or one width below d_y: the bottleneck failure case)."""
    H = draw(st.integers(1, 3), label="depth")
    dy = draw(st.integers(2 if bottleneck else 1, 3), label="d_y")
    widths = [draw(st.integers(dy, dy + 2), label=f"width{l}") for l in range(H)]
    if bottleneck:
        widths[draw(st.integers(0, H - 1), label="narrow layer")] = draw(st.integers(1, dy - 1), label="narrow")
    dx = draw(st.integers(dy, 5), label="d_x")
    data = draw(st.sampled_from(["gaussian", "low-rank", "duplicated"]), label="data")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    m = draw(st.integers(dx + 2, 20), label="m")
    X = kd.inputs(data, m, dx, rng)
    Y = rng.standard_normal((m, dy))
    net = Net(dx, tuple(widths), dy, slopes=tuple(np.ones(w) for w in widths))
    return LinearInstance(net, X, Y, seed, data)


@dataclass
class PatternInstance:
    """Prop. 2: a fixed activation pattern Lam (m x d, entries of modulus <= 1), independent of the data."""

    part: str
    Lam: np.ndarray
    d_x: int
    t: float
    seed: int
    draws: int

    def summary(self) -> str:
        m, d = self.Lam.shape
        return (
            f"Prop. 2({self.part}) m={m} d={d} d_x={self.d_x} t={self.t} zeros={int(np.sum(self.Lam == 0))} "
            f"seed={self.seed} draws={self.draws}"
        )


@st.composite
def prop2_patterns(draw, draws: int = 40) -> PatternInstance:
    part = draw(st.sampled_from(["i", "i", "i", "ii"]), label="part")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if part == "i":
        m, d = 2000, 1
        d_x = draw(st.integers(1, 2), label="d_x")
        unit = draw(st.sampled_from(["relu", "leaky", "abs"]), label="unit")
        zeros = draw(st.integers(0, m // 4), label="zeros") if unit == "relu" else 0
        if unit == "relu":
            lam = np.ones(m)
            lam[rng.choice(m, size=zeros, replace=False)] = 0.0
        elif unit == "leaky":
            a = draw(st.floats(0.5, 1.0), label="slope")
            lam = np.where(rng.random(m) < 0.5, 1.0, a)
        else:
            lam = np.where(rng.random(m) < 0.5, 1.0, -1.0)
        t = draw(st.sampled_from([1.0, 3.0]), label="t")
        return PatternInstance("i", lam[:, None], d_x, t, seed, draws)
    m, d, d_x = 10, 100, 48
    Lam = (rng.random((m, d)) < 0.5).astype(float)
    Lam[np.arange(m), rng.integers(0, d, size=m)] = 1.0  # no all-zero row
    return PatternInstance("ii", Lam, d_x, 0.0, seed, draws)


@dataclass
class HighwayInstance:
    hw: object
    X: np.ndarray
    Y: np.ndarray
    theta: np.ndarray
    free: np.ndarray | None
    seed: int
    data: str
    alpha: float

    @property
    def net(self):
        return self.hw.net

    def summary(self) -> str:
        return f"{self.hw.summary()}, m={self.X.shape[0]} data={self.data} seed={self.seed} alpha={self.alpha:.3g}"


def near_relu_highway_on_duplicated_rows() -> HighwayInstance:
    """A nightly-profile draw of Corollary 2 (strong separation, t = H = 1, duplicated data, seed 9816709) with a
    leaky unit of slope 1e-9: the Gram-Schmidt gain for S = () is off by 1e-8 where the comparison allows 2.6e-9;
    the route cannot decide this point to that tolerance, inconclusive."""
    from landscape.kawaguchi2019 import highway as kh
    from landscape.kawaguchi2019.tangent import jacobian_autodiff

    hw = kh.build(3, [3], 1, 1, 1, [np.array([0.0, 1e-9, 0.0])], True)
    rng = np.random.default_rng(9816709)
    X = kd.inputs("duplicated", 19, 3, rng)
    theta = hw.net.init(rng)
    theta[hw.separated] = 0.0
    Y = kp.plant_critical(hw.net, theta, X, rng, 0.1, Jac=jacobian_autodiff(hw.net, theta, X))
    return HighwayInstance(hw, X, Y, theta, None, 9816709, "duplicated", 0.1)


@st.composite
def highway_points(draw, strong: bool = False, restricted: bool = False, narrow: bool = False) -> HighwayInstance:
    """A highway network (n >= d_y linear units per layer after t; ``narrow``: n = d_y - 1, violating Definition
    1 (i)) with the separated edges at zero, and targets planted so that theta is critical over all parameters
    (Theorem 2, Corollary 2) or over the free ones only (``restricted``: Corollary 1)."""
    from landscape.kawaguchi2019 import highway as kh

    H = draw(st.integers(1, 3), label="depth")
    t = draw(st.integers(0, H), label="t")
    dy = draw(st.integers(2 if narrow else 1, 2), label="d_y")
    n = dy - 1 if narrow else draw(st.integers(dy, dy + 1), label="n")
    dx = draw(st.integers(1, 3), label="d_x")
    nl = [draw(st.integers(1, 3), label=f"nonlinear{l}") for l in range(H)]
    slopes = [draw(slopes_for(nl[l], ("relu", "abs", "leaky"))) for l in range(H)]
    widths = [nl[l] + (n if l + 1 > t else 0) for l in range(H)]
    if narrow and t == H:
        t = H - 1
        widths = [nl[l] + (n if l + 1 > t else 0) for l in range(H)]
    hw = kh.build(dx, widths, dy, t, n, slopes, strong)
    data = draw(st.sampled_from(["gaussian", "low-rank", "duplicated", "digits"]), label="data")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    net = hw.net
    m = int(np.ceil(1.3 * net.n_params / dy)) + draw(st.integers(1, 6), label="extra rows")
    X = kd.inputs(data, m, dx, rng)
    theta = net.init(rng)
    theta[hw.separated] = 0.0
    free = ~hw.separated if restricted else None
    alpha = float(10 ** draw(st.floats(-3.0, -1.0), label="log10 alpha"))
    from landscape.kawaguchi2019.tangent import jacobian_autodiff

    Jac = jacobian_autodiff(net, theta, X)
    if free is not None:
        Jac = Jac[:, free]
    Y = kp.plant_critical(net, theta, X, rng, alpha, Jac=Jac)
    if Y is None:
        Y, alpha = kp.unvec(kp.vec(kp.forward(net, theta, X).Yhat), m, dy), 0.0
    return HighwayInstance(hw, X, Y, theta, free, seed, data, alpha)
