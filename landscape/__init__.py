"""Numerics of the claim suite: closed forms, convex duals, non-convex training routes and certificates.

Importable on its own (no pytest, no Hypothesis).  One package for what every family shares and one per paper:

* ``core``        validation (``ValueError`` naming the argument), tolerances with their reasons, the route result
                  with named certificate checks, the L-BFGS driver, the local-minimum certifier, activations and
                  small numpy networks;
* ``zhang2019``   Schatten-regularized deep linear networks and multi-branch networks (Zhang, Shao, Salakhutdinov);
* ``wang2023``    deep linear and ReLU networks, standard and parallel (Wang, Ergen, Pilanci);
* ``pilanci2020`` the two-layer ReLU convex program over hyperplane arrangements (Pilanci & Ergen);
* ``liang2018``   single-layer shortcut and feed-forward models for binary classification (Liang, Sun, Li, Srikant);
* ``kawaguchi2019``, ``survey``: the remaining families, as they land;
* ``rigorous``    exact and interval re-checks of the committed witnesses.

The paper id names the family in every layer (``landscape/``, ``strategies/``, ``theorems/``, ``reports/families/``).
"""
