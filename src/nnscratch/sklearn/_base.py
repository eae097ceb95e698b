"""What ``NNClassifier`` and ``NNRegressor`` share: parameters, ``fit``, the network.

``fit`` follows ``BaseMultilayerPerceptron._fit`` step by step: check the data, decide
whether this is a first pass (new weights) or a continuation (``warm_start``,
``partial_fit``), draw scikit-learn's initial weights, then run the solver
(:mod:`~nnscratch.sklearn._solvers`) and refuse non-finite weights at the end.
"""

from __future__ import annotations

import numbers
from itertools import chain
from typing import Any, ClassVar, TypeVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..engine import optimizers as optimizers_module
from ..engine.activations import Activation
from ..engine.checks import one_of
from ..engine.losses import Loss
from ._losses import BatchPenalty
from ._network import (
    attach,
    build_network,
    dense,
    predict_in_chunks,
    relink,
    set_hidden_activation,
    views,
)
from ._params import ACTIVATIONS, CONSTRAINTS, STOCHASTIC
from ._solvers import NON_FINITE, Solvers

__all__ = ["BaseNN"]


#: ``fit`` returns the estimator it was called on (an NNClassifier or an NNRegressor)
_Estimator = TypeVar("_Estimator", bound="BaseNN")


class BaseNN(Solvers, BaseEstimator):
    """Parameters, ``fit`` and prediction; the subclasses say what the outputs mean."""

    _parameter_constraints: ClassVar[dict] = CONSTRAINTS
    _penalty: BatchPenalty | None = None

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str | None = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        optimizer: str | optimizers_module.Optimizer | None = None,
        dtype: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.optimizer = optimizer
        self.dtype = dtype

    # -- what the subclasses define --------------------------------------------------------
    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple:
        """Check ``X`` and ``y``; return ``X`` and the targets ``(n, n_outputs)``."""
        raise NotImplementedError

    def _output(self) -> tuple[str | Activation, Loss]:
        """The engine's output activation and loss for ``out_activation_``."""
        raise NotImplementedError

    def _stratify(self, Y: np.ndarray) -> np.ndarray | None:
        """Labels to stratify the early-stopping split by (``None``: no stratification)."""
        return None

    # -- checks ----------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be integers, got {self.hidden_layer_sizes!r}"
            )
        if any(s <= 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {sizes}: every hidden layer needs at "
                f"least one unit"
            )
        return [int(s) for s in sizes]

    def _check_solver(self) -> bool:
        if self.solver not in STOCHASTIC:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is "
                f"not stochastic."
            )
        return True

    # -- fitting ---------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self: _Estimator, X: Any, y: Any, sample_weight: Any = None) -> _Estimator:
        """Train on ``X`` (n_samples, n_features), dense or sparse, and ``y``: class labels
        for :class:`~nnscratch.sklearn.NNClassifier`, targets for
        :class:`~nnscratch.sklearn.NNRegressor`.

        ``sample_weight`` weighs each sample's loss: a batch's loss is
        ``sum(w_i * loss_i) / sum(w_i)`` and its penalty is divided by ``sum(w_i)`` too,
        so a weight of 2 counts a sample twice (scikit-learn's meaning).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _fit(self, X: Any, y: Any, sample_weight: Any = None, incremental: bool = False) -> BaseNN:
        hidden_sizes = self._hidden_sizes()
        if self.optimizer is not None and self.solver not in STOCHASTIC:
            raise ValueError(
                f"optimizer={self.optimizer!r} sets the optimizer of the stochastic solvers; "
                f"with solver={self.solver!r} leave optimizer=None"
            )
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        X = dense(X)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            dtype = np.dtype(self.dtype or X.dtype)
            self._initialize(Y, [X.shape[1], *hidden_sizes, Y.shape[1]], dtype)
        else:
            self._attach()
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {Y.shape[1]} output column(s) but the network was fitted with "
                    f"{self.n_outputs_}; fit a new estimator (warm_start=False) for other outputs"
                )
        X = np.ascontiguousarray(X, dtype=self.model_.dtype)
        T = np.ascontiguousarray(Y, dtype=self.model_.dtype)
        self._set_penalty()
        if self.solver in STOCHASTIC:
            self._fit_stochastic(X, T, Y, sample_weight, incremental)
        else:
            self._fit_lbfgs(X, T, sample_weight)
        if not all(np.isfinite(w).all() for w in chain(self.coefs_, self.intercepts_)):
            raise ValueError(NON_FINITE)
        return self

    def _initialize(self, Y: np.ndarray, layer_units: list[int], dtype: np.dtype) -> None:
        """A first pass: new weights (scikit-learn's draws) and fresh records."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._out_activation_name()
        output, loss = self._output()
        hidden = ACTIVATIONS[self.activation]
        model = build_network(
            layer_units, hidden, output, hidden == "sigmoid", self._random_state, dtype
        )
        model.compile(loss=loss)
        self.model_ = model
        self.coefs_, self.intercepts_ = views(model)
        self._best_weights = model.get_weights()
        for name in ("_optimizer", "loss_curve_", "_no_improvement_count", "best_loss_"):
            self.__dict__.pop(name, None)
        self.__dict__.pop("validation_scores_", None)
        if self.solver in STOCHASTIC:
            self._stochastic_state()
        else:
            self.loss_curve_ = []

    def _out_activation_name(self) -> str:
        raise NotImplementedError

    def _attach(self) -> None:
        """Bring weights assigned to ``coefs_`` / ``intercepts_``, and the current
        ``activation``, into the engine."""
        output, loss = self._output()
        # checked by fit, not by set_params
        hidden = ACTIVATIONS[one_of("activation", self.activation, sorted(ACTIVATIONS))]
        attach(self, hidden, output, loss)
        set_hidden_activation(self.model_, hidden)

    def _set_penalty(self) -> None:
        """scikit-learn's L2 penalty on every kernel (the batch size is set per batch)."""
        self._penalty = BatchPenalty(self.alpha) if self.alpha > 0 else None
        for layer in self.model_.layers:
            layer.set_regularizer("kernel", self._penalty)

    # -- predicting ------------------------------------------------------------------------
    def _forward(self, X: Any) -> np.ndarray:
        """The network's outputs for new ``X`` (checked; sparse rows densified in chunks)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False, dtype=_FLOATS)
        self._attach()
        return predict_in_chunks(self.model_, X)

    def __getstate__(self) -> dict[str, Any]:
        # coefs_ / intercepts_ are the model's arrays: stored once, with the model.
        if "model_" in self.__dict__ and "coefs_" in self.__dict__:
            self._attach()  # weights assigned by hand go into the model first
        state = dict(super().__getstate__())  # a copy: it may be self.__dict__ itself
        if "model_" in state:
            state.pop("coefs_", None)
            state.pop("intercepts_", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "model_" in state:
            relink(self.model_)
            self.coefs_, self.intercepts_ = views(self.model_)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_FLOATS = (np.float64, np.float32)
