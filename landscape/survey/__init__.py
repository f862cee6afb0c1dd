"""Numerics of the results the survey "How to convexify your neural network" restates: the limiting Gram matrix
and gradient-descent convergence of wide deep nets (Du et al. 2019, ``du2019``) and the relaxed convex loss of a
single ReLU neuron (Ergen & Pilanci 2019, ``ergen2019``)."""
