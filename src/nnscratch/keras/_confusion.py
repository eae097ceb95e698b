"""Keras 3's counting metric classes: ``Precision``, ``Recall``, ``AUC`` and the four
confusion-matrix cells, as stateful objects over :mod:`nnscratch.engine.confusion`.

In ``compile(metrics=[keras.metrics.Precision()])`` the model counts with the engine's
metric of the same arguments (and saves it by its config). Outside ``compile`` they are
Keras' stateful metrics: ``update_state(y_true, y_pred, sample_weight=None)`` adds a
batch's counts, ``result()`` is the metric of all the counts so far, ``reset_state()``
starts again, and calling the object updates it and returns the result.

>>> m = Precision()
>>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
>>> round(m.result(), 4)
0.6667
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import confusion
from ..engine.checks import flag
from ._refusals import unsupported
from ._targets import StatefulMetric, batch, example_weights

#: one class for each of the engine's counting metrics, of the same name
__all__ = ["CountingMetric", *(cls.__name__ for cls in confusion.COUNTING.values())]


class CountingMetric(StatefulMetric):
    """A Keras metric object that keeps an engine counting metric's counts."""

    #: the engine metric this object counts with; ``compile`` hands it to the model
    metric: confusion.ConfusionMetric

    def _keep(self, metric: confusion.ConfusionMetric, dtype: Any) -> None:
        self.metric, self.name, self.dtype = metric, metric.name, dtype
        self.reset_state()

    def reset_state(self) -> None:
        """Forget every batch given so far."""
        self.counts = np.zeros((4, len(self.metric.cutoffs)))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch: ``y_pred`` of shape ``(n, outputs)`` (or ``(n,)``), ``y_true`` of
        the same shape, ``sample_weight`` one per example.

        With ``top_k`` or ``class_id``, a flat ``y_pred`` is one example's outputs, as in
        Keras (``Precision(top_k=2)`` keeps the two largest of them)."""
        by_column = self.metric.top_k is not None or self.metric.class_id is not None
        if by_column and np.ndim(y_pred) == 1:
            if sample_weight is not None:
                raise ValueError(
                    "with top_k or class_id a flat y_pred is one example; give y_pred as "
                    "(examples, outputs) to weight examples"
                )
            y_true, y_pred = np.reshape(y_true, (1, -1)), np.reshape(y_pred, (1, -1))
        y_true, y_pred = batch(y_true, y_pred)
        weights = example_weights(sample_weight, len(y_pred))
        self.counts = self.counts + self.metric.counts(y_true, y_pred, weights)

    def result(self) -> float:
        """The metric of every batch so far (0.0 before any, as in Keras)."""
        return self.metric.result(self.counts)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as Keras writes them."""
        return {**self.metric.get_config(), "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CountingMetric:
        return cls(**config)


class _AtThreshold(CountingMetric):
    """Precision and recall: Keras' ``(thresholds, top_k, class_id, name, dtype)``."""

    kind: type[confusion.ConfusionMetric]

    def __init__(
        self,
        thresholds: float | None = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        metric = type(self).kind(thresholds, top_k=top_k, class_id=class_id, name=name)
        self._keep(metric, dtype)


class Precision(_AtThreshold):
    """``TP / (TP + FP)``: of the predictions above the threshold (0.5), the fraction
    that are positives."""

    kind = confusion.Precision


class Recall(_AtThreshold):
    """``TP / (TP + FN)``: of the positives, the fraction predicted above the threshold."""

    kind = confusion.Recall


class _Cell(CountingMetric):
    """One cell of the confusion matrix: Keras' ``(thresholds, name, dtype)``."""

    kind: type[confusion.ConfusionMetric]

    def __init__(
        self, thresholds: float | None = None, name: str | None = None, dtype: Any = None
    ) -> None:
        self._keep(type(self).kind(thresholds, name=name), dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {key: config[key] for key in ("name", "dtype", "thresholds")}


class TruePositives(_Cell):
    """The (weighted) number of positives predicted above the threshold."""

    kind = confusion.TruePositives


class FalsePositives(_Cell):
    """The (weighted) number of negatives predicted above the threshold."""

    kind = confusion.FalsePositives


class TrueNegatives(_Cell):
    """The (weighted) number of negatives predicted at or below the threshold."""

    kind = confusion.TrueNegatives


class FalseNegatives(_Cell):
    """The (weighted) number of positives predicted at or below the threshold."""

    kind = confusion.FalseNegatives


class AUC(CountingMetric):
    """The area under the ROC or precision-recall curve, from 200 thresholds
    (:class:`nnscratch.engine.confusion.AUC`). The curve is over every output together:
    ``multi_label=True`` (one curve per output, averaged) is refused."""

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: list[float] | None = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        if flag("multi_label", multi_label):
            raise unsupported(
                "AUC",
                "multi_label",
                True,
                "the curve is over all outputs together; the average "
                "of one curve per output is sklearn.metrics.roc_auc_score(y_onehot, "
                "model.predict(x))",
            )
        for option, value in (("num_labels", num_labels), ("label_weights", label_weights)):
            if value is not None:
                raise unsupported("AUC", option, value, "it goes with multi_label=True")
        metric = confusion.AUC(
            num_thresholds,
            curve,
            summation_method,
            name=name,
            thresholds=thresholds,
            from_logits=from_logits,
        )
        self._keep(metric, dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "multi_label": False,
            "num_labels": None,
            "label_weights": None,
        }
