"""Meta-tests of the rigorous re-checks (landscape.rigorous): the interval and exact primitives decide what they
should, and every witness family REJECTS a witness nudged so that its certificate fails, including nudges far
below the float tolerances of the suite's float64 checks (which those checks would accept)."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from flint import arb

from landscape.rigorous import NUMERICAL, PROVED_EXACT, PROVED_INTERVAL, WITNESS_DIR, committed, load, replay_arrays
from landscape.rigorous import exact as ex
from landscape.rigorous import interval as iv
from landscape.rigorous.__main__ import main


def balls(M):
    return [[iv.ball(v) for v in row] for row in np.asarray(M, dtype=np.float64)]


def witness(stem: str) -> tuple[str, dict]:
    name = f"{stem}.npz"
    return name, load(WITNESS_DIR / name)


# ------------------------------------------------------------------------------------------------------------
# interval Hessian certificate
# ------------------------------------------------------------------------------------------------------------
def test_interval_cholesky_accepts_a_positive_definite_matrix():
    H = balls([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])  # eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2
    with iv.precision():
        assert iv.cholesky_pd(H, 0.0)
        mu = iv.lambda_min_lower_bound(H)
    assert mu is not None and 0.0 < mu <= 2.0 - math.sqrt(2.0)


def test_interval_cholesky_rejects_a_nudged_indefinite_matrix():
    eps = 1e-13  # [[1, 1], [1, 1 - eps]] has eigenvalue ~ -eps / 2: indefinite by a hair
    with iv.precision():
        assert iv.cholesky_pd(balls([[1.0, 1.0], [1.0, 1.0 + eps]]), 0.0)
        assert not iv.cholesky_pd(balls([[1.0, 1.0], [1.0, 1.0 - eps]]), 0.0)
        mu = iv.lambda_min_lower_bound(balls([[1.0, 1.0], [1.0, 1.0 - eps]]))
    assert mu is None or mu < 0.0


def test_interval_cholesky_rejects_an_enclosure_with_an_indefinite_member():
    with iv.precision():
        H = balls([[1.0, 0.0], [0.0, 1.0]])
        H[0][1] = H[1][0] = iv.hull(arb(-1.5), arb(1.5))  # contains [[1, 1.5], [1.5, 1]] (indefinite)
        assert not iv.cholesky_pd(H, 0.0)
        H[0][1] = H[1][0] = iv.hull(arb(-0.5), arb(0.5))  # every member is positive definite
        assert iv.cholesky_pd(H, 0.0)


def test_root_bracket_encloses_the_zero_of_an_increasing_function():
    with iv.precision():
        br = iv.root_bracket(lambda x: x * x * x - 2, iv.ball(2.0 ** (1 / 3)))
        assert br is not None and br.box.contains(arb(2).root(3))
        assert iv.root_bracket(lambda x: x * x + 1, iv.ball(0.0), max_steps=10) is None  # no zero


def test_relu_enclosure_covers_both_pieces():
    with iv.precision():
        z = iv.relu(iv.hull(arb(-1), arb(2)))
        assert z.contains(arb(0)) and z.contains(arb(2)) and not z.contains(arb(-0.5))


# ------------------------------------------------------------------------------------------------------------
# exact primitives
# ------------------------------------------------------------------------------------------------------------
def test_floats_are_recognized_as_the_exact_numbers_they_round():
    assert ex.recognize(1 / 3).value == sp.Rational(1, 3)
    r = ex.recognize(math.sqrt(2.0) / 2)
    assert r.kind == "sqrt" and sp.simplify(r.value - sp.sqrt(2) / 2) == 0 and r.ulps <= 1
    nudged = ex.recognize(np.nextafter(math.sqrt(2.0), 3.0) + 8 * np.spacing(math.sqrt(2.0)))
    assert nudged.kind == "as stored"  # 9 ulps off sqrt(2): taken at its own exact binary value


def test_exact_psd_and_sign_decisions():
    assert ex.is_psd(sp.Matrix([[2, 1], [1, 2]])) and ex.is_psd(sp.Matrix([[1, 1], [1, 1]]))
    assert not ex.is_psd(sp.Matrix([[1, 1], [1, sp.Rational(999999, 1000000)]]))
    assert ex.sign_of(2 * sp.sqrt(2) - sp.Rational(28284271, 10**7)) == 1
    assert ex.sign_of(sp.sqrt(8) - 2 * sp.sqrt(2)) == 0
    assert ex.spectral_norm_at_most(sp.Matrix([[1, 0], [0, 0]]), 1)
    assert not ex.spectral_norm_at_most(sp.Matrix([[1, 0], [0, 0]]), sp.Rational(999, 1000))


# ------------------------------------------------------------------------------------------------------------
# every committed witness is proved; the table exits 0
# ------------------------------------------------------------------------------------------------------------
# claims whose witness is replayed only in part (the rest is a statistical estimate): numerical by design
PARTLY = {"du2019.gram.printed-recursion"}


def test_every_committed_witness_with_a_replay_is_proved():
    """Every committed witness of a family with a rigorous replay is proved; a witness of a family without one
    (added later by another family) is reported as numerical, never as rejected."""
    from landscape.rigorous import _families, claim_of

    results = {p.name: replay_arrays(p.name, load(p)) for p in committed()}
    covered = {k: r for k, r in results.items() if claim_of(k) in _families() and claim_of(k) not in PARTLY}
    assert covered and all(r.proved for r in covered.values()), {k: r.summary() for k, r in covered.items()}
    assert {r.level for r in covered.values()} <= {PROVED_EXACT, PROVED_INTERVAL}
    assert all(r.level == NUMERICAL and r.missing for k, r in results.items() if claim_of(k) in PARTLY)
    assert not any(r.rejected for r in results.values())
    assert all(r.level == NUMERICAL and r.missing for k, r in results.items() if claim_of(k) not in _families())


def test_the_replay_command_prints_the_table(capsys):
    assert main([str(WITNESS_DIR / "zhang2019.thm2.recovery__tie.npz")]) == 0
    assert "proved (exact)" in capsys.readouterr().out
    assert main(["--json", str(WITNESS_DIR / "du2019.gram.printed-recursion__relu-H2.npz")]) == 1
    import json

    (row,) = json.loads(capsys.readouterr().out)
    assert row["level"] == NUMERICAL and row["missing"] and row["replay"].startswith("python -m landscape.rigorous")


def test_a_witness_without_a_rigorous_recheck_is_numerical():
    r = replay_arrays("zhang2019.thm1__unknown.npz", {})
    assert r.level == NUMERICAL and r.missing and not r.rejected


# ------------------------------------------------------------------------------------------------------------
# power: nudged witnesses are rejected (exact families)
# ------------------------------------------------------------------------------------------------------------
def test_tie_witness_with_the_good_svd_choice_is_rejected():
    name, a = witness("zhang2019.thm2.recovery__tie")
    a["U"], a["Vt"] = np.array([[1.0], [0.0]]), np.array([[1.0, 0.0]])  # recovery now optimal: no strict gap
    r = replay_arrays(name, a)
    assert r.rejected


def test_tie_witness_nudged_below_the_float_tolerance_is_rejected():
    name, a = witness("zhang2019.thm2.recovery__tie")
    a["W_opt_0"] = a["W_opt_0"] + np.array([[1e-13, 0.0]])  # primal value moves by ~3e-13 < the float check's 1e-12
    r = replay_arrays(name, a)
    assert r.rejected and any("primal value of W_opt" in s.name for s in r.failures())


def test_equal_values_witness_nudged_to_unequal_values_is_rejected():
    name, a = witness("wang2023.thm3.equal-implies-no-gap__identity")
    a["Y"] = np.diag([1.0, 1.0 + 1e-13])
    assert np.ptp(np.linalg.svd(a["Y"], compute_uv=False)) <= 1e-12  # a float test of "equal" still passes
    assert replay_arrays(name, a).rejected


def test_equal_values_witness_with_a_rank_one_target_is_rejected():
    name, a = witness("wang2023.thm3.equal-implies-no-gap__identity")
    a["Y"] = np.diag([1.0, 0.0])  # rank one: no gap (the strict inequality fails)
    assert replay_arrays(name, a).rejected


def test_mixed_sign_witness_over_budget_by_ulps_is_rejected():
    name, a = witness("wang2023.thm5.mixed-signs__two-samples")
    a["W1"] = a["W1"] + 8 * np.sign(a["W1"]) * np.abs(np.spacing(a["W1"]))  # ||W1||_F exceeds t by ~1e-15
    assert np.linalg.norm(a["W1"]) <= 1.0 + 1e-12  # the float budget check still passes
    r = replay_arrays(name, a)
    assert r.rejected and any("||W_1||_F <= t" in s.name for s in r.failures())


def test_mixed_sign_witness_with_labels_of_one_sign_is_rejected():
    name, a = witness("wang2023.thm5.mixed-signs__two-samples")
    a["Y"] = np.array([[1.0], [1.0]])  # one sign: P = D, no gap
    assert replay_arrays(name, a).rejected


# ------------------------------------------------------------------------------------------------------------
# power: nudged witnesses are rejected (interval family)
# ------------------------------------------------------------------------------------------------------------
def test_dead_relu_witness_with_a_live_neuron_is_rejected():
    name, a = witness("liang2018.prop2__thm1-data")
    M, d = int(a["M"]), a["X"].shape[1]
    W = a["theta"][1 + M :].reshape(d, M).copy()
    W[0, 0] = 0.05  # pre-activation of neuron 0 is now +0.05 on every input
    a["theta"] = np.concatenate([a["theta"][: 1 + M], W.reshape(-1)])
    assert replay_arrays(name, a).rejected


def test_constant_witness_moved_off_the_minimum_is_rejected():
    name, a = witness("liang2018.prop2__thm2-data")
    a["theta"] = a["theta"].copy()
    a["theta"][0] += 1e-5  # a_0 no longer the best constant
    r = replay_arrays(name, a)
    assert r.rejected


def test_quadratic_witness_with_the_uphill_sign_flipped_is_rejected():
    name, a = witness("liang2018.prop5__square")
    M = int(a["M"])
    a["theta"] = a["theta"].copy()
    a["theta"][1 : 1 + M] *= -1.0  # the W-block of the Hessian, diag(-a_j sigma''(0) S / n), is now negative definite
    r = replay_arrays(name, a)
    assert r.rejected and any("KKT" in s.name for s in r.failures())


def test_linear_regime_witness_moved_off_the_linear_optimum_is_rejected():
    name, a = witness("liang2018.prop3__linear-regime")
    a["theta"] = a["theta"].copy()
    a["theta"][0] += 1e-5
    assert replay_arrays(name, a).rejected


def test_linear_regime_witness_with_a_wrong_competitor_is_rejected():
    name, a = witness("liang2018.prop3__linear-regime")
    a["better"] = -a["better"]  # the competitor now misclassifies
    assert replay_arrays(name, a).rejected


def test_symmetric_sample_witness_made_asymmetric_is_rejected():
    name, a = witness("liang2018.prop4__symmetric")
    X = a["X"].copy()
    X[-1] = 2.0 * X[-1]  # -e2 becomes -2 e2: the pairing identity no longer covers the sample
    a["X"] = X
    assert replay_arrays(name, a).rejected


def test_feed_forward_witness_with_a_live_first_layer_is_rejected():
    name, a = witness("liang2018.prop6__dead-first-layer")
    d, h1 = a["X"].shape[1], int(a["hidden"][0])
    theta = a["theta"].copy()
    theta[d * h1 : d * h1 + h1] = 0.5  # first-layer biases: some unit is alive on the data
    a["theta"] = theta
    assert replay_arrays(name, a).rejected


def test_shortcut_witness_with_a_live_residual_is_rejected():
    name, a = witness("liang2018.prop7__dead-residual")
    d, k = a["X"].shape[1], int(a["k"])
    theta = a["theta"].copy()
    start = d + 1 + d * k
    theta[start : start + k] = 5.0  # residual biases: every unit alive
    a["theta"] = theta
    assert replay_arrays(name, a).rejected


# ------------------------------------------------------------------------------------------------------------
# the readable witnesses added for counterexample claims that had none committed
# ------------------------------------------------------------------------------------------------------------
def test_added_witness_files_match_their_constructions():
    from landscape.rigorous import liang2018, multibranch, wang2023

    for name, build in {**wang2023.NEW_WITNESSES, **liang2018.NEW_WITNESSES, **multibranch.NEW_WITNESSES}.items():
        stored, built = load(WITNESS_DIR / name), build()
        assert set(stored) == set(built), name
        for k in built:
            np.testing.assert_array_equal(stored[k], built[k], err_msg=f"{name}: {k}")


def test_gap_witness_with_a_rank_one_target_is_rejected():
    name, a = witness("wang2023.thm3.gap__sv-8-1")
    a["Y"] = a["X"] @ np.diag([8.0, 0.0])
    assert replay_arrays(name, a).rejected


def test_no_gap_witness_with_a_weaker_dual_point_is_rejected():
    name, a = witness("wang2023.thm3.all-values-reading__rank-one")
    a["Lam"] = a["Lam"] * (1.0 - 1e-13)  # tr(Lam^T Y) falls 1e-13 below the factors' cost
    r = replay_arrays(name, a)
    assert r.rejected and any("no gap" in s.name for s in r.failures())


def test_population_minimum_nudged_off_the_zero_gradient_is_rejected():
    name, a = witness("liang2018.ex1__population")
    a["a"] = a["a"] + 1e-13
    r = replay_arrays(name, a)
    assert r.rejected and any("zero gradient" in s.name for s in r.failures())


def test_least_squares_witness_with_a_nudged_fit_or_a_wrong_competitor_is_rejected():
    name, a = witness("liang2018.b8__instance-A")
    nudged = dict(a, fitted=a["fitted"] + 1e-13)
    assert replay_arrays(name, nudged).rejected
    flipped = dict(a, better_coef=-a["better_coef"])
    assert replay_arrays(name, flipped).rejected


def test_multibranch_witnesses_agree_with_the_suites_float_routes():
    """Second route: the suite's own enumeration (``hinge_gap``) and Delta routines (``delta_scalar_grid``,
    ``multibranch.delta_exact``) in float64 give the same P, D and Delta as the exact replay."""
    from landscape.rigorous import multibranch as rmb
    from landscape.zhang2019 import hinge_gap as hg
    from landscape.zhang2019 import multibranch as mb

    for build in (rmb.hinge_active_witness, rmb.coupled_witness):
        a = build()
        exact = rmb.GridWitness(a)
        F, y, tau, W = a["F"], a["y"], float(a["tau"]), a["w"]
        I, G, _ = F.shape
        ch = hg.joint_choices(G, I)
        L = hg.hinge_losses(F, y, tau, ch)
        H = a["H"] if "H" in a else W**2
        if str(a["budget"]) == "separable":
            B = np.mean(np.stack([H[i][ch[:, i]] for i in range(I)], axis=1), axis=1)
        else:
            B = np.mean(np.stack([W[i][ch[:, i]] for i in range(I)], axis=1), axis=1) ** 2
        e = hg.enumerate_problem(L, B, float(a["K"]), ch)
        choices = list(exact.choices())
        P, D, _ = rmb.primal_dual([exact.loss(c) for c in choices], [exact.budget_of(c) for c in choices], exact.K)
        assert abs(e.P - float(P)) <= 1e-12 and abs(e.D - float(D)) <= 1e-12
        g = np.mean(1.0 - y[None, None, :] * F / tau, axis=2)
        inst = mb.GridBranches(g, H, float(a["K"]), w=W, h_center=np.zeros(I))
        for i in range(I):
            d = float(rmb.delta_grid(exact.w[i], exact.g(i), exact.center[i]))
            assert abs(hg.delta_scalar_grid(W[i], g[i], 0.0) - d) <= 1e-12
            assert abs(mb.delta_exact(inst).per_branch[i] - d) <= 1e-12


def test_multibranch_witnesses_outside_their_failure_regime_are_rejected():
    name, a = witness("zhang2019.thm1.no-assumption1__hinge-active")
    assert replay_arrays(name, dict(a, tau=np.array(3.0))).rejected  # Assumption 1 holds again
    name, a = witness("zhang2019.thm1.coupled__two-branches")
    assert replay_arrays(name, dict(a, K=np.array(64.0))).rejected  # slack budget: no gap at all


def test_relaxation_witness_with_realizable_labels_is_rejected():
    name, a = witness("ergen2019.relaxation__two-points")
    assert replay_arrays(name, a).level == PROVED_EXACT
    a["Y"] = np.array([1.0, 0.0])  # Y = relu(X^T w*) with w* = 1: argmin L_r = 1 also minimizes L
    assert replay_arrays(name, a).rejected


def test_printed_recursion_witness_is_numerical_with_its_reason():
    name, a = witness("du2019.gram.printed-recursion__relu-H2")
    r = replay_arrays(name, a)
    assert not r.rejected and r.level == NUMERICAL and "Monte Carlo" in r.missing
    a["X"] = np.array([[1.0, 0.0], [1.0, 0.0]])  # parallel inputs: both readings give the same matrix
    assert replay_arrays(name, a).rejected


# ------------------------------------------------------------------------------------------------------------
# failure-case witnesses of Kawaguchi et al. (2019), Du et al. (2019) and Ergen & Pilanci (2019)
# ------------------------------------------------------------------------------------------------------------
def test_failure_case_witness_files_match_their_constructions():
    """The committed files are the family constructions' output, shrunk and rounded (the bottleneck's and narrow
    highway's thetas come from a float64 SVD, so they are compared to 1e-12; the weight-decay and tanh-output
    thetas come from L-BFGS, so they are compared to 1e-6; the gradient-descent steps eta to 1e-12 relative;
    everything else bit for bit)."""
    svd = ("kawaguchi2019.linear.bottleneck", "kawaguchi2019.thm2.narrow-highway")
    trained = ("kawaguchi2019.thm1.weight-decay", "kawaguchi2019.thm1.nonlinear-output")
    gd = ("du2019.thm.large-step", "du2019.thm.narrow")
    from landscape.rigorous import kawaguchi2019 as rk
    from landscape.rigorous import survey as rs

    for name, build in {**rk.NEW_WITNESSES, **rs.NEW_WITNESSES}.items():
        stored, built = load(WITNESS_DIR / name), build()
        assert set(stored) == set(built), name
        for k in built:
            if name.startswith(svd) and k == "theta":
                np.testing.assert_allclose(stored[k], built[k], rtol=0, atol=1e-12, err_msg=name)
            elif name.startswith(gd) and k == "eta":  # from a float eigvalsh of G(0)
                np.testing.assert_allclose(stored[k], built[k], rtol=1e-12, err_msg=name)
            elif name.startswith(trained) and k == "theta":
                np.testing.assert_allclose(stored[k], built[k], rtol=0, atol=1e-6, err_msg=name)
            else:
                np.testing.assert_array_equal(stored[k], built[k], err_msg=f"{name}: {k}")
        assert replay_arrays(name, stored).level in (PROVED_EXACT, PROVED_INTERVAL), name


def test_non_critical_witness_at_a_global_fit_is_rejected():
    """Targets replaced by the network's own outputs: r = 0, the point is critical and L = J = 0."""
    from landscape.kawaguchi2019.networks import Net, forward

    name, a = witness("kawaguchi2019.thm1.non-critical__mixed-3-4-4-2")
    assert replay_arrays(name, a).level == PROVED_EXACT
    net = Net(3, tuple(int(w) for w in a["widths"]), int(a["d_y"]), slopes=(a["slopes1"], a["slopes2"]))
    r = replay_arrays(name, dict(a, Y=forward(net, a["theta"], a["X"]).Yhat))
    assert r.rejected and any("not critical" in s.name for s in r.failures())


