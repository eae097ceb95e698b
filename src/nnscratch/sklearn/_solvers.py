"""The solvers: scikit-learn's epoch loop around the engine's batches, and lbfgs.

Stochastic solvers ("sgd", "adam")
----------------------------------
Each epoch follows ``MLPClassifier._fit_stochastic``: reshuffle the sample order with
``random_state`` (the same draws as scikit-learn's ``shuffle``), let the engine run the
epoch's mini-batches in that order (``model_.fit(..., epochs=1, shuffle=False)``: the one
training path, :func:`nnscratch.engine.training.compute_gradients`), then record the
loss, apply the stopping rule and the learning-rate schedule::

    no_improvement = no_improvement + 1  if loss > best_loss - tol  else 0
    stop (or, "adaptive": learning rate / 5) when no_improvement > n_iter_no_change

With ``early_stopping`` the rule watches the validation score instead, and the weights of
the best score are restored at the end. Before each batch a callback sets the penalty's
``n`` to that batch's size (or total sample weight), as scikit-learn divides by it.

A loss that becomes NaN or infinite ends the training at once: the engine puts back its
last finite weights, the loss (and a NaN validation score) is recorded, and then, as in
scikit-learn, ``fit`` raises ``ValueError("Solver produced non-finite parameter
weights...")``, unless early stopping has best weights to restore (a warning then).

lbfgs
-----
``scipy.optimize.minimize(method="L-BFGS-B")`` on one flat vector of the weights, with
:meth:`_loss_grad_lbfgs` (scikit-learn's name and arguments) returning the engine's loss
and gradient on the whole data set, ``maxiter=max_iter``, ``maxfun=max_fun`` and
``gtol=tol``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.optimize import _check_optimize_result

from ..engine import optimizers as optimizers_module
from ..engine.callbacks import Callback
from ..engine.training import TrainingDiverged, compute_gradients
from ._network import pack, unpack
from ._warnings import relay, warn

__all__ = ["NON_FINITE", "Solvers"]

NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)


class _BatchLog(Callback):
    """Sets the penalty's ``n`` before each batch and keeps the last batch loss."""

    def __init__(self, penalty: Any, denominators: np.ndarray) -> None:
        super().__init__()
        self.penalty, self.denominators = penalty, denominators
        self.last_loss = math.nan

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.penalty is not None:
            self.penalty.set_denominator(self.denominators[batch])

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.last_loss = float((logs or {}).get("loss", math.nan))


def batch_denominators(n: int, batch_size: int, weights: np.ndarray | None) -> np.ndarray:
    """What scikit-learn divides each batch's loss and penalty by: its rows, or its total
    weight (its rows again where that total is 0, so that the penalty stays finite)."""
    starts = np.arange(0, n, batch_size)
    rows = np.minimum(starts + batch_size, n) - starts
    if weights is None:
        return rows
    totals = np.add.reduceat(weights, starts)
    return np.where(totals > 0, totals, rows)


