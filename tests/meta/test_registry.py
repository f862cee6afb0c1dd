"""The claim registry: unique ids, known kinds, errata with committed witnesses, helpful errors for typos."""

import numpy as np
import pytest

from reports.registry import CLAIMS, REGISTRY, lookup, witness_path


def test_ids_are_unique_and_papers_known():
    from reports.registry import PAPERS

    assert len(REGISTRY) == len(CLAIMS)
    assert {c.paper for c in CLAIMS} <= set(PAPERS)


def test_misspelled_id_names_close_matches():
    with pytest.raises(ValueError, match=r"did you mean .*zhang2019\.thm1"):
        lookup("zhang2019.thm11")


def test_every_erratum_has_a_committed_witness_without_pickles():
    errata = [c for c in CLAIMS if c.expected == "erratum"]
    assert errata, "the registry lists at least the known erratum of Zhang et al. Thm 2(b)"
    for claim in errata:
        with np.load(witness_path(claim.id), allow_pickle=False) as data:
            assert data.files


def test_a_malformed_claim_is_rejected():
    from reports.registry import Claim

    with pytest.raises(ValueError, match="kind"):
        Claim("x.y", "zhang2019", "r", "s", kind="lemma-ish")
    with pytest.raises(ValueError, match="witness"):
        Claim("x.y", "zhang2019", "r", "s", expected="erratum")
