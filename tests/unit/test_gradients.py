"""The torch route's objective equals the numpy one, and its autograd gradient matches central differences
along a random direction (the JAX ``check_grads`` way), checked once per drawn instance."""

import numpy as np
import torch
from hypothesis import given, settings

from landscape.zhang2019 import deep_linear as dl
from strategies.zhang2019.deep_linear import deep_linear_problems


@settings(max_examples=20)
@given(inst=deep_linear_problems(gamma_side="below"))
def test_torch_objective_matches_numpy_and_central_differences(inst):
    p = inst.problem
    rng = np.random.default_rng(inst.seed)
    Ws = [rng.standard_normal((p.widths[i], p.widths[i - 1])) for i in range(1, p.H + 1)]
    Ds = [rng.standard_normal(W.shape) for W in Ws]
    f = dl.torch_objective(p)
    tw = [torch.from_numpy(W) for W in Ws]
    value = float(f(tw))
    assert abs(value - dl.primal_objective(p, Ws)) <= 1e-12 * (1 + abs(value)) * p.size
    _, jvp = torch.func.jvp(lambda *w: f(list(w)), tuple(tw), tuple(torch.from_numpy(D) for D in Ds))
    h = 1e-6
    plus = dl.primal_objective(p, [W + h * D for W, D in zip(Ws, Ds)])
    minus = dl.primal_objective(p, [W - h * D for W, D in zip(Ws, Ds)])
    central = (plus - minus) / (2 * h)
    # central differences: truncation O(h^2 |f'''|) plus rounding O(eps |f| / h); 1e-5 relative covers both here
    assert abs(float(jvp) - central) <= 1e-5 * (1 + abs(central) + abs(value))
