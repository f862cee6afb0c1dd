"""The two-layer convex program family (Pilanci & Ergen 2020) can fail: run against a wrong convex optimum or an
incomplete enumeration of the arrangement's cells, its claim check must be refuted within the ci budget."""

from __future__ import annotations

from dataclasses import replace

import pytest

import landscape.pilanci2020 as tlc
from strategies.pilanci2020 import two_layer_problems
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.pilanci2020.checks import check_two_layer_convex_program


def _drop_last_cell(X):
    """The exact enumeration with its last cell removed (still flagged exact): the convex program and the certified
    bound over it then agree with each other but not with the problem."""
    arr = tlc.enumerate_arrangements(X)
    if arr.P <= 1:
        return arr
    return replace(arr, patterns=arr.patterns[:-1], reps=arr.reps[:-1], rays=arr.rays[:-1])


@pytest.mark.mutation("pilanci2020.two-layer", "last hyperplane cell dropped from the exact enumeration")
def test_an_incomplete_enumeration_is_refuted():
    message = refuted_under_ci_budget(
        two_layer_problems(), check_two_layer_convex_program, arrangements=_drop_last_cell, starts=1
    )
    assert message is not None, "a missing cell survived the ci budget"
    assert "enumeration complete" in message


@pytest.mark.mutation("pilanci2020.two-layer", "convex optimum x 0.99 (1 % below)")
def test_a_lowered_convex_optimum_is_refuted():
    message = refuted_under_ci_budget(
        two_layer_problems(), check_two_layer_convex_program, convex_value=lambda q: 0.99 * q, starts=1
    )
    assert message is not None and "observed=" in message


@pytest.mark.mutation("pilanci2020.two-layer", "convex optimum x (1 - 1e-5)")
def test_a_convex_optimum_lowered_by_one_part_in_1e5_is_refuted():
    message = refuted_under_ci_budget(
        two_layer_problems(), check_two_layer_convex_program, convex_value=lambda q: (1.0 - 1e-5) * q, starts=1
    )
    assert message is not None and "observed=" in message