class Solvers:
    """The training loops of :class:`~nnscratch.sklearn._base.BaseNN` (a mixin)."""

    # -- the optimizer and its schedule ----------------------------------------------------
    def _make_optimizer(self) -> optimizers_module.Optimizer:
        if isinstance(self.optimizer, optimizers_module.Optimizer):
            return copy.deepcopy(self.optimizer)  # fitting must not change the parameter
        name = self.optimizer or self.solver
        if name == "sgd":
            return optimizers_module.SGD(
                self.learning_rate_init, momentum=self.momentum, nesterov=self.nesterovs_momentum
            )
        if name == "adam":
            return optimizers_module.Adam(
                self.learning_rate_init,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        return optimizers_module.get(name, learning_rate=self.learning_rate_init)

    def _scheduled(self) -> bool:
        """True when ``learning_rate`` applies: an SGD built from the parameters."""
        return (self.optimizer or self.solver) == "sgd" and self.learning_rate != "constant"

    def _iteration_ends(self) -> None:
        if self._scheduled() and self.learning_rate == "invscaling":
            self._optimizer.learning_rate = self.learning_rate_init / (self.t_ + 1) ** self.power_t

    def _trigger_stopping(self, message: str) -> bool:
        """scikit-learn's rule at a plateau: stop, or with "adaptive" divide the rate by 5."""
        if not (self._scheduled() and self.learning_rate == "adaptive"):
            self._say(message + " Stopping.")
            return True
        if self._optimizer.learning_rate <= 1e-6:
            self._say(message + " Learning rate too small. Stopping.")
            return True
        self._optimizer.learning_rate = self._optimizer.learning_rate / 5.0
        self._say(f"{message} Setting learning rate to {self._optimizer.learning_rate:f}")
        return False

    def _say(self, line: str) -> None:
        if self.verbose:
            print(line)

    # -- sgd and adam ----------------------------------------------------------------------
    def _batch_size(self, n: int) -> int:
        if self.batch_size is None:
            return n
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size > n:
            warn(
                f"Got `batch_size` less than 1 or larger than sample size. It is going to be "
                f"clipped: batch_size={self.batch_size}, {n} training samples",
                UserWarning,
            )
        return int(np.clip(self.batch_size, 1, n))

    def _fit_stochastic(
        self,
        X: np.ndarray,
        T: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        incremental: bool,
    ) -> None:
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        self.model_.compile(optimizer=self._optimizer, loss=self.model_.loss)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        self._stochastic_state()
        rng = self._random_state
        validation = None
        X_train, T_train, w_train = X, T, sample_weight
        if self.early_stopping:
            parts = [X, T] if sample_weight is None else [X, T, sample_weight]
            split = train_test_split(
                *parts,
                np.arange(len(X)),
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=self._stratify(Y),
            )
            X_train, X_val, T_train = split[0], split[1], split[2]
            w_train, w_val = (split[4], split[5]) if sample_weight is not None else (None, None)
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            validation = (X_val, self._decode_targets(Y[split[-1]]), w_val)

        n = X_train.shape[0]
        batch_size = self._batch_size(n)
        order = np.arange(n)
        self.n_iter_ = 0
        diverged = None
        try:
            for _ in range(self.max_iter):
                if self.shuffle:
                    order = order[rng.permutation(n)]  # scikit-learn's utils.shuffle
                # loss_, loss_curve_ and best_loss_ hold NumPy floats, as scikit-learn's do
                loss = np.float64(self._epoch(X_train, T_train, w_train, order, batch_size))
                self.n_iter_ += 1
                self.loss_ = loss
                self.t_ += n
                self.loss_curve_.append(loss)
                self._say(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                if not math.isfinite(loss):
                    diverged = loss
                    if validation is not None:
                        self.validation_scores_.append(float("nan"))
                    break
                self._update_no_improvement_count(validation)
                self._iteration_ends()
                if self._no_improvement_count > self.n_iter_no_change:
                    watched = "Validation score" if validation is not None else "Training loss"
                    message = (
                        f"{watched} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if self._trigger_stopping(message):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        f"and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            warn("Training interrupted by user.", UserWarning)
        if self.early_stopping:
            self.model_.set_weights(self._best_weights)
        if diverged is None:
            return
        detail = (
            f"the training loss became {diverged} in iteration {self.n_iter_}; scale the "
            f"inputs (e.g. with StandardScaler) or lower learning_rate_init (now "
            f"{self.learning_rate_init:g})"
        )
        if not self.early_stopping:
            raise ValueError(f"{NON_FINITE} Training diverged: {detail}.")
        warn(
            f"Training diverged: {detail}. The weights of the best validation score are kept.",
            ConvergenceWarning,
        )

    def _stochastic_state(self) -> None:
        """The records of the stochastic solvers, made on their first use."""
        if not hasattr(self, "t_"):
            self.t_ = 0
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        if not hasattr(self, "_no_improvement_count"):
            self._no_improvement_count = 0
        if self.early_stopping and getattr(self, "validation_scores_", None) is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        elif not self.early_stopping and getattr(self, "best_loss_", None) is None:
            self.validation_scores_ = self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _epoch(
        self,
        X: np.ndarray,
        T: np.ndarray,
        weights: np.ndarray | None,
        order: np.ndarray,
        batch_size: int,
    ) -> float:
        """One pass of the engine over the rows in ``order``; the epoch's mean loss."""
        if self.shuffle:
            X, T = X[order], T[order]
            weights = None if weights is None else weights[order]
        log = _BatchLog(self._penalty, batch_denominators(len(X), batch_size, weights))
        fit_args = self._engine_weights(weights, batch_size)
        try:
            history = self.model_.fit(
                X, T, batch_size=batch_size, epochs=1, shuffle=False, callbacks=[log], **fit_args
            )
        except TrainingDiverged:
            return log.last_loss if not math.isfinite(log.last_loss) else math.nan
        return float(history.history["loss"][0])

    def _engine_weights(self, weights: np.ndarray | None, batch_size: int) -> dict[str, Any]:
        """The engine's ``sample_weight`` for scikit-learn's weighted batches.

        scikit-learn divides a batch's weighted loss by the batch's total weight, the
        engine (Keras) by its number of rows: each weight is scaled by ``rows / total``
        of its batch, which makes the two the same.
        """
        if weights is None:
            return {}
        scaled = np.empty_like(weights)
        for start in range(0, len(weights), batch_size):
            part = weights[start : start + batch_size]
            total = part.sum()
            scaled[start : start + batch_size] = part * (len(part) / total) if total else 0.0
        return {"sample_weight": scaled}

    def _update_no_improvement_count(self, validation: tuple | None) -> None:
        if validation is not None:
            score = self._score(*validation)
            self.validation_scores_.append(score)
            self._say(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = self.model_.get_weights()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _score(self, X: np.ndarray, y: Any, sample_weight: np.ndarray | None = None) -> float:
        """The validation score of already checked ``X``; NaN for non-finite outputs."""
        out = self.model_.predict(X)
        if not np.isfinite(out).all():
            return float("nan")
        return float(self._score_function(y, self._decode_outputs(out), sample_weight))

    # -- lbfgs -----------------------------------------------------------------------------
    def _fit_lbfgs(self, X: np.ndarray, T: np.ndarray, sample_weight: np.ndarray | None) -> None:
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        iteration = [0]

        def record(intermediate_result: scipy.optimize.OptimizeResult) -> None:
            iteration[0] += 1
            self.loss_curve_.append(np.float64(intermediate_result.fun))
            self._say(f"Iteration {iteration[0]}, loss = {intermediate_result.fun:.8f}")

        result = scipy.optimize.minimize(
            self._loss_grad_lbfgs,
            pack(self.coefs_, self.intercepts_),
            method="L-BFGS-B",
            jac=True,
            args=(X, T, sample_weight),
            callback=record,
            options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
        )
        self.n_iter_ = relay(_check_optimize_result, "lbfgs", result, self.max_iter)
        self.loss_ = np.float64(result.fun)  # NumPy floats, as scikit-learn's
        unpack(result.x, self.coefs_, self.intercepts_)

    def _loss_grad_lbfgs(
        self,
        packed_coef_inter: np.ndarray,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        *_buffers: Any,
    ) -> tuple[float, np.ndarray]:
        """The loss and its gradient on all of ``(X, y)`` at the weights ``packed``.

        scikit-learn's name and arguments (its work buffers are accepted and not needed):
        the weights are copied into the engine, which computes both in its one training
        step, and the gradient comes back packed like the weights.
        """
        unpack(packed_coef_inter, self.coefs_, self.intercepts_)
        model = self.model_
        x = np.asarray(X, dtype=model.dtype)
        targets = np.asarray(y, dtype=model.dtype).reshape(len(x), -1)
        if self._penalty is not None:
            total = len(x) if sample_weight is None else float(np.sum(sample_weight))
            self._penalty.set_denominator(total)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, _, grads = self._gradients(model, x, targets, sample_weight)
        count = len(model.layers)
        kernels = [grads[f"{i}.kernel"] for i in range(count)]
        biases = [grads[f"{i}.bias"] for i in range(count)]
        return float(loss), pack(kernels, biases)

    def _gradients(
        self, model: Any, x: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
        if sample_weight is None:
            return compute_gradients(model, x, targets)
        weights = np.asarray(sample_weight, dtype=model.dtype)
        return compute_gradients(model, x, targets, weights * (len(weights) / weights.sum()))
