"""Meta-tests of the suite: strategies, recorder, registry, report, witnesses, bad input."""
