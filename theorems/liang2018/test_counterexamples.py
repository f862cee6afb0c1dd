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
from hypothesis import given
from hypothesis import strategies as st

from landscape.liang2018 import constructions as cons
from landscape.liang2018 import models as lg
from strategies import budget
from strategies.liang2018.constructions import (
    B8_EVENT_SIZES,
    b8_event_samples,
    prop2_instances,
    prop3_instances,
    prop4_instances,
    prop5_instances,
    prop6_instances,
    prop7_instances,
)
from theorems.liang2018.checks import (
    b8_assumptions,
    b8_check,
    check_example1,
    check_prop2,
    check_prop3,
    check_prop4,
    check_prop5,
    check_prop6,
    check_prop7,
    exact,
    reverify_readable,
)

# ------------------------------------------------------------------------------------------------------------
# Strategies: the propositions' distributions, the constructions rebuilt on every draw
# ------------------------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------------------------
# The checks shared by the propositions
# ------------------------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------------------------
# Proposition 2
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop2",
    covers=(
        "ReLU and ReQU; Thm-1 data (n+/n- 1-10, Thm-1 width + 0-2) and Thm-2 data (M 1-6); p 2-8; f_D constant "
        "0/0.7/-1.3"
    ),
)
@pytest.mark.parametrize("act", ["relu", "requ"])
@budget(0.4)
@given(data=st.data())
def test_dead_relu_class_neurons_give_a_bad_local_minimum(act, data, record):
    check_prop2(data.draw(prop2_instances(act), label="instance"), record)


@pytest.mark.claim(
    "liang2018.prop2",
    covers="committed readable witnesses prop2__thm1-data and prop2__thm2-data, re-verified from disk",
)
@pytest.mark.parametrize("name", ["liang2018.prop2__thm1-data", "liang2018.prop2__thm2-data"])
def test_dead_relu_readable_instances(name, record):
    reverify_readable(name, record)


@pytest.mark.claim(
    "liang2018.prop2",
    covers=(
        "fixed search: L-BFGS from 8 random starts on three seeded Thm-1 data sets (n+ = n- = 6), M 1-2 ReLU "
        "neurons, p 6"
    ),
)
def test_plain_training_ends_at_certified_bad_minima(record):
    """Targeted search: L-BFGS from random starts on Proposition 2's data with one or two ReLU neurons; end points
    that the certifier accepts (gradient <= 1e-7, no kink within the perturbation ball, PSD Hessian, no lower
    perturbation) and that misclassify are bad local minima found without any construction."""
    found_all = []
    for data_seed, M in ((0, 1), (1, 2), (2, 1)):
        rng = np.random.default_rng(data_seed)
        X, y = cons.half_space_subspace_data(*cons.draw_subspace_t(rng, 6, 6))
        prob = lg.ShallowProblem(X, y, M, "relu", 6)
        found, tried = cons.search_bad_minima(prob, starts=8, seed=data_seed)
        desc = f"prop2 Thm-1 data (seed {data_seed}) n+=6 n-=6 M={M} relu p=6, {tried} L-BFGS starts"
        record.note("certified bad minima found", len(found), instance=desc)
        found_all += [(f, prob, desc) for f in found]
    record.holds(
        len(found_all) >= 1,
        instance="search over 3 datasets",
        what="L-BFGS from random starts ends at certified bad local minima",
    )
    f, prob, desc = min(found_all, key=lambda t: (t[0].value, t[0].start))
    c = f.certificate
    checks = {
        "verdict": c.verdict,
        "grad_norm": c.grad_norm,
        "lambda_min": c.lambda_min,
        "worst_perturbation_change": c.worst_change,
        "errors": f.errors,
        "n": prob.n,
        "loss": f.value,
        "kink_margin": f.kink_margin,
        "found": len(found_all),
    }
    record.holds(f.errors >= 1, instance=desc, what="the found minimum misclassifies")
    record.witness(
        "lbfgs-found",
        {"X": prob.X, "y": prob.y, "theta": f.theta, "M": np.asarray(prob.M)},
        certified=bool(c.is_local_min and f.errors >= 1),
        checks=checks,
        instance=f"{desc}; start {f.start}: loss {f.value:.5f}, {f.errors} errors",
    )