def test_non_critical_witness_moved_onto_a_kink_is_rejected():
    name, a = witness("kawaguchi2019.thm1.non-critical__mixed-3-4-4-2")
    X = a["X"].copy()
    X[0] = 0.0  # sample 0 at the origin: every pre-activation of it is 0 (a kink of the ReLU units)
    r = replay_arrays(name, dict(a, X=X))
    assert r.rejected and any("kink" in s.name for s in r.failures())


def test_partial_critical_witness_with_a_nudged_output_layer_is_rejected():
    name, a = witness("kawaguchi2019.thm1.partial-critical__ls-output")
    assert replay_arrays(name, a).level == PROVED_EXACT
    theta = a["theta"].copy()
    theta[-1] = np.nextafter(theta[-1], np.inf)  # one ulp off the rounded least-squares layer
    r = replay_arrays(name, dict(a, theta=theta))
    assert r.rejected and any("least-squares layer rounded" in s.name for s in r.failures())


def test_partial_critical_witness_with_realizable_targets_is_rejected():
    """Targets equal to the outputs of the stored net: the least-squares layer fits exactly, L = J = 0."""
    from landscape.kawaguchi2019.networks import Net, forward

    name, a = witness("kawaguchi2019.thm1.partial-critical__ls-output")
    net = Net(3, tuple(int(w) for w in a["widths"]), int(a["d_y"]), slopes=(a["slopes1"],))
    Phi = forward(net, a["theta"], a["X"]).Phi[-1]
    Y = Phi @ np.array([[1.0], [-1.0], [0.5], [2.0], [0.25]])  # exact in float64: dyadic entries, few bits
    assert np.array_equal(Y, np.round(Y * 2**20) / 2**20)
    r = replay_arrays(name, dict(a, Y=Y))
    assert r.rejected


