"""The claim registry: every result the suite knows about, checked or not.

Each entry names a result of one of the five source papers (ids as in the shared catalog), says in one line
what it asserts, what kind of result it is, and which verdict a healthy run should give:

* ``verified``             a theorem (or derived statement) that must hold on every conclusive example;
* ``counterexample-found`` a failure case: the suite must build or find the bad instance and certify it;
* ``erratum``              a claim of a paper that the suite refutes inside its own assumptions; ``witness``
                           names the committed ``.npz`` whose test shows that it still refutes the claim;
* ``reproduced``           a table or figure rebuilt from the suite's own runs (report only).

Adding a claim is one ``Claim(...)`` line; a test then declares it with ``@pytest.mark.claim("<id>")``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

KINDS = ("theorem", "failure-case", "derived", "reproduction", "experiment")
EXPECTED = ("verified", "counterexample-found", "erratum", "reproduced")


@dataclass(frozen=True)
class Claim:
    id: str
    paper: str
    result: str
    statement: str
    kind: str = "theorem"
    expected: str = "verified"
    witness: str | None = None  # file name in reports/witnesses/ of an erratum's committed witness
    # the largest observed/bound ratio the claim's decisive inequality can show (a known sharp constant over the
    # stated one); tightness is judged against it, so a bound loose by a proved factor is not "weak evidence"
    sharp: float = 1.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind {self.kind!r} is not one of {KINDS}")
        if self.expected not in EXPECTED:
            raise ValueError(f"claim {self.id}: expected {self.expected!r} is not one of {EXPECTED}")
        if not 0 < self.sharp <= 1:
            raise ValueError(f"claim {self.id}: sharp must lie in (0, 1], got {self.sharp!r}")
        if self.expected == "erratum" and not self.witness:
            raise ValueError(f"claim {self.id}: an erratum needs the witness that refutes it")


PAPERS = {
    "zhang2019": "Zhang, Shao, Salakhutdinov — Deep neural networks with multi-branch architectures are "
    "intrinsically less non-convex (AISTATS 2019)",
    "survey": "How to convexify your neural network (survey, 2022) and the results it restates",
    "wang2023": "Wang, Ergen, Pilanci — Parallel deep neural networks have zero duality gap (ICLR 2023)",
    "kawaguchi2019": "Kawaguchi, Huang, Kaelbling — Effect of depth and width on local minima in deep learning "
    "(Neural Computation 2019)",
    "liang2018": "Liang, Sun, Li, Srikant — Understanding the loss surface of neural networks for binary "
    "classification (ICML 2018)",
}

_Z, _S, _W, _K, _L = "zhang2019", "survey", "wang2023", "kawaguchi2019", "liang2018"
FC, DER, REP, EXP = "failure-case", "derived", "reproduction", "experiment"

CLAIMS: tuple[Claim, ...] = (
    # Zhang, Shao, Salakhutdinov 2019
    Claim(
        "zhang2019.thm1",
        _Z,
        "Theorem 1",
        "With the hinge inactive on the whole feasible set, an I-branch average network's primal-dual gap "
        "is at most 2/I times the largest per-branch non-convexity Delta_i",
        sharp=0.5,  # with one budget constraint the best constant is 1 (zhang2019.thm1.sharp), half the stated 2
    ),
    Claim(
        "zhang2019.thm1.finite",
        _Z,
        "Theorem 1 (finite parameter sets)",
        "The 2/I gap bound on finite per-branch parameter grids, with Delta_i's outer supremum over the "
        "grid's convex hull",
        kind=DER,
        sharp=0.5,  # best constant 1 (zhang2019.thm1.sharp)
    ),
    Claim(
        "zhang2019.thm1.sharp",
        _Z,
        "Theorem 1 with constant 1 (derived)",
        "With one budget constraint the gap is in fact at most Delta_worst / I (the LP relaxation has at most one "
        "fractional branch), and the explicit instance attains it",
        kind=DER,
    ),
    Claim(
        "zhang2019.thm1.no-assumption1",
        _Z,
        "Theorem 1 without Assumption 1",
        "When tau is below the reachable margin (the hinge can be active) the 2/I bound fails",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "zhang2019.thm1.coupled",
        _Z,
        "Theorem 1 with a coupling regularizer",
        "When the regularizer couples the branches (not a sum of per-branch terms) the 2/I bound fails",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "zhang2019.rem1",
        _Z,
        "Remark 1",
        "Rescaling outputs with tau, or regularizers with K, leaves the normalized gap unchanged",
        kind=DER,
    ),
    Claim(
        "zhang2019.rem2",
        _Z,
        "Remark 2",
        "The 2/I bound for the empirical risk of a finite sample",
        sharp=0.5,  # best constant 1 (zhang2019.thm1.sharp)
    ),
    Claim("zhang2019.rem3", _Z, "Remark 3", "A slack (unbounded) regularization budget gives a zero duality gap"),
    Claim(
        "zhang2019.thm2",
        _Z,
        "Theorem 2",
        "Schatten-H regularized deep linear networks have no duality gap when gamma is below the smallest "
        "non-zero singular value of the projected targets (and, where the top-d_min singular values of "
        "Y~ - Lam* are separated, the dual solution yields optimal weights)",
    ),
    Claim(
        "zhang2019.thm2.recovery",
        _Z,
        "Theorem 2(b)",
        "Weights built from the top-d_min SVD of Y~ - Lam* for a dual maximizer Lam* are globally optimal",
        expected="erratum",
        witness="zhang2019.thm2.recovery__tie.npz",
    ),
    Claim(
        "zhang2019.thm2.large-gamma",
        _Z,
        "Theorem 2 beyond its assumption (derived)",
        "For gamma at or above that singular value, strong duality and the soft-thresholded optimum persist",
        kind=DER,
    ),
    Claim(
        "zhang2019.eq6",
        _Z,
        "Section 4, factorization identity",
        "The nuclear norm of a product W_H...W_1 X is the least average Schatten-H penalty over its "
        "factorizations, attained by the balanced one",
    ),
    Claim(
        "zhang2019.exp-fig1",
        _Z,
        "Figure 1 and Table 1 (in miniature)",
        "Adding branches makes the landscape less non-convex: the exact gap of i.i.d. branch families shrinks "
        "with I, and the fraction of training runs reaching the global minimum grows with the width "
        "(experiment, reported)",
        kind=EXP,
        expected="reproduced",
    ),
    # worked example of docs/new-claim.md (theorems/contrib/test_zhang2019_variants.py): one line per claim
    Claim(
        "zhang2019.thm1.constant-0.9",
        _Z,
        "Theorem 1 with constant 0.9 (deliberately false)",
        "The gap is at most 0.9 Delta_worst / I",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "zhang2019.thm1.finite.constant-1",
        _Z,
        "Theorem 1 on finite grids with constant 1 (derived)",
        "On finite per-branch parameter grids the gap is at most Delta_worst / I",
        kind=DER,
    ),
    # survey
    Claim(
        "du2019.gram",
        _S,
        "Du et al. 2019, limiting Gram matrix",
        "The infinite-width Gram matrix K^(H) of a deep fully connected net (recursion with the last expectation "
        "over the covariance of layer H-1's outputs) is the limit of the finite-width Gram and is positive "
        "definite on distinct non-parallel unit inputs",
    ),
    Claim(
        "du2019.gram.printed-recursion",
        _S,
        "Du et al. 2019, Definition 1 as the survey prints it",
        "K^(H) with its last expectation over A^(H-1) (built from K^(H-2)) is the infinite-width Gram; refuted "
        "by the empirical Gram of random ReLU nets (H = 2: 0.285 measured, 0.253 printed, 0.285 corrected)",
        expected="erratum",
        witness="du2019.gram.printed-recursion__relu-H2.npz",
    ),
    Claim(
        "du2019.gram.parallel-inputs",
        _S,
        "Du et al. 2019, non-degeneracy assumption",
        "Without distinct non-parallel inputs K^(H) is singular: a repeated input for every activation, an "
        "antiparallel pair for odd ones (tanh, sin); not for ReLU",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "du2019.thm",
        _S,
        "Du et al. 2019, convergence theorem (corroboration)",
        "Full-batch gradient descent on wide nets stays under (1 - eta lambda_0 / 2)^k L(0) and the weights "
        "move O(1/sqrt(width)) from initialisation (constants unspecified: corroborated, not proved)",
    ),
    Claim(
        "du2019.dynamics",
        _S,
        "Du et al. 2019, residual dynamics of one GD step (derived)",
        "y - u(k+1) = (I - eta G(k))(y - u(k)) up to O(eta^2) for smooth activations, G(k) the full tangent Gram",
        kind=DER,
    ),
    Claim(
        "du2019.thm.narrow",
        _S,
        "Du et al. 2019, convergence theorem below its width",
        "At small width the rate bound with lambda_0 = lambda_min(K^(H)) fails",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "du2019.thm.large-step",
        _S,
        "Du et al. 2019, convergence theorem above its step size",
        "With a step above 2 / lambda_max(G(0)) the rate bound fails on wide nets",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "ergen2019.relaxation",
        _S,
        "Ergen & Pilanci 2019, single-neuron relaxation (survey's statement)",
        "A global minimizer of the relaxed loss L_r globally minimizes the ReLU neuron's loss L; refuted: "
        "X = [1, -1], Y = [1, 1] gives argmin L_r = 0 with L = 2 > 1 = min L",
        expected="erratum",
        witness="ergen2019.relaxation__two-points.npz",
    ),
    Claim(
        "ergen2019.relaxation.planted",
        _S,
        "Ergen & Pilanci 2019, relaxation with realizable labels (derived)",
        "With planted labels Y = relu(X^T w*) every minimizer of L_r globally minimizes L",
        kind=DER,
    ),
    Claim(
        "ergen2019.relaxation.unbounded",
        _S,
        "Ergen & Pilanci 2019, relaxation with negative labels",
        "With a negative label L_r can be unbounded below (no relaxed minimizer at all)",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "pilanci2020.two-layer",
        _S,
        "Pilanci & Ergen 2020",
        "A two-layer ReLU network with weight decay has the same optimum as a convex program over the "
        "data's hyperplane arrangements",
    ),
    # Wang, Ergen, Pilanci 2023
    Claim(
        "wang2023.thm1",
        _W,
        "Theorem 1",
        "Standard deep nets of depth at least 3 can have a duality gap; parallel ones have none",
    ),
    Claim(
        "wang2023.table1", _W, "Table 1", "Which architectures have a zero duality gap", kind=REP, expected="reproduced"
    ),
    Claim(
        "wang2023.prop1",
        _W,
        "Proposition 1",
        "The bi-dual of a standard deep linear net's scale-t subproblem is a balanced parallel net",
    ),
    Claim(
        "wang2023.prop2",
        _W,
        "Proposition 2",
        "The scale-t factorization subproblem has a Schatten-2/L quasi-norm closed form",
    ),
    Claim("wang2023.thm2", _W, "Theorem 2", "Closed-form optimal factors of the primal subproblem P_lin(t)"),
    Claim(
        "wang2023.thm3",
        _W,
        "Theorem 3",
        "Closed forms of P_lin(t) and D_lin(t) for fixed t and after optimizing t (the paper's 'gap iff the "
        "singular values are unequal' is tested as the derived claims below)",
    ),
    Claim(
        "wang2023.thm3.unequal-implies-gap",
        _W,
        "Theorem 3, 'only if' (non-zero singular values)",
        "Reading 'the singular values' as the r non-zero ones of X^+Y: when they are not all equal, "
        "P_lin(t) > D_lin(t) for L >= 3",
        kind=DER,
    ),
    Claim(
        "wang2023.thm3.equal-implies-no-gap",
        _W,
        "Theorem 3, 'if'",
        "When the singular values of X^+Y are all equal, P_lin(t) = D_lin(t); refuted for rank >= 2 under both "
        "readings (X = Y = I_2, L = 3: P_lin(1) = 2 sqrt 2 > 2 = D_lin(1))",
        kind=DER,
        expected="erratum",
        witness="wang2023.thm3.equal-implies-no-gap__identity.npz",
    ),
    Claim(
        "wang2023.thm3.no-gap-iff-rank-one",
        _W,
        "Theorem 3 with the corrected condition (derived)",
        "For L >= 3, P_lin(t) = D_lin(t) exactly when X^+Y has rank one; equal singular values of rank >= 2 "
        "still leave a gap",
        kind=DER,
    ),
    Claim(
        "wang2023.thm3.all-values-reading",
        _W,
        "Theorem 3 read over all min(d, K) singular values",
        "Counting zero singular values, 'unequal implies a gap' fails: a rank-one X^+Y with min(d, K) >= 2 has "
        "P_lin(t) = D_lin(t)",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "wang2023.thm3.gap",
        _W,
        "Theorem 3: the duality gap itself",
        "Strong duality fails for standard deep linear nets with L >= 3: certified instances with P_lin > D_lin "
        "across depths and singular-value spreads",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "wang2023.prop3",
        _W,
        "Proposition 3",
        "A parallel deep linear net with weight decay equals a per-branch product-norm penalty",
    ),
    Claim(
        "wang2023.prop4",
        _W,
        "Proposition 4",
        "A parallel deep linear net with an L-th power penalty has a convex dual of stated form",
    ),
    Claim("wang2023.thm4", _W, "Theorem 4", "Parallel deep linear nets with enough branches have zero duality gap"),
    Claim(
        "wang2023.prop5",
        _W,
        "Proposition 5",
        "The bi-dual of a standard three-layer ReLU net's subproblem is a parallel ReLU net",
    ),
    Claim(
        "wang2023.thm5",
        _W,
        "Theorem 5",
        "A standard three-layer ReLU net with scalar output on rank-one data has zero gap and stated optimal weights",
    ),
    Claim(
        "wang2023.thm5.mixed-signs",
        _W,
        "Theorem 5 with labels of mixed sign",
        "On rank-one data X = c a^T with labels g1 c_+ + g2 c_- of opposite signs the standard three-layer net "
        "still has zero gap",
        kind=DER,
        expected="erratum",
        witness="wang2023.thm5.mixed-signs__two-samples.npz",
    ),
    Claim(
        "wang2023.prop6",
        _W,
        "Proposition 6",
        "Reformulation and dual of parallel deep ReLU nets with an L-th power penalty",
    ),
    Claim("wang2023.thm6", _W, "Theorem 6", "Parallel deep ReLU nets with enough branches have zero duality gap"),
    Claim("wang2023.thm7", _W, "Theorem 7", "An optimal parallel ReLU net can be read off the dual solution"),
    Claim(
        "wang2023.prop8", _W, "Proposition 8", "Partial duals are bi-duals of partly parallel linear nets (the stairs)"
    ),
    Claim(
        "wang2023.prop9",
        _W,
        "Proposition 9",
        "The partial duals have closed forms and decrease strictly along the stairs",
    ),
    Claim(
        "wang2023.prop9.strict-iff-rank-at-least-two",
        _W,
        "Proposition 9, strictness (derived)",
        "The stairs decrease strictly exactly when rank(X^+Y) >= 2 (equal singular values included) and are "
        "flat for rank one",
        kind=DER,
    ),
    Claim(
        "wang2023.prop9.all-values-reading",
        _W,
        "Proposition 9 read over all min(d, K) singular values",
        "Counting zero singular values, 'not all identical implies strictly decreasing' fails for a rank-one X^+Y",
        kind=FC,
        expected="counterexample-found",
    ),
    # Kawaguchi, Huang, Kaelbling 2019
    Claim(
        "kawaguchi2019.thm1",
        _K,
        "Theorem 1",
        "At a differentiable local minimum the loss equals J(theta), the best linear fit of the targets on the "
        "tangent features (checked through the tau-version at certified points and the identity (E) everywhere)",
    ),
    Claim(
        "kawaguchi2019.thm1.non-critical",
        _K,
        "Theorem 1 (non-critical point)",
        "At a non-critical point L exceeds J",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "kawaguchi2019.thm1.partial-critical",
        _K,
        "Theorem 1 (critical in a subset of parameters)",
        "With random hidden layers and a least-squares output layer L exceeds J",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "kawaguchi2019.thm1.nonlinear-output",
        _K,
        "Theorem 1 (nonlinear output layer)",
        "With a tanh output layer L differs from J at a certified local minimum",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "kawaguchi2019.thm1.weight-decay",
        _K,
        "Theorem 1 (weight decay)",
        "At a local minimum of the weight-decayed loss L exceeds J",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "kawaguchi2019.thm1.smooth",
        _K,
        "Theorem 1 (smooth activations, derived)",
        "Smooth activations (tanh, softplus) with a linear output layer still give L = J at critical points",
        kind=DER,
    ),
    Claim(
        "kawaguchi2019.prop1",
        _K,
        "Proposition 1",
        "One hidden layer, scalar output: at differentiable local minima L equals the per-unit Gram-Schmidt "
        "expression (Prop. 1) and the residual of the fit on the pattern-masked inputs (Lemma 5)",
    ),
    Claim(
        "kawaguchi2019.prop2",
        _K,
        "Proposition 2",
        "Gaussian data with a fixed activation pattern: the bound on L fails no more often than stated",
    ),
    Claim(
        "kawaguchi2019.thm2",
        _K,
        "Theorem 2",
        "With induced linear units, local minima are no worse than basis-function regression",
    ),
    Claim(
        "kawaguchi2019.thm2.narrow-highway",
        _K,
        "Theorem 2 (highway narrower than d_y)",
        "With fewer than d_y induced linear units a certified local minimum can exceed the bound",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim("kawaguchi2019.cor1", _K, "Corollary 1", "The same bound holds when the separating edges are removed"),
    Claim(
        "kawaguchi2019.cor2",
        _K,
        "Corollary 2",
        "Strongly separated linear units give the bound for every subsequence of (t, H)",
    ),
    Claim(
        "kawaguchi2019.linear", _K, "Deep linear corollary", "Every local minimum of a deep linear network is global"
    ),
    Claim(
        "kawaguchi2019.linear.bottleneck",
        _K,
        "Deep linear corollary (bottleneck)",
        "A hidden layer narrower than d_y: certified local minima stay above the least-squares value",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "kawaguchi2019.lemma2",
        _K,
        "Lemma 2",
        "The projector onto two mutually orthogonal blocks is the sum of their projectors",
    ),
    Claim(
        "kawaguchi2019.lemma3", _K, "Lemma 3", "A Gram-Schmidt split of the projected target norm into per-unit terms"
    ),
    Claim(
        "kawaguchi2019.lemma1",
        _K,
        "Lemma 1",
        "The output is linear in each layer's weights through that layer's Jacobian",
    ),
    Claim("kawaguchi2019.fig1", _K, "Figure 1", "J(theta) against depth and width", kind=REP, expected="reproduced"),
    # Liang, Sun, Li, Srikant 2018
    Claim(
        "liang2018.table1",
        _L,
        "Table 1",
        "Which activation classes make every local minimum error-free",
        kind=REP,
        expected="reproduced",
    ),
    Claim(
        "liang2018.thm1",
        _L,
        "Theorem 1",
        "On subspace data, with a shortcut network of enough neurons, every local minimum has zero training error",
    ),
    Claim(
        "liang2018.lem.spare",
        _L,
        "Lemma (spare neuron)",
        "A neuron with zero output weight certifies whether a point can be a local minimum",
        kind=DER,
    ),
    Claim(
        "liang2018.lem.subspace",
        _L,
        "Lemma (subspace data)",
        "Under subspace data the weighted neuron response vanishes only for zero weights",
        kind=DER,
    ),
    Claim("liang2018.prop1", _L, "Proposition 1", "Quadratic neurons: more neurons than the data rank suffice"),
    Claim(
        "liang2018.thm2",
        _L,
        "Theorem 2",
        "On linearly separable data with increasing neurons, every local minimum has zero training error",
    ),
    Claim(
        "liang2018.thm2.cert",
        _L,
        "Theorem 2 (quantitative)",
        "A quantitative form of Theorem 2 usable at approximate local minima",
        kind=DER,
    ),
    Claim(
        "liang2018.prop2",
        _L,
        "Proposition 2",
        "ReLU neurons: a bad local minimum with error at least min(n+, n-)/n",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop3",
        _L,
        "Proposition 3",
        "Leaky-ReLU neurons: a bad local minimum",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop4",
        _L,
        "Proposition 4",
        "Sigmoid neurons: a bad local minimum with positive probability",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop5",
        _L,
        "Proposition 5",
        "Quadratic neurons on linearly separable data: a bad local minimum",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop6",
        _L,
        "Proposition 6",
        "A ReLU feed-forward net without shortcut has a bad local minimum on every dataset",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop7",
        _L,
        "Proposition 7",
        "An identity shortcut network has a bad local minimum",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.ex1",
        _L,
        "Example 1",
        "With the quadratic loss every global minimum misclassifies (population, 1/16)",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.b8",
        _L,
        "Appendix B.8",
        "With the quadratic loss on a sample, global minima err on more than 1/8 with positive probability",
        kind=FC,
        expected="counterexample-found",
    ),
    Claim(
        "liang2018.prop8",
        _L,
        "Proposition 8",
        "Zero minimal loss holds exactly when zero minimal error does; global minima are error-free",
    ),
    Claim(
        "liang2018.prop9",
        _L,
        "Proposition 9",
        "With the logistic loss under Theorem 1's assumptions there is no local minimum at all",
    ),
    Claim(
        "liang2018.prop10",
        _L,
        "Proposition 10",
        "Logistic loss on a feed-forward net: every critical point misclassifies",
    ),
    Claim("liang2018.prop11", _L, "Proposition 11", "A necessary data condition for Theorem 1"),
    Claim(
        "liang2018.prop12",
        _L,
        "Proposition 12",
        "Quadratic neurons: an exact data condition through the indefiniteness of S(lambda)",
    ),
)

REGISTRY: dict[str, Claim] = {c.id: c for c in CLAIMS}
if len(REGISTRY) != len(CLAIMS):
    raise RuntimeError("duplicate claim id in the registry")


WITNESS_DIR = Path(__file__).resolve().parent / "witnesses"


def witness_path(claim_id: str) -> Path:
    """The committed witness file of a registered erratum."""
    claim = lookup(claim_id)
    if not claim.witness:
        raise ValueError(f"claim {claim_id!r} has no committed witness")
    return WITNESS_DIR / claim.witness


def lookup(claim_id: str) -> Claim:
    """The registered claim, or a ValueError that names the close matches of a misspelled id."""
    try:
        return REGISTRY[claim_id]
    except KeyError:
        close = difflib.get_close_matches(claim_id, REGISTRY, n=4, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown claim id {claim_id!r}{hint} (registered ids: reports/registry.py)") from None
