"""The estimators' parameters: their constraints (checked by scikit-learn at ``fit``) and
their documentation, shared by ``NNClassifier`` and ``NNRegressor``.

The names, defaults and accepted values are ``MLPClassifier``'s; three extensions are
marked as such: ``optimizer`` (any engine optimizer), ``batch_size=None`` (one full batch)
and ``dtype``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ..engine import optimizers as optimizers_module

__all__ = ["ACTIVATIONS", "ATTRIBUTES_DOC", "CONSTRAINTS", "PARAMETERS_DOC", "STOCHASTIC"]

#: scikit-learn's activation names (and the engine's aliases) -> the engine's names
ACTIVATIONS = {
    "relu": "relu",
    "tanh": "tanh",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "identity": "linear",
    "linear": "linear",
}

STOCHASTIC = ("sgd", "adam")

CONSTRAINTS: dict[str, list] = {
    "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
    "alpha": [Interval(numbers.Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left"), None],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "power_t": [Interval(numbers.Real, 0, None, closed="left")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
    "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
    "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
    "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(numbers.Integral, 1, None, closed="left"),
        Options(numbers.Real, {np.inf}),
    ],
    "max_fun": [Interval(numbers.Integral, 1, None, closed="left")],
    "optimizer": [
        StrOptions({"adam", "sgd", "rmsprop", "adagrad"}),
        optimizers_module.Optimizer,
        None,
    ],
    "dtype": [StrOptions({"float64", "float32"}), None],
}

PARAMETERS_DOC = """
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer: ``(3,)`` is the WildML tutorial's network.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden activation (``"sigmoid"`` and ``"linear"`` are accepted too).
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"sgd"`` and ``"adam"`` train by mini-batches on the engine; ``"lbfgs"`` hands
        the engine's full-batch loss and gradient to ``scipy.optimize.minimize``
        (L-BFGS-B), often the best choice for small data sets.
    alpha : float, default=0.0001
        L2 strength: ``alpha / 2 * ||W||^2 / n`` joins the loss of each batch of ``n``
        rows (biases are not penalised).
    batch_size : int, "auto" or None, default="auto"
        Rows per step of the stochastic solvers; ``"auto"`` is ``min(200, n_samples)``.
        ``None`` (an nnscratch extension) is one full batch per epoch.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        For ``solver="sgd"``: ``"invscaling"`` uses ``learning_rate_init / (t + 1) **
        power_t`` after each epoch (``t`` the samples seen); ``"adaptive"`` divides the
        rate by 5 whenever the stopping rule would stop, until it is below 1e-6.
    learning_rate_init : float, default=0.001
        Step size of ``"sgd"`` and ``"adam"``.
    power_t : float, default=0.5
        Exponent of ``"invscaling"``.
    max_iter : int, default=200
        Epochs for the stochastic solvers; iterations for lbfgs.
    shuffle : bool, default=True
        Reshuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the early-stopping split and the shuffling, drawn in
        scikit-learn's order: with the same value the initial weights are
        ``MLPClassifier``'s.
    tol : float, default=1e-4
        Least improvement of the loss (or validation score) that counts; for lbfgs, the
        gradient tolerance ``gtol``.
    verbose : bool, default=False
        Print ``Iteration k, loss = ...`` after each epoch (lbfgs: iteration).
    warm_start : bool, default=False
        ``fit`` continues from the current weights (``y`` must have the same classes).
    momentum : float, default=0.9
        Momentum of ``"sgd"``, in ``[0, 1)``.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for ``"sgd"``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for binary
        classification, as scikit-learn does) and stop when its score stops improving;
        the best weights are restored.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's settings.
    n_iter_no_change : int or np.inf, default=10
        Epochs without an improvement of ``tol`` before stopping.
    max_fun : int, default=15000
        lbfgs: most loss evaluations.
    optimizer : {"adam", "sgd", "rmsprop", "adagrad"}, Optimizer or None, default=None
        An nnscratch extension: overrides ``solver`` with an engine optimizer. A name is
        built from ``learning_rate_init`` (and ``momentum``/``nesterovs_momentum`` for
        ``"sgd"``, ``beta_1``/``beta_2``/``epsilon`` for ``"adam"``, the engine's
        defaults otherwise); an object is copied and used as it is.
    dtype : {"float64", "float32"} or None, default=None
        An nnscratch extension: the floating-point type of the weights. ``None`` follows
        ``X``, as scikit-learn does: float32 data trains in float32, any other in float64.
"""

ATTRIBUTES_DOC = """
    model_ : nnscratch.engine.model.Sequential
        The trained engine model.
    coefs_, intercepts_ : list of ndarray
        The weights, layer by layer: ``coefs_[i]`` is ``(fan_in, fan_out)``. They are the
        engine's arrays themselves; assigning new ones is allowed.
    loss_ : float
        Loss of the last epoch (lbfgs: at the solution), penalty included.
    loss_curve_ : list of float
        Loss of every epoch (lbfgs: of every iteration, an nnscratch extension).
    best_loss_ : float or None
        Lowest training loss (``None`` with early stopping; stochastic solvers).
    validation_scores_ : list of float or None
        Score on the held-out data after every epoch (early stopping only).
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs (lbfgs: iterations) run by the last call to ``fit``; 1 after
        ``partial_fit``.
    t_ : int
        Training samples seen by the stochastic solvers, over all calls.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names (a DataFrame).
    n_outputs_ : int
        Output units.
    n_layers_ : int
        Layers, counting the input layer (as scikit-learn).
    out_activation_ : str
        ``"softmax"``, ``"logistic"``, ``"identity"`` or ``"exp"``.
"""