def test_bottleneck_witness_with_rank_one_targets_is_rejected():
    """Targets of rank one (Y = X b c^T): the width-one product reaches the OLS value, no gap."""
    name, a = witness("kawaguchi2019.linear.bottleneck__rank-one")
    assert replay_arrays(name, a).level == PROVED_EXACT
    Y = a["X"] @ np.array([[1.0], [0.5]]) @ np.array([[1.0, -2.0]])
    r = replay_arrays(name, dict(a, Y=Y))
    assert r.rejected and any("rank(P[X] Y) >" in s.name for s in r.failures())
    B = np.linalg.lstsq(a["X"], a["Y"], rcond=None)[0]
    wide = dict(a, widths=np.array([2]), slopes1=np.ones(2), theta=np.concatenate([np.eye(2).T.ravel(), B.T.ravel()]))
    r = replay_arrays(name, wide)  # two hidden units: W^(1) = I, W^(2) = the OLS coefficients reach the OLS value
    assert r.rejected and any("narrower than d_y" in s.name for s in r.failures())


def test_unbounded_relaxation_witness_with_positive_labels_is_rejected():
    name, a = witness("ergen2019.relaxation.unbounded__d0-2")
    assert replay_arrays(name, a).level == PROVED_EXACT
    assert replay_arrays(name, dict(a, Y=np.array([1.0, 2.0]))).rejected  # the ray now goes uphill
    tilted = dict(a, direction=np.array([-1.0, 1e-13]))  # x_2^T d > 0: neuron 2 switches on along the ray
    r = replay_arrays(name, tilted)
    assert r.rejected and any("X^T d <= 0" in s.name for s in r.failures())


