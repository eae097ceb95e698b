"""Metrics that count: precision, recall, the confusion-matrix cells and the area under a curve.

Accuracy is a mean over examples, so an epoch's accuracy is the mean of its batches'
(weighted by their sizes). Precision is not: it is a ratio of two counts,

::

    precision = TP / (TP + FP)        recall = TP / (TP + FN)

and the mean of two batches' precisions is not the precision of both together. So these
metrics hand the training loop *counts*, which add up over batches, and compute their
value from the totals (Keras' stateful metrics do the same with variables).

Every prediction ``p`` (each output of each example, flattened; or only column
``class_id``) is a "positive" when ``p > threshold`` and is then true or false against
its target (non-zero is true). One call of :meth:`ConfusionMetric.counts` returns the four
cells for every threshold, as an array of shape ``(4, thresholds)``::

    counts[0] = TP,  counts[1] = FP,  counts[2] = TN,  counts[3] = FN

:class:`AUC` counts at 200 thresholds from 0 to 1 and integrates the ROC curve (true
positive rate against false positive rate) or the precision-recall curve, as Keras does.

>>> import numpy as np
>>> m = Precision()
>>> m.result(m.counts(np.array([[0.0], [1], [1], [1]]), np.array([[1.0], [0], [1], [1]])))
0.6666666666666666
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import flag, integer, lookup, number, one_of
from .config import constructor_config, constructor_repr
from .summary import snake_case

__all__ = [
    "AUC",
    "COUNTING",
    "ConfusionMetric",
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "Recall",
    "TrueNegatives",
    "TruePositives",
]

#: Keras' ``backend.epsilon()``: the outermost thresholds sit this far beyond 0 and 1, so
#: that a prediction of exactly 0 or 1 falls on the expected side
EPSILON = 1e-7
#: rows of the counts
TP, FP, TN, FN = range(4)


class ConfusionMetric:
    """The confusion matrix at one threshold (or several, for :class:`AUC`).

    Parameters
    ----------
    thresholds : float, optional
        A prediction above it is a positive; default 0.5 (or, with ``top_k``, every
        prediction among the ``top_k`` largest of its example). A number in ``[0, 1]``.
    top_k : int, optional
        Only each example's ``top_k`` largest predictions can be positives.
    class_id : int, optional
        Count only the predictions of this output column.
    name : str, optional
        The key in ``history.history``; by default the class's (``"precision"``).

    Subclasses say which number of the cells they report (:meth:`result`) and whether
    larger is better (``direction``, read by ``EarlyStopping(mode="auto")``).
    """

    default_name = "confusion"
    #: "up" when a larger value is better (precision), "down" when smaller is (FP)
    direction = "up"

    def __init__(
        self,
        thresholds: float | None = None,
        *,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
    ) -> None:
        if thresholds is not None and not isinstance(thresholds, (int, float, np.number)):
            raise TypeError(
                f"thresholds must be one number in [0, 1], got {thresholds!r}; for several "
                f"thresholds compile one {type(self).__name__} per threshold"
            )
        self.thresholds = None if thresholds is None else number("thresholds", thresholds, 0, 1)
        self.top_k = None if top_k is None else integer("top_k", top_k, low=1)
        self.class_id = None if class_id is None else integer("class_id", class_id, low=0)
        self.name = _name(name, self.default_name)
        if self.thresholds is not None:
            self.cutoffs = np.array([self.thresholds])
        else:  # Keras: 0.5, or with top_k every one of the top k
            self.cutoffs = np.array([0.5 if self.top_k is None else -np.inf])

    def predictions(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """The predictions and targets that are counted, each ``(n, columns)``: with
        ``top_k`` the others become ``-inf``; with ``class_id`` only that column is left."""
        if self.top_k is not None and self.top_k < y_pred.shape[1]:
            # the k largest of each row (of equal ones, the first), as Keras' top_k
            dropped = np.argsort(-y_pred, axis=1, kind="stable")[:, self.top_k :]
            y_pred = y_pred.copy()
            np.put_along_axis(y_pred, dropped, -np.inf, axis=1)
        if self.class_id is not None:
            if self.class_id >= y_pred.shape[1]:
                raise ValueError(
                    f"{self.name}: class_id={self.class_id} but the model has "
                    f"{y_pred.shape[1]} output(s); give a column index below that"
                )
            column = slice(self.class_id, self.class_id + 1)
            y_true, y_pred = y_true[:, column], y_pred[:, column]
        return y_true, y_pred

    def counts(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> np.ndarray:
        """The four cells at every threshold for one batch: an array ``(4, thresholds)``
        (rows TP, FP, TN, FN), each example counted with its ``sample_weight`` (or 1).
        Batches' counts add up: the training loop sums them over an epoch."""
        y_true, y_pred = self.predictions(y_true, y_pred)
        weights = np.ones(y_pred.shape[0]) if sample_weight is None else sample_weight
        weights = np.broadcast_to(np.reshape(weights, (-1, 1)), y_pred.shape).ravel()
        truth, values = y_true.ravel() != 0, y_pred.ravel()
        tp = _weight_above(values[truth], weights[truth], self.cutoffs)
        fp = _weight_above(values[~truth], weights[~truth], self.cutoffs)
        fn = weights[truth].sum() - tp
        tn = weights[~truth].sum() - fp
        return np.stack([tp, fp, tn, fn])

    def result(self, counts: np.ndarray) -> float:
        """The metric from counts summed over batches."""
        raise NotImplementedError  # each metric says which number of the cells it reports

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this metric (``type(m)(**m.get_config())``)."""
        return constructor_config(self)

    def __repr__(self) -> str:
        return constructor_repr(self)


class Precision(ConfusionMetric):
    """The fraction of predicted positives that are positives: ``TP / (TP + FP)``
    (0.0 when nothing was predicted positive, as in Keras)."""

    default_name = "precision"

    def result(self, counts: np.ndarray) -> float:
        return _ratio(counts[TP, 0], counts[TP, 0] + counts[FP, 0])


class Recall(ConfusionMetric):
    """The fraction of positives predicted positive: ``TP / (TP + FN)`` (0.0 when there
    were no positives)."""

    default_name = "recall"

    def result(self, counts: np.ndarray) -> float:
        return _ratio(counts[TP, 0], counts[TP, 0] + counts[FN, 0])


def _cell(class_name: str, row: int, direction: str, doc: str) -> type[ConfusionMetric]:
    """A metric class that reports one cell of the counts: ``counts[row]``."""

    def result(self: ConfusionMetric, counts: np.ndarray) -> float:
        return float(counts[row, 0])

    namespace = {"__doc__": doc, "__module__": __name__, "result": result}
    namespace.update(default_name=snake_case(class_name), direction=direction)
    return type(class_name, (ConfusionMetric,), namespace)


# The four cells, each a metric of its own (weighted counts, summed over the epoch)
TruePositives = _cell("TruePositives", TP, "up", "Positives predicted above the threshold.")
FalsePositives = _cell("FalsePositives", FP, "down", "Negatives predicted above the threshold.")
TrueNegatives = _cell("TrueNegatives", TN, "up", "Negatives predicted at or below the threshold.")
FalseNegatives = _cell(
    "FalseNegatives", FN, "down", "Positives predicted at or below the threshold."
)


class AUC(ConfusionMetric):
    """The area under the ROC curve (or the precision-recall curve), as Keras computes it.

    The cells are counted at ``num_thresholds`` thresholds: ``-1e-7``, then
    ``1/(T-1), 2/(T-1), ...`` and ``1 + 1e-7``. Each threshold is one point of the curve;
    for ROC, ``x = FP / (FP + TN)`` and ``y = TP / (TP + FN)``, and the area is the sum of
    the trapezoids between neighbouring points (``summation_method="interpolation"``), or
    of the rectangles under the lower (``"minoring"``) or upper (``"majoring"``) side. For
    ``curve="PR"`` the interpolation is Davis and Goadrich's (2006), Keras' too.

    Parameters
    ----------
    num_thresholds : int, default 200
        More than 1.
    curve : {"ROC", "PR"}, default "ROC"
    summation_method : {"interpolation", "minoring", "majoring"}
    name : str, optional
    thresholds : list of float, optional
        Thresholds in ``[0, 1]`` instead of the evenly spaced ones (``-1e-7`` and
        ``1 + 1e-7`` are added at the ends).
    from_logits : bool, default False
        The outputs are logits: a sigmoid is applied before counting.
    """

    default_name = "auc"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        *,
        name: str | None = None,
        thresholds: list[float] | None = None,
        from_logits: bool = False,
    ) -> None:
        self.curve = lookup("curve", curve, {"roc": "ROC", "pr": "PR"}, "")
        self.summation_method = one_of(
            "summation_method", summation_method, ("interpolation", "minoring", "majoring")
        )
        self.from_logits = flag("from_logits", from_logits)
        self.name = _name(name, self.default_name)
        self.top_k = self.class_id = None
        if thresholds is None:
            self.num_thresholds = integer("num_thresholds", num_thresholds, low=2)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
            self.thresholds = None
        else:
            if isinstance(thresholds, (str, bytes)) or not hasattr(thresholds, "__len__"):
                raise TypeError(f"thresholds must be a list of numbers, got {thresholds!r}")
            inner = [number("thresholds", t, 0, 1) for t in thresholds]
            self.thresholds, self.num_thresholds = inner, len(inner) + 2
        self.cutoffs = np.array([0.0 - EPSILON, *inner, 1.0 + EPSILON])

    def counts(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> np.ndarray:
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-np.clip(y_pred, -709.0, 709.0)))
        return super().counts(y_true, y_pred, sample_weight)

    def result(self, counts: np.ndarray) -> float:
        tp, fp, tn, fn = counts
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _interpolated_pr_auc(tp, fp, fn)
        if self.curve == "ROC":
            x, y = _divide(fp, fp + tn), _divide(tp, tp + fn)  # false and true positive rates
        else:
            x, y = _divide(tp, tp + fn), _divide(tp, tp + fp)  # recall and precision
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights))  # x falls as the threshold rises


#: the counting metrics by name, for ``compile(metrics=["precision"])`` and for files
COUNTING: dict[str, type[ConfusionMetric]] = {
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
}


def _weight_above(values: np.ndarray, weights: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
    """For each cutoff, the total weight of the values above it (one sort, no loop)."""
    order = np.argsort(values, kind="stable")
    tail = np.concatenate([np.cumsum(weights[order][::-1])[::-1], [0.0]])  # weight of v[i:]
    return tail[np.searchsorted(values[order], cutoffs, side="right")]


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b``, and 0 where ``b`` is 0 (Keras' ``divide_no_nan``)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def _interpolated_pr_auc(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    """The area under the precision-recall curve, interpolating between thresholds as
    Davis and Goadrich (2006) do: precision changes along a segment as ``TP`` over
    ``TP + FP`` with both linear in between, which integrates to a logarithm."""
    predicted = tp + fp
    dtp, dp = tp[:-1] - tp[1:], np.maximum(predicted[:-1] - predicted[1:], 0)
    slope = _divide(dtp, dp)
    intercept = tp[1:] - slope * predicted[1:]
    both = (predicted[:-1] > 0) & (predicted[1:] > 0)
    ratio = np.where(both, _divide(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
    increments = _divide(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
    return float(np.sum(increments))


def _name(name: Any, default: str) -> str:
    if name is None:
        return default
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    return name


def is_counting(metric: Any) -> bool:
    """True for a metric that reports from counts (this module's), not a mean."""
    return isinstance(metric, ConfusionMetric)
