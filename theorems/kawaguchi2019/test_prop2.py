"""Kawaguchi et al. (2019), Proposition 2: Gaussian data and a fixed activation pattern.  (i) with many more
samples than d_x d, L <= (1 + 6 sqrt(t/m)) (m - d_x d)/(2m) ||Y||^2 except with probability
e^{-m/(64 ln(d_x d m/delta^2))} + 2 e^{-t}; (ii) with d d_x large, L = 0 except with probability 2 e^{-d_x/20}.
The failure probability is estimated over 40 data sets per pattern with a Clopper-Pearson interval."""

from __future__ import annotations

import pytest
from hypothesis import given

from strategies import budget
from strategies.kawaguchi2019 import prop2_patterns
from theorems.kawaguchi2019.checks import check_prop2


@pytest.mark.claim(
    "kawaguchi2019.prop2",
    covers=(
        "(i) m 2000, d 1, d_x 1-2, ReLU (0-500 zeros), leaky 0.5-1 or |x| patterns, t 1 or 3; (ii) m 10, d 100, "
        "d_x 48 0/1 pattern; 40 data sets"
    ),
)
@budget(0.8)
@given(inst=prop2_patterns())
def test_gaussian_data_bound_fails_no_more_often_than_stated(inst, record):
    check_prop2(inst, record)