def test_parallel_inputs_witness_with_distinct_inputs_is_rejected():
    name, a = witness("du2019.gram.parallel-inputs__repeated-and-antiparallel")
    assert replay_arrays(name, a).level == PROVED_INTERVAL
    Xr = a["X_repeated"].copy()
    Xr[2, 0] = np.nextafter(1.0, 0.0)  # x_2 one ulp away from x_0: no longer a repeated input
    assert replay_arrays(name, dict(a, X_repeated=Xr)).rejected
    Xa = a["X_antiparallel"].copy()
    Xa[2] = Xa[0]  # the "antiparallel" pair made equal: the ReLU Gram is singular, not positive definite
    r = replay_arrays(name, dict(a, X_antiparallel=Xa))
    assert r.rejected and any("positive definite" in s.name for s in r.failures())


def test_weight_decay_witness_off_its_minimum_or_without_decay_is_rejected():
    name, a = witness("kawaguchi2019.thm1.weight-decay__one-unit")
    r = replay_arrays(name, a)
    assert r.level == PROVED_INTERVAL, r.summary()
    moved = dict(a, theta=a["theta"] + np.array([1e-4, 0.0, 0.0]))  # gradient ~2e-5: no minimum within the box
    r = replay_arrays(name, moved)
    assert r.rejected and any("strict local minimum" in s.name for s in r.failures())
    r = replay_arrays(name, dict(a, weight_decay=np.array(0.0)))  # no decay: the point is not a minimum of L
    assert r.rejected


