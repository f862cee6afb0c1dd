"""Kawaguchi, Huang, Kaelbling (2019): effect of depth and width on local minima in deep learning."""
