"""Strategies for deep linear min-norm interpolation (Wang, Ergen, Pilanci 2023, Sections 3.1-3.2, App. D).

Structure is planted, not filtered.  X (N x d) has full row rank (N <= d), so every Y is in range(X); the
minimum-norm interpolator ``W* = X^+ Y`` is built first, with columns of its left factor inside the row space of
X and drawn singular values, and ``Y = X W*``; then ``X^+ Y = X^+ X W* = W*`` has exactly the planted singular
values.  The singular-value *structure* is a discrete choice:

* ``"distinct"``   rank >= 2, all values different (log10 gaps of at least 0.05 between neighbours);
* ``"equal"``      rank >= 2, all non-zero values equal;
* ``"repeated"``   rank >= 3, one adjacent pair tied and at least one value different (not all equal);
* ``"rank-one"``   a single non-zero value (when min(d, K) >= 2 the other singular values are exact zeros).

Which reading of "the singular values are equal" an instance satisfies is recorded on it:
``equal_nonzero`` (the r non-zero values) and ``equal_all`` (all min(d, K) of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

STRUCTURES = ("distinct", "equal", "repeated", "rank-one")
# rank needed by each structure
_MIN_RANK = {"distinct": 2, "equal": 2, "repeated": 3, "rank-one": 1}
# neighbouring distinct singular values are at least this far apart in log10 (a ratio of 1.12): far from any tie
LOG_GAP_MIN = 0.05


@dataclass(frozen=True)
class WangLinearInstance:
    """Data, targets and architecture of one deep linear interpolation instance, with its planted structure."""

    X: np.ndarray
    Y: np.ndarray
    L: int
    t: float
    planted_sv: np.ndarray  # non-zero singular values of X^+ Y, descending
    structure: str
    widths: tuple[int, ...]  # hidden widths m_1, ..., m_{L-1}
    seed: int
    note: str = ""

    @property
    def N(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    @property
    def K(self) -> int:
        return self.Y.shape[1]

    @property
    def rank(self) -> int:
        return int(self.planted_sv.size)

    @property
    def equal_nonzero(self) -> bool:
        """Reading A: the r non-zero singular values are all equal (true for every rank-one instance)."""
        return self.structure in ("equal", "rank-one")

    @property
    def equal_all(self) -> bool:
        """Reading B: all min(d, K) singular values are equal (zeros included)."""
        return self.equal_nonzero and self.rank == min(self.d, self.K)

    @property
    def spread(self) -> float:
        return float(self.planted_sv[0] / self.planted_sv[-1])

    def summary(self) -> str:
        return (
            f"L={self.L} N={self.N} d={self.d} K={self.K} widths={self.widths} t={self.t:.4g} "
            f"structure={self.structure} sv(X^+Y)={np.array2string(self.planted_sv, precision=4)} "
            f"seed={self.seed} {self.note}"
        ).strip()


def _orthonormal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q[:, :cols]


def planted_values(structure: str, rank: int, scale: float, gaps: np.ndarray, tie: int) -> np.ndarray:
    """Descending singular values with the given structure: ``scale`` on top, log10 ``gaps`` below it."""
    if structure == "rank-one":
        return np.array([scale])
    if structure == "equal":
        return np.full(rank, scale)
    logs = np.concatenate([[0.0], -np.cumsum(gaps[: rank - 1])])
    if structure == "repeated":  # tie the pair (tie, tie + 1); rank >= 3 keeps another value apart
        logs[tie + 1] = logs[tie]
        logs[tie + 2 :] = logs[tie + 1] - np.cumsum(gaps[tie + 1 : rank - 1])
    return scale * 10.0**logs


def build_instance(
    X_shape: tuple[int, int],
    K: int,
    structure: str,
    rank: int,
    *,
    L: int,
    t: float,
    widths: tuple[int, ...],
    seed: int,
    scale: float = 1.0,
    log_cond: float = 0.5,
    gaps: np.ndarray | None = None,
    tie: int = 0,
    identity: bool = False,
    note: str = "",
) -> WangLinearInstance:
    """Assemble an instance from its drawn ingredients (also used for hand-made instances in the tests)."""
    N, d = X_shape
    if structure not in STRUCTURES:
        raise ValueError(f"structure must be one of {STRUCTURES}, got {structure!r}")
    if not (_MIN_RANK[structure] <= rank <= min(N, K)) or (structure == "rank-one" and rank != 1):
        raise ValueError(f"structure {structure!r} with rank {rank} does not fit N={N}, K={K}")
    if N > d:
        raise ValueError("X must have full row rank (N <= d)")
    rng = np.random.default_rng(seed)
    gaps = np.full(max(rank - 1, 1), 0.3) if gaps is None else np.asarray(gaps, dtype=np.float64)
    sv = planted_values(structure, rank, scale, gaps, tie)
    if identity:
        if N != d:
            raise ValueError("identity data needs N = d")
        X = np.eye(d)
        Qd = np.eye(d)
    else:
        Qn = _orthonormal(rng, N, N)
        Qd = _orthonormal(rng, d, N)
        sx = np.sort(10.0 ** rng.uniform(-log_cond, 0.0, N))[::-1]
        sx[0] = 1.0
        X = (Qn * sx) @ Qd.T
    U = Qd @ _orthonormal(rng, N, rank)  # left factor inside Row(X), so X^+ X W* = W*
    V = _orthonormal(rng, K, rank)
    W = (U * sv) @ V.T
    return WangLinearInstance(X, X @ W, L, t, sv, structure, tuple(widths), seed, note)


@st.composite
def wang_linear_instances(
    draw,
    structures: tuple[str, ...] = STRUCTURES,
    depth: tuple[int, int] = (3, 6),
    full_rank: bool = False,
    identity: bool = False,
    max_N: int = 3,
    max_d: int = 4,
    max_K: int = 3,
    max_gap: float = 0.5,
):
    """Instances inside the linear results' assumptions (Y in range(X), hidden widths >= rank).

    Hidden widths are drawn in [r, r + 1]: the theorems' assumption ``m_i >= rank(X^+Y)``, met with equality
    often.  ``full_rank``: rank(X^+ Y) = N (every sample direction used; the critical branch count is then N).
    ``identity``: ``X = I_d`` (Prop. 2's plain factorization setting, ``W = Y``).
    """
    structures = tuple(structures)
    bad = [s for s in structures if s not in STRUCTURES]
    if bad or not structures:
        raise ValueError(f"structures must be a non-empty subset of {STRUCTURES}, got {structures!r}")
    structure = draw(st.sampled_from(structures), label="structure")
    lo = _MIN_RANK[structure]
    hi = min(max_N, max_K)
    if lo > hi:
        raise ValueError(f"structure {structure!r} needs rank {lo} > min(max_N, max_K) = {hi}")
    rank = 1 if structure == "rank-one" else draw(st.integers(lo, hi), label="rank")
    N = rank if full_rank else draw(st.integers(rank, max_N), label="N")
    d = N if identity else draw(st.integers(N, max(N, max_d)), label="d")
    K = draw(st.integers(rank, max(max_K, rank)), label="K")
    L = draw(st.integers(*depth), label="L")
    t = 10.0 ** draw(st.floats(-0.5, 0.5), label="log10 t")
    scale = 10.0 ** draw(st.floats(-1.0, 1.0), label="log10 sigma_1")
    log_cond = draw(st.floats(0.0, 1.5), label="log10 cond(X)")
    gaps = np.array([draw(st.floats(LOG_GAP_MIN, max_gap), label="log10 gap") for _ in range(max(rank - 1, 1))])
    tie = draw(st.integers(0, rank - 2), label="tied pair") if structure == "repeated" else 0
    widths = tuple(draw(st.integers(rank, rank + 1), label=f"m_{i}") for i in range(1, L))
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    return build_instance(
        (N, d),
        K,
        structure,
        rank,
        L=L,
        t=t,
        widths=widths,
        seed=seed,
        scale=scale,
        log_cond=log_cond,
        gaps=gaps,
        tie=tie,
        identity=identity,
    )


def identity_instance(sv, L: int, t: float = 1.0, note: str = "") -> WangLinearInstance:
    """``X = I``, ``Y = diag(sv)`` (square): the smallest hand-made instances (e.g. X = Y = I_2)."""
    sv = np.asarray(sv, dtype=np.float64)
    n = sv.size
    nz = np.sort(sv[sv > 0])[::-1]
    if nz.size == 0:
        raise ValueError("sv must have a positive entry")
    if nz.size == 1:
        structure = "rank-one"
    elif np.all(nz == nz[0]):
        structure = "equal"
    elif np.unique(nz).size < nz.size:
        structure = "repeated"
    else:
        structure = "distinct"
    return WangLinearInstance(
        np.eye(n), np.diag(sv), int(L), float(t), nz, structure, tuple([n] * (int(L) - 1)), 0, note
    )