def test_tanh_output_witness_off_its_minimum_or_with_a_linear_output_is_rejected():
    name, a = witness("kawaguchi2019.thm1.nonlinear-output__tanh-one-unit")
    r = replay_arrays(name, a)
    assert r.level == PROVED_INTERVAL, r.summary()
    moved = dict(a, theta=a["theta"] + np.array([1e-4, 0.0, 0.0]))  # off the minimum by more than the box allows
    r = replay_arrays(name, moved)
    assert r.rejected and any("strict local minimum" in s.name for s in r.failures())
    assert replay_arrays(name, dict(a, output=np.asarray("linear"))).rejected  # inside Theorem 1: L = J there


def test_narrow_highway_witness_with_a_live_unit_or_a_wide_highway_is_rejected():
    name, a = witness("kawaguchi2019.thm2.narrow-highway__one-linear-unit")
    assert replay_arrays(name, a).level == PROVED_EXACT
    theta = a["theta"].copy()
    theta[2] = 1.0  # first ReLU unit's weight on input 0: alive on every (positive) input
    r = replay_arrays(name, dict(a, theta=theta))
    assert r.rejected and any("dead with margin" in s.name for s in r.failures())
    wide = dict(a, slopes1=np.array([1.0, 1.0, 0.0]), n=np.array(2))  # two linear units: n = d_y, inside Thm 2
    assert replay_arrays(name, wide).rejected


def test_large_step_witness_with_a_stable_step_or_other_weights_is_rejected():
    name, a = witness("du2019.thm.large-step__tanh-width-256")
    assert replay_arrays(name, a).level == PROVED_INTERVAL
    small = dict(a, eta=a["eta"] / 10.0)  # inside the stable range: the first step lowers the loss
    r = replay_arrays(name, small)
    assert r.rejected and any("above the stable range" in s.name for s in r.failures())
    assert any("loss rises" in s.name for s in r.failures())
    assert replay_arrays(name, dict(a, seed=np.array(1))).rejected  # other weights: the checksum differs


def test_narrow_witness_at_another_step_or_with_a_huge_step_is_rejected():
    name, a = witness("du2019.thm.narrow__softplus-width-4")
    assert replay_arrays(name, a).level == PROVED_INTERVAL
    r = replay_arrays(name, dict(a, k=np.array(110)))  # one step earlier the loss is still below L(0)
    assert r.rejected and any("climbs above the start" in s.name for s in r.failures())
    r = replay_arrays(name, dict(a, k=np.array(2), eta=a["eta"] * 100.0))  # eta lambda_0 no longer provably <= 4
    assert r.rejected and any("eta lambda_0 <= 4" in s.name for s in r.failures())
