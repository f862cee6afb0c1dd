"""Kawaguchi et al. (2019), Lemmas 1-3 (Appendix A): the output is linear in each layer's weights through its
own Jacobian block; the projector on two orthogonal blocks is the sum of their projectors; the sequential
Gram-Schmidt split of a projection into per-block terms."""

from __future__ import annotations

import pytest
from hypothesis import given

from strategies.kawaguchi2019 import block_families, orthogonal_pairs, points
from theorems.kawaguchi2019.checks import check_lemma1, check_lemma2, check_lemma3


@pytest.mark.claim(
    "kawaguchi2019.lemma1",
    covers=(
        "depth 1-4, widths 1-4, d_y 1-3; ReLU, |x|, leaky (slope in [-1,1]), identity mixed per unit; "
        "Gaussian/low-rank/dup/digits; random points"
    ),
)
@given(inst=points(kinds=("random",), overdetermined=False))
def test_output_is_linear_in_each_layer_through_its_jacobian(inst, record):
    check_lemma1(inst, record)


@pytest.mark.claim(
    "kawaguchi2019.lemma2",
    covers=(
        "p 2-16, A of 1-6 columns and rank 0..min(a, p) (zero A included), C of 1-6 columns optionally partly "
        "inside col(A)"
    ),
)
@given(pair=orthogonal_pairs())
def test_projector_of_orthogonal_blocks_is_the_sum(pair, record):
    check_lemma2(pair, record)


@pytest.mark.claim(
    "kawaguchi2019.lemma3",
    covers=(
        "1-6 blocks of p 2-14 rows and widths 1-5: full, low-rank, repeated (in the span of earlier blocks) and "
        "zero blocks"
    ),
)
@given(fam=block_families())
def test_gram_schmidt_split_of_the_projection(fam, record):
    check_lemma3(fam, record)