# ------------------------------------------------------------------------------------------------------------
# Proposition 3
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop3",
    covers="ReLU, leaky ReLU, ELU; Thm-1 event data (both signs of t per class, n+/n- 2-10), Thm-1 width + 0-2, p 2-8",
)
@pytest.mark.parametrize("act", ["relu", "leaky_relu", "elu"])
@budget(0.3)
@given(data=st.data())
def test_leaky_relu_class_neurons_in_their_linear_piece_give_a_bad_local_minimum(act, data, record):
    check_prop3(data.draw(prop3_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop3", covers="committed readable witness prop3__linear-regime, re-verified from disk")
def test_linear_regime_readable_instance(record):
    reverify_readable("liang2018.prop3__linear-regime", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 4
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop4",
    covers=(
        "sigmoid, tanh, arctan, softsign, linear; symmetric sample of k, m 1-5 copies of +-e1, +-e2 in a random "
        "basis; Thm-1 width + 0-2, p 2-8"
    ),
)
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "arctan", "softsign", "linear"])
@budget(0.25)
@given(data=st.data())
def test_sigmoid_class_neurons_on_a_symmetric_sample_give_a_bad_minimum(act, data, record):
    check_prop4(data.draw(prop4_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop4", covers="committed readable witness prop4__symmetric, re-verified from disk")
def test_symmetric_sample_readable_instance(record):
    reverify_readable("liang2018.prop4__symmetric", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 5
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop5",
    covers="square and cosh; separable 1-d data (positives in [1, 2], negatives in [-2, -1], n+/n- 1-12), M 1-4, p 2-8",
)
@pytest.mark.parametrize("act", ["square", "cosh"])
@budget(0.4)
@given(data=st.data())
def test_quadratic_class_neurons_on_separable_data_give_a_bad_local_minimum(act, data, record):
    check_prop5(data.draw(prop5_instances(act), label="instance"), record)


@pytest.mark.claim("liang2018.prop5", covers="committed readable witness prop5__square, re-verified from disk")
def test_quadratic_neurons_readable_instance(record):
    reverify_readable("liang2018.prop5__square", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 6
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop6",
    covers=(
        "ReLU and ReQU feed-forward nets, d 1-4, n 2-16, 1-3 hidden layers of width 1-4; random or planted affine "
        "labels; p 2-8"
    ),
)
@pytest.mark.parametrize("act", ["relu", "requ"])
@budget(0.4)
@given(data=st.data())
def test_feed_forward_relu_net_has_a_bad_local_minimum_on_any_data(act, data, record):
    check_prop6(data.draw(prop6_instances(act), label="instance"), record)


@pytest.mark.claim(
    "liang2018.prop6", covers="committed readable witness prop6__dead-first-layer, re-verified from disk"
)
def test_dead_first_layer_readable_instance(record):
    reverify_readable("liang2018.prop6__dead-first-layer", record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 7
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.prop7",
    covers="identity-shortcut nets with a ReLU residual of k 1-5 units; Thm-1 event data (n+/n- 2-10); p 2-8",
)
@budget(0.4)
@given(bp=prop7_instances())
def test_identity_shortcut_net_has_a_bad_local_minimum(bp, record):
    check_prop7(bp, record)


@pytest.mark.claim("liang2018.prop7", covers="committed readable witness prop7__dead-residual, re-verified from disk")
def test_dead_residual_readable_instance(record):
    reverify_readable("liang2018.prop7__dead-residual", record)


# ------------------------------------------------------------------------------------------------------------
# Example 1 (population, quadratic loss)
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.ex1",
    covers=(
        "fixed population instance: X|Y=1 = 5/4, X|Y=-1 ~ U[0, 1], affine f, quadratic loss; exact rational arithmetic"
    ),
)
def test_quadratic_loss_global_minimum_misclassifies_one_sixteenth(record):
    check_example1(record)


# ------------------------------------------------------------------------------------------------------------
# Appendix B.8 (samples, quadratic loss)
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.b8",
    covers=(
        "the two catalog samples: A (Thm-2 conditions, one linear neuron) and B (Thm-1 conditions, 10 quadratic "
        "neurons); quadratic loss"
    ),
)
@pytest.mark.parametrize("instance", ["A", "B"])
def test_quadratic_loss_global_minima_err_on_more_than_one_eighth(instance, record):
    values, labels = cons.B8_INSTANCES[instance]
    X, y = cons.b8_sample(instance, values, labels)
    assumptions = b8_assumptions(instance, values, labels, cons.b8_network(instance, X, y).M)
    desc = (
        "B.8 instance A (Thm-2 conditions): inputs (1,s), one linear neuron, f_D=0; positive s=5/4, "
        "negatives s=0,1,1; quadratic loss"
        if instance == "A"
        else "B.8 instance B (Thm-1 conditions): positives s e1 (s=1,3), negatives t e2 (t=1,1,3), M=2n=10 "
        "quadratic neurons, f_D=0; quadratic loss"
    )
    exact(record, all(assumptions.values()), "the sample meets the theorem's data assumptions (exact)", desc)
    out = b8_check(instance, values, labels, record, desc, starts=6)
    # zero training error is possible in the same model (at a higher quadratic loss)
    prob = out["network"]
    good = cons.b8_realize(
        instance,
        prob,
        [
            (1.0 * float(v) - 9 / 8) if instance == "A" else (float(v) ** 2 if yv > 0 else -(float(v) ** 2))
            for v, yv in zip(values, labels)
        ],
    )
    record.holds(prob.errors(good) == 0, instance=desc, what="an error-free parameter exists in the same model")
    arrays = {
        "values_num": np.array([Fraction(v).numerator for v in values]),
        "values_den": np.array([Fraction(v).denominator for v in values]),
        "labels": np.array(labels),
        "X": X,
        "y": y,
        "fitted": out["fit"],
        "theta_fit": out["realized"],
        "theta_zero_error": good,
    }
    checks = {
        "errors": out["errors"],
        "n": out["n"],
        "L*": out["L*"],
        "best_lbfgs_excess": out["best_lbfgs_excess"],
        **{k: bool(v) for k, v in assumptions.items()},
    }
    record.witness(
        f"instance-{instance}",
        arrays,
        certified=bool(all(assumptions.values()) and Fraction(out["errors"], out["n"]) > Fraction(1, 8)),
        checks=checks,
        instance=f"{desc}: global minimum errs on {out['errors']}/{out['n']}",
    )


