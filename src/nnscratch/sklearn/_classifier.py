"""``NNClassifier``: scikit-learn's ``MLPClassifier`` on the nnscratch engine."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from ..engine.losses import Loss
from ._base import _FLOATS, BaseNN
from ._losses import BinaryLogLoss, LogLoss
from ._params import ATTRIBUTES_DOC, PARAMETERS_DOC
from ._warnings import relay

__all__ = ["NNClassifier"]


class NNClassifier(ClassifierMixin, BaseNN):
    __doc__ = f"""Neural-network classifier: ``MLPClassifier``'s interface and training on
    the nnscratch engine.

    The labels are encoded as scikit-learn encodes them (``LabelBinarizer``): two classes
    give one logistic output unit, more give a softmax layer, and a label-indicator matrix
    ``y`` (multilabel) gives one logistic unit per label, ``predict`` returning the matrix.
    Labels may be of any type (ints, strings, ...); they are kept in ``classes_``.

    Parameters
    ----------{PARAMETERS_DOC}
    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted (for multilabel ``y``: ``0 .. n_labels - 1``).{ATTRIBUTES_DOC}
    Examples
    --------
    The WildML tutorial's network (3 tanh units) by full-batch gradient descent:

    >>> from nnscratch.data import moons
    >>> from nnscratch.sklearn import NNClassifier
    >>> X, y = moons()
    >>> clf = NNClassifier((3,), "tanh", solver="sgd", momentum=0, batch_size=None,
    ...                    learning_rate_init=0.5, max_iter=2000, tol=0, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> NNClassifier:
        """One epoch over ``(X, y)``, continuing from the current weights.

        ``classes`` (every label that will ever be seen, e.g. ``np.unique(y_all)``) is
        required on the first call; ``sample_weight`` as in :meth:`fit`. Only for
        ``solver="sgd"`` or ``"adam"``.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    # -- labels ----------------------------------------------------------------------------
    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple:
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True, dtype=_FLOATS, reset=reset
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = relay(column_or_1d, y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(bool)

    def _out_activation_name(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _output(self) -> tuple[str, Loss]:
        if self.out_activation_ == "softmax":
            return "softmax", LogLoss()
        return "sigmoid", BinaryLogLoss()

    def _stratify(self, Y: np.ndarray) -> np.ndarray | None:
        # scikit-learn's rule: stratify by the one 0/1 column of binary y (its error names
        # the class 'True'); 3+ classes and multilabel y are split at random, so the same
        # random_state holds out the same rows as MLPClassifier.
        return Y if Y.shape[1] == 1 else None

    def _decode_targets(self, Y: np.ndarray) -> np.ndarray:
        return self._label_binarizer.inverse_transform(Y)

    def _decode_outputs(self, out: np.ndarray) -> np.ndarray:
        return self._label_binarizer.inverse_transform(out[:, 0] if out.shape[1] == 1 else out)

    @staticmethod
    def _score_function(y: Any, y_pred: Any, sample_weight: Any) -> float:
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    # -- predicting ------------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """The predicted labels; for multilabel ``y``, the label-indicator matrix."""
        return self._decode_outputs(self._forward(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n_samples, n_classes)``, columns in ``classes_`` order.

        For multilabel ``y`` each column is that label's own probability (the rows do not
        sum to 1). With a single class in ``y`` the one column is all ones.
        """
        out = self._forward(X)
        if len(self.classes_) == 1:
            return np.ones_like(out)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))``."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
