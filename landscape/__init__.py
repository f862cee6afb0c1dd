"""Numerics of the claim suite: closed forms, convex duals, non-convex training routes and certificates.

Importable on its own (no pytest, no Hypothesis).  One module per concept:

* ``validate``    input checks that raise ``ValueError`` naming the offending argument;
* ``tolerances``  the table of tolerances, each with the reason for its size;
* ``results``     the result type every solver route returns (value, status, ok);
* ``linalg``      Schatten norms, projectors onto row spaces, ranks with explicit thresholds;
* ``deep_linear`` Schatten-H regularized deep linear networks (Zhang et al. 2019, Thm 2 and eq. 6);
* ``multibranch`` multi-branch networks with the tau-hinge loss (Zhang et al. 2019, Thm 1): exact MILP/LP/
                  breakpoint routes, Delta and rho, the certified bracket;
* ``hinge_gap``   exact primal/dual values by enumeration (hinge active or coupled budgets), a second Delta route;
* ``activations`` the activation catalogue; ``networks`` small MLP branches in numpy;
* ``certify``     local-minimum certificates (gradient, Hessian spectrum by Lanczos or dense, perturbations).
"""