@pytest.mark.claim(
    "liang2018.b8", covers="every sample of instance A's (n 4-8) and B's (n 5-7) distribution, enumerated exactly"
)
@pytest.mark.parametrize("instance", ["A", "B"])
def test_the_bad_event_has_positive_probability(instance, record):
    """Exact enumeration of every sample of the instance's distribution (sizes in ``B8_EVENT_SIZES``): the
    probability that the least-squares global minimum errs on more than 1/8, as a Fraction."""
    for n in B8_EVENT_SIZES[instance]:
        bad = cons.b8_bad_patterns(instance, n)
        prob = sum((b[2] for b in bad), Fraction(0))
        desc = f"B.8 instance {instance}, samples of size n={n}"
        record.note(
            "P(every global minimum errs on > 1/8)",
            float(prob),
            instance=desc,
            extra={"exact": str(prob), "bad_samples": len(bad)},
        )
        exact(record, prob > 0, "the bad event has positive probability (exact enumeration)", desc)
        if n == len(cons.B8_INSTANCES[instance][1]):
            catalog = sorted(zip(*cons.B8_INSTANCES[instance]))
            exact(
                record,
                any(sorted(zip(b[0], b[1])) == catalog for b in bad),
                "the catalog's instance is one of the enumerated bad samples",
                desc,
            )


@pytest.mark.claim(
    "liang2018.b8",
    covers="samples drawn from the exactly enumerated bad event of instances A (n 4-8) and B (n 5-7), in random order",
)
@pytest.mark.parametrize("instance", ["A", "B"])
@budget(0.25)
@given(data=st.data())
def test_quadratic_loss_bad_event_samples_by_float_routes(instance, data, record):
    values, labels, prob, errs = data.draw(b8_event_samples(instance), label="sample")
    desc = f"B.8 instance {instance} event sample: values={[str(v) for v in values]} labels={list(labels)} P={prob}"
    out = b8_check(instance, values, labels, record, desc, starts=3, seed=len(values))
    record.holds(out["errors"] == errs, instance=desc, what="exact error count = enumeration's")
