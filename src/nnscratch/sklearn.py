"""scikit-learn estimators over the nnscratch engine: ``NNClassifier`` and ``NNRegressor``.

They follow scikit-learn's conventions to the letter, so they drop into a ``Pipeline``,
``GridSearchCV``, ``cross_val_score`` or ``DecisionBoundaryDisplay`` like any other
estimator, and their parameters are named as in :class:`sklearn.neural_network.MLPClassifier`:

>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from nnscratch.data import moons
>>> from nnscratch.sklearn import NNClassifier
>>> X, y = moons()
>>> clf = make_pipeline(StandardScaler(), NNClassifier((10,), learning_rate_init=0.01,
...                                                   max_iter=300, random_state=0))
>>> clf.fit(X, y).score(X, y) > 0.9
True

What happens in ``fit``
-----------------------
The estimator is a thin facade: it checks the data, turns labels into the indices the
engine wants, builds a :class:`~nnscratch.engine.model.Sequential` of
:class:`~nnscratch.engine.layers.Dense` layers and calls its ``fit``. The trained model is
kept as ``model_``: everything the engine offers (``summary``, ``parameters()``, saving)
works on it.

* hidden layers: ``Dense(units, activation)`` for each entry of ``hidden_layer_sizes``,
  Glorot-uniform kernels, zero biases;
* output (classifier): one sigmoid unit with binary cross-entropy for two classes, a
  softmax layer with categorical cross-entropy for more (as scikit-learn);
* output (regressor): linear units, mean squared error, one per target column.

The L2 penalty ``alpha``
------------------------
scikit-learn adds ``alpha / 2 * ||W||^2 / n_batch`` to the mean loss of every batch
(``n_batch`` the batch's size; biases are not penalised). The engine's regularizer
``l2(k)`` adds ``k * ||W||^2`` to the mean loss (Keras' convention), so the classifier uses

    k = alpha / (2 * batch_size)

which is exactly scikit-learn's objective for every full batch. (When the last batch of an
epoch is shorter, scikit-learn divides by its own size; here the nominal ``batch_size`` is
used for every batch.) The regressor's loss is the mean squared error, twice
scikit-learn's "half squared error", so there ``k = alpha / batch_size``: the objective is
twice scikit-learn's and has the same minimum.

Stopping
--------
As in scikit-learn: after each epoch, if the training loss (or, with
``early_stopping=True``, the validation score) has not improved by at least ``tol`` for
more than ``n_iter_no_change`` epochs, training stops. Reaching ``max_iter`` first raises
a :class:`~sklearn.exceptions.ConvergenceWarning`.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .engine import optimizers as optimizers_module
from .engine.callbacks import Callback
from .engine.layers import Dense
from .engine.model import Sequential, TrainingDiverged
from .engine.regularizers import L1L2

__all__ = ["NNClassifier", "NNRegressor"]

#: scikit-learn's activation names (and the engine's aliases) -> the engine's names
_ACTIVATIONS = {
    "relu": "relu",
    "tanh": "tanh",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "identity": "linear",
    "linear": "linear",
}


class _Monitor(Callback):
    """Applies scikit-learn's stopping rule after every epoch and records the curves.

    It is the engine's callback mechanism doing what ``MLPClassifier._fit_stochastic``
    does inline: count the epochs without an improvement of at least ``tol`` and stop
    once there were more than ``n_iter_no_change`` of them.
    """

    def __init__(self, estimator: _BaseNN, validation: tuple[np.ndarray, Any] | None) -> None:
        super().__init__()
        self.estimator = estimator
        self.validation = validation

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        est = self.estimator
        loss = float((logs or {})["loss"])
        est.n_iter_ += 1
        est.loss_ = loss
        est.loss_curve_.append(loss)
        if self.validation is not None:
            score = est._validation_score(*self.validation)
            est.validation_scores_.append(score)
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_weights = self.model.get_weights()
        else:
            if loss > est.best_loss_ - est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            est.best_loss_ = min(est.best_loss_, loss)
        if est._no_improvement_count > est.n_iter_no_change:
            est._converged = True
            self.model.stop_training = True


class _BaseNN(BaseEstimator):
    """What the classifier and the regressor share: parameters, model building, training."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "optimizer": [
            StrOptions({"adam", "sgd", "rmsprop", "adagrad"}),
            optimizers_module.Optimizer,
        ],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Options(numbers.Real, {np.inf}),
        ],
        "dtype": [StrOptions({"float64", "float32"})],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        optimizer: str | optimizers_module.Optimizer = "adam",
        alpha: float = 0.0001,
        batch_size: int | str | None = "auto",
        learning_rate_init: float = 0.001,
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
        dtype: str = "float64",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
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
        self.dtype = dtype

    # -- what the subclasses define ------------------------------------------------------
    def _prepare_targets(self, y: Any, first_pass: bool, classes: Any = None) -> np.ndarray:
        """Check ``y`` and return the engine's targets ``(n, n_outputs)``."""
        raise NotImplementedError

    def _output_config(self) -> tuple[int, str, str]:
        """(output units, output activation, loss name) for the engine."""
        raise NotImplementedError

    def _validation_score(self, X: np.ndarray, targets: np.ndarray) -> float:
        raise NotImplementedError

    def _penalty_scale(self) -> float:
        """``k = alpha * scale / batch_size`` maps scikit-learn's alpha onto ``l2(k)``."""
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        sizes = list(sizes)
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s <= 0:
                raise ValueError(
                    f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}"
                )
        return [int(s) for s in sizes]

    def _make_optimizer(self) -> optimizers_module.Optimizer:
        if isinstance(self.optimizer, optimizers_module.Optimizer):
            # A copy: fitting must not change the estimator's parameters.
            return copy.deepcopy(self.optimizer)
        if self.optimizer == "sgd":
            return optimizers_module.SGD(
                learning_rate=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum and self.momentum > 0,
            )
        if self.optimizer == "adam":
            return optimizers_module.Adam(
                learning_rate=self.learning_rate_init,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        # "rmsprop", "adagrad": the engine's defaults, at learning_rate_init.
        return optimizers_module.get(self.optimizer, learning_rate=self.learning_rate_init)

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size is None:
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                f"samples; using {n_samples} (full batch)",
                UserWarning,
                stacklevel=4,
            )
            return n_samples
        return int(self.batch_size)

    def _build(self, n_features: int, rng: np.random.RandomState) -> None:
        units, out_activation, loss = self._output_config()
        hidden_activation = _ACTIVATIONS[self.activation]
        layers = [Dense(h, activation=hidden_activation) for h in self._hidden_sizes()]
        layers.append(Dense(units, activation=out_activation))
        model = Sequential(layers, seed=rng, dtype=self.dtype)
        model.build(n_features)
        model.compile(optimizer=self._make_optimizer(), loss=loss)
        self.model_ = model
        self.n_outputs_ = units
        self.n_layers_ = len(layers) + 1
        self.out_activation_ = {"sigmoid": "logistic", "linear": "identity"}.get(
            out_activation, out_activation
        )
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _set_penalty(self, batch_size: int) -> None:
        k = self.alpha * self._penalty_scale() / batch_size
        reg = L1L2(l2=k) if k > 0 else None
        for layer in self.model_.layers:
            layer.set_regularizer("kernel", reg)

    # -- training ----------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, incremental: bool, classes: Any = None) -> _BaseNN:
        self._hidden_sizes()  # a clear error before any work
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = validate_data(
            self,
            X,
            y,
            reset=first_pass,
            dtype=(np.float64, np.float32),
            multi_output=isinstance(self, RegressorMixin),
            y_numeric=isinstance(self, RegressorMixin),
        )
        targets = self._prepare_targets(y, first_pass, classes)
        rng = check_random_state(self.random_state)
        if first_pass:
            self._build(X.shape[1], rng)
        elif not incremental:
            # warm_start: keep the weights, start a fresh optimizer (as scikit-learn).
            self.model_.compile(optimizer=self._make_optimizer(), loss=self.model_.loss)
            self._no_improvement_count = 0

        validation = None
        X_train, t_train = X, targets
        if self.early_stopping:
            stratify = targets.argmax(axis=1) if self._stratify() else None
            X_train, X_val, t_train, t_val = train_test_split(
                X, targets, test_size=self.validation_fraction, random_state=rng, stratify=stratify
            )
            if X_val.shape[0] < 2:
                raise ValueError(
                    f"the validation set is too small ({X_val.shape[0]} sample(s)); increase "
                    f"validation_fraction (now {self.validation_fraction}) or the data"
                )
            validation = (X_val, t_val)

        batch_size = self._batch_size(X_train.shape[0])
        self._set_penalty(batch_size)
        self.n_iter_ = 0
        self._converged = False
        self._best_weights: list[np.ndarray] | None = None
        monitor = _Monitor(self, validation)
        try:
            self.model_.fit(
                X_train,
                t_train,
                epochs=1 if incremental else self.max_iter,
                batch_size=batch_size,
                shuffle=self.shuffle,
                callbacks=[monitor],
                verbose=2 if self.verbose else 0,
            )
        except TrainingDiverged as exc:
            raise ValueError(
                f"training diverged: {exc} (scale the inputs, e.g. with StandardScaler, or "
                f"lower learning_rate_init)"
            ) from exc
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=3)
        if self.early_stopping and self._best_weights is not None:
            self.model_.set_weights(self._best_weights)
        if not incremental and not self._converged and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _stratify(self) -> bool:
        return False

    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.model_.predict(X)

    # -- learned weights in scikit-learn's layout ----------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Kernels of the layers, ``coefs_[i]`` of shape ``(fan_in, fan_out)``."""
        check_is_fitted(self)
        return [layer.params["kernel"] for layer in self.model_.layers]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Biases of the layers, ``intercepts_[i]`` of shape ``(fan_out,)``."""
        check_is_fitted(self)
        return [layer.params["bias"] for layer in self.model_.layers]


_COMMON_PARAMETERS = """
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer: ``(3,)`` is the WildML tutorial's network.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden activation (``"sigmoid"`` and ``"linear"`` are accepted too).
    optimizer : {"adam", "sgd", "rmsprop", "adagrad"} or Optimizer, default="adam"
        ``"sgd"`` uses ``learning_rate_init``, ``momentum`` and ``nesterovs_momentum``;
        ``"adam"`` uses ``learning_rate_init``, ``beta_1``, ``beta_2``, ``epsilon``;
        ``"rmsprop"`` and ``"adagrad"`` use ``learning_rate_init`` and the engine's
        defaults. An engine optimizer object is copied and used as it is.
    alpha : float, default=0.0001
        L2 strength, with scikit-learn's meaning (see the module docstring for how it maps
        onto the engine's ``l2``).
    batch_size : int, "auto" or None, default="auto"
        ``"auto"`` is ``min(200, n_samples)``; ``None`` is full-batch gradient descent.
    learning_rate_init : float, default=0.001
    max_iter : int, default=200
        Epochs (passes over the data).
    shuffle : bool, default=True
        Reshuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the early-stopping split.
    tol : float, default=1e-4
    verbose : bool, default=False
        One line per epoch.
    warm_start : bool, default=False
        ``fit`` continues from the current weights instead of starting anew.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score stops
        improving; the best weights are restored.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's settings.
    n_iter_no_change : int, default=10
    dtype : {"float64", "float32"}, default="float64"
        Floating-point type of the weights and the computation.
