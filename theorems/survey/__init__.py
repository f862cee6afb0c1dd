"""Oracles and tests of the results the survey restates (Du et al. 2019; Ergen & Pilanci 2019)."""
