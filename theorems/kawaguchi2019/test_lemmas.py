"""Kawaguchi et al. (2019), Lemmas 1-3 (Appendix A): the output is linear in each layer's weights through its
own Jacobian block; the projector on two orthogonal blocks is the sum of their projectors; the sequential
Gram-Schmidt split of a projection into per-block terms."""

from __future__ import annotations

import pytest
from hypothesis import given

from strategies.kawaguchi2019 import block_families, orthogonal_pairs, points
from theorems.kawaguchi2019.checks import check_lemma1, check_lemma2, check_lemma3


@pytest.mark.claim("kawaguchi2019.lemma1")
@given(inst=points(kinds=("random",), overdetermined=False))
def test_output_is_linear_in_each_layer_through_its_jacobian(inst, record):
    check_lemma1(inst, record)


@pytest.mark.claim("kawaguchi2019.lemma2")
@given(pair=orthogonal_pairs())
def test_projector_of_orthogonal_blocks_is_the_sum(pair, record):
    check_lemma2(pair, record)


@pytest.mark.claim("kawaguchi2019.lemma3")
@given(fam=block_families())
def test_gram_schmidt_split_of_the_projection(fam, record):
    check_lemma3(fam, record)
