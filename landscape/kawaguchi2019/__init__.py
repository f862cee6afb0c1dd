"""Numerics of Kawaguchi, Huang, Kaelbling (2019), "Effect of depth and width on local minima in deep learning":
bias-free fully connected networks with per-unit piecewise-linear activations, their tangent features (the
Jacobian of the outputs), the value J(theta) of the best linear fit on them, and the bounds around it."""