"""

_COMMON_ATTRIBUTES = """
    model_ : nnscratch.Sequential
        The trained engine model.
    loss_ : float
        Loss of the last epoch (with the penalty).
    loss_curve_ : list of float
        Loss of every epoch.
    best_loss_ : float or None
        Lowest training loss (``None`` with early stopping).
    validation_scores_ : list of float or None
        Score on the held-out data after every epoch (early stopping only).
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run by the last call to ``fit`` (1 for ``partial_fit``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names (a DataFrame).
    n_outputs_ : int
        Output units.
    n_layers_ : int
        Layers, counting the input layer (as scikit-learn).
    out_activation_ : str
    coefs_, intercepts_ : list of ndarray
        The weights, layer by layer.
"""


class NNClassifier(ClassifierMixin, _BaseNN):
    __doc__ = f"""Neural-network classifier: scikit-learn's interface over the nnscratch engine.

    Labels may be of any type (ints, strings, ...); they are kept in ``classes_``.

    Parameters
    ----------{_COMMON_PARAMETERS}
    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted.{_COMMON_ATTRIBUTES}
    Examples
    --------
    The WildML tutorial's network (3 tanh units) by full-batch gradient descent:

    >>> from nnscratch.data import moons
    >>> from nnscratch.sklearn import NNClassifier
    >>> X, y = moons()
    >>> clf = NNClassifier((3,), "tanh", optimizer="sgd", momentum=0, batch_size=None,
    ...                    learning_rate_init=0.5, max_iter=2000, tol=0, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> NNClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NNClassifier:
        """One epoch over ``(X, y)``, continuing from the current weights.

        ``classes`` (all the labels that will ever be seen) is required on the first call.
        """
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first = _check_partial_fit_first_call(self, classes)
        if first and hasattr(self, "model_"):
            del self.model_
        return self._fit(X, y, incremental=True, classes=classes)

    def _prepare_targets(self, y: Any, first_pass: bool, classes: Any = None) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if classes is not None or (not first_pass and hasattr(self, "classes_")):
            # partial_fit, or warm_start: the labels must be among the known classes.
            if first_pass and classes is None:
                self.classes_ = unique_labels(y)
            unknown = np.setdiff1d(unique_labels(y), self.classes_)
            if unknown.size:
                raise ValueError(
                    f"y has labels {unknown.tolist()[:5]} that are not in classes_ "
                    f"{self.classes_.tolist()}"
                )
        elif first_pass:
            self.classes_ = unique_labels(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; y has only one "
                f"class: {self.classes_.tolist()}"
            )
        index = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            return index.astype(np.float64).reshape(-1, 1)
        return np.eye(len(self.classes_))[index]

    def _output_config(self) -> tuple[int, str, str]:
        if len(self.classes_) == 2:
            return 1, "sigmoid", "binary_crossentropy"
        return len(self.classes_), "softmax", "categorical_crossentropy"

    def _penalty_scale(self) -> float:
        return 0.5

    def _stratify(self) -> bool:
        return True

    def _validation_score(self, X: np.ndarray, targets: np.ndarray) -> float:
        out = self.model_.predict(X)
        if out.shape[1] == 1:
            return float(accuracy_score(targets[:, 0] > 0.5, out[:, 0] > 0.5))
        return float(accuracy_score(targets.argmax(axis=1), out.argmax(axis=1)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in ``classes_`` order."""
        out = self._forward(X)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample, as labels from ``classes_``."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class NNRegressor(RegressorMixin, _BaseNN):
    __doc__ = f"""Neural-network regressor: linear outputs trained on the mean squared error.

    ``y`` may be ``(n_samples,)`` or ``(n_samples, n_targets)`` (one output unit per
    target).

    Parameters
    ----------{_COMMON_PARAMETERS}
    Attributes
    ----------{_COMMON_ATTRIBUTES}
    Examples
    --------
    >>> import numpy as np
    >>> from nnscratch.sklearn import NNRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> reg = NNRegressor((20,), "tanh", learning_rate_init=0.01, max_iter=500,
    ...                   n_iter_no_change=100, random_state=0).fit(X, X[:, 0] ** 2)
    >>> reg.score(X, X[:, 0] ** 2) > 0.9
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> NNRegressor:
        """Train on ``X`` (n_samples, n_features) and targets ``y``.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: Any, y: Any) -> NNRegressor:
        """One epoch over ``(X, y)``, continuing from the current weights."""
        return self._fit(X, y, incremental=True)

    def _prepare_targets(self, y: Any, first_pass: bool, classes: Any = None) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._y_ndim = y.ndim if first_pass else self._y_ndim
        targets = y.reshape(y.shape[0], -1)
        if not first_pass and targets.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {targets.shape[1]} target column(s) but the model was fitted with "
                f"{self.n_outputs_}"
            )
        self._n_targets = targets.shape[1]
        return targets

    def _output_config(self) -> tuple[int, str, str]:
        return self._n_targets, "linear", "mean_squared_error"

    def _penalty_scale(self) -> float:
        return 1.0

    def _validation_score(self, X: np.ndarray, targets: np.ndarray) -> float:
        return float(r2_score(targets, self.model_.predict(X)))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: ``(n_samples,)`` for one target, else ``(n_samples, n_targets)``."""
        out = self._forward(X)
        return out[:, 0] if self._y_ndim == 1 else out
