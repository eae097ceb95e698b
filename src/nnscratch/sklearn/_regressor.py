"""``NNRegressor``: scikit-learn's ``MLPRegressor`` on the nnscratch engine."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from ..engine.activations import Activation
from ..engine.losses import Loss
from ._base import _FLOATS, BaseNN
from ._losses import Exp, HalfPoissonDeviance, HalfSquaredError
from ._params import ATTRIBUTES_DOC, CONSTRAINTS, PARAMETERS_DOC
from ._warnings import relay

__all__ = ["NNRegressor"]


def _signature_with_loss(init: Any) -> inspect.Signature:
    """``BaseNN.__init__``'s signature with the keyword-only ``loss`` first among them."""
    params = list(inspect.signature(init).parameters.values())
    loss = inspect.Parameter("loss", inspect.Parameter.KEYWORD_ONLY, default="squared_error")
    return inspect.Signature([*params[:3], loss, *params[3:]])


class NNRegressor(RegressorMixin, BaseNN):
    __doc__ = f"""Neural-network regressor: ``MLPRegressor``'s interface and training on the
    nnscratch engine.

    ``y`` may be ``(n_samples,)`` or ``(n_samples, n_targets)`` (one output unit per
    target).

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
        ``"squared_error"``: identity outputs and half the squared error (scikit-learn's
        convention); ``"poisson"``: exponential outputs and half the Poisson deviance,
        for counts (``y >= 0``). Keyword-only here (see docs/sklearn.md).{PARAMETERS_DOC}
    Attributes
    ----------{ATTRIBUTES_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from nnscratch.sklearn import NNRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> reg = NNRegressor((20,), "tanh", solver="lbfgs", random_state=0).fit(X, X[:, 0] ** 2)
    >>> reg.score(X, X[:, 0] ** 2) > 0.99
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **CONSTRAINTS,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        loss: str = "squared_error",
        **kwargs: Any,
    ) -> None:
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.loss = loss

    # scikit-learn reads an estimator's parameters from the signature of ``__init__``: the
    # shared ones, plus ``loss``, without repeating the 25 shared ones here.
    __init__.__signature__ = _signature_with_loss(BaseNN.__init__)  # type: ignore[attr-defined]

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> NNRegressor:
        """One epoch over ``(X, y)``, continuing from the current weights (sgd, adam)."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=_FLOATS,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = relay(column_or_1d, y, warn=True)
        return X, y.reshape(len(y), -1)

    def _out_activation_name(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _output(self) -> tuple[str | Activation, Loss]:
        if self.out_activation_ == "exp":
            return Exp(), HalfPoissonDeviance()
        return "linear", HalfSquaredError()

    def _decode_targets(self, Y: np.ndarray) -> np.ndarray:
        return Y

    def _decode_outputs(self, out: np.ndarray) -> np.ndarray:
        return out[:, 0] if out.shape[1] == 1 else out

    @staticmethod
    def _score_function(y: Any, y_pred: Any, sample_weight: Any) -> float:
        return r2_score(y.reshape(y_pred.shape), y_pred, sample_weight=sample_weight)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: ``(n_samples,)`` for one target, else ``(n_samples, n_targets)``."""
        return self._decode_outputs(self._forward(X))
