"""What a frame shows, computed from the model itself.

Every picture comes from the engine model's own methods: the decision map from
``model.predict`` over a grid, each neuron's picture from ``model.trace`` (every layer's
output), the losses from ``model.evaluate`` (the loss the model trains on, penalty
included). Nothing here re-implements a forward pass or a loss.

Arrays travel compactly: values in [0, 1] as bytes (``u8``) and weights as little-endian
float32 (``f32``), both in base64 (see ``docs/playground-protocol.md``, "Grids and
encodings").
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ...engine.layers import Layer
from ...engine.model import Sequential
from .dataset import Data, Inputs
from .schema import LIMITS

if TYPE_CHECKING:  # only for the annotation: training imports this module
    from .training import Run

__all__ = ["Curve", "Interrupted", "Painter", "b64", "finite_or_none", "quiet_overflow"]

_F32_MAX = float(np.finfo(np.float32).max)
#: rows computed between two looks at ``cancel`` (a big network's frame takes a while)
_CHUNK = 2048


class Interrupted(Exception):
    """The frame under way was given up: its session was paused, closed or stopped."""


#: the fixed output range of a bounded activation (others are scaled to their own span)
_FIXED_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0)}


def b64(array: np.ndarray) -> str:
    """The raw bytes of ``array`` in base64 text."""
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _u8(unit: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as bytes 0..255 (rounded, clipped; NaN drawn as 0)."""
    return np.nan_to_num(np.clip(np.rint(unit * 255.0), 0, 255)).astype(np.uint8)


def _f32(array: np.ndarray) -> str:
    return b64(np.clip(array, -_F32_MAX, _F32_MAX).astype("<f4"))


def finite_or_none(value: float | None) -> float | None:
    """``value``, or ``None`` when it is missing, NaN or infinite (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def quiet_overflow() -> Any:
    """Silence NumPy's overflow warnings (the session reports divergence itself)."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _drawn(layer: Layer) -> bool:
    """A column of the diagram: a layer with a kernel (Dropout passes its input on)."""
    return "kernel" in layer.params


def _ranges(a: np.ndarray, activation: str | None) -> tuple[list[float], list[float]]:
    if activation in _FIXED_RANGES:
        lo, hi = _FIXED_RANGES[activation]
        return [lo] * a.shape[1], [hi] * a.shape[1]
    finite = np.where(np.isfinite(a), a, 0.0)
    lo_a, hi_a = finite.min(axis=0), finite.max(axis=0)
    hi_a = np.where(hi_a > lo_a, hi_a, lo_a + 1.0)
    return [float(v) for v in lo_a], [float(v) for v in hi_a]


def _maps(a: np.ndarray, lo: list[float], hi: list[float]) -> str:
    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    with quiet_overflow():
        scaled = _u8((a - lo_a) / (hi_a - lo_a))  # (cells, units)
    return b64(scaled.T)  # unit-major: unit u's cells are contiguous


class Painter:
    """Draws models for one data set and one configuration of inputs and output.

    Parameters
    ----------
    data : Data
    inputs : Inputs
        The feature columns of the points and of the grids.
    output : str
        The configured ``output`` (how the output layer reads as class probabilities).
    features : list of str
        The input names (the first column of the diagram).
    """

    def __init__(self, data: Data, inputs: Inputs, output: str, features: list[str]) -> None:
        self.data = data
        self.inputs = inputs
        self.output = output
        self.features = list(features)
        #: asked between chunks of work; when true the frame raises :class:`Interrupted`
        self.cancel: Callable[[], bool] = lambda: False

    def _check(self) -> None:
        if self.cancel():
            raise Interrupted

    def _predict(self, model: Sequential, x: np.ndarray) -> np.ndarray:
        """``model.predict(x)``, a chunk of rows at a time (cancellable in between)."""
        parts = []
        for start in range(0, x.shape[0], _CHUNK):
            self._check()
            with quiet_overflow():
                parts.append(model.predict(x[start : start + _CHUNK]))
        return np.concatenate(parts)

    def _evaluate(self, model: Sequential, x: np.ndarray, y: np.ndarray) -> float:
        """``model.evaluate(x, y)``: the mean loss per example plus the penalty.

        Chunks are weighted by their rows, so the mean is that of the whole set.
        """
        total = 0.0
        for start in range(0, x.shape[0], _CHUNK):
            self._check()
            rows = slice(start, start + _CHUNK)
            with quiet_overflow():
                total += float(model.evaluate(x[rows], y[rows], verbose=0)) * len(x[rows])
        return total / x.shape[0]

    def probabilities(self, out: np.ndarray) -> np.ndarray:
        """The output layer as per-class probabilities (one column per class)."""
        if self.output == "sigmoid_binary_cross_entropy":
            return np.column_stack([1.0 - out[:, 0], out[:, 0]])
        if self.output == "quadratic":  # one sigmoid per class: normalise the scores
            scores = np.clip(np.nan_to_num(out), 1e-9, None)
            return scores / scores.sum(axis=1, keepdims=True)
        return out

    def metrics(self, model: Sequential) -> dict[str, Any]:
        """Train/test loss (``model.evaluate``) and accuracy, with the predicted classes.

        Accuracies are ``None`` for regression; ``*_pred`` holds the predicted class of
        each point (for the confusion matrix).
        """
        d = self.data
        result: dict[str, Any] = {}
        for part, F, y in (
            ("train", self.inputs.train, d.y_train),
            ("test", self.inputs.test, d.y_test),
        ):
            result[f"{part}_pred"] = None
            if F.shape[0] == 0:
                result[f"{part}_loss"] = result[f"{part}_accuracy"] = None
                continue
            result[f"{part}_loss"] = finite_or_none(self._evaluate(model, F, y))
            if d.task == "classification":
                pred = self.probabilities(self._predict(model, F)).argmax(axis=1)
                result[f"{part}_accuracy"] = float(np.mean(pred == y))
                result[f"{part}_pred"] = pred
            else:
                result[f"{part}_accuracy"] = None
        return result

    def confusion(self, truth: np.ndarray, pred: np.ndarray | None) -> list[list[int]] | None:
        """``confusion[t][p]``: points of true class ``t`` predicted as class ``p``."""
        if pred is None:
            return None
        k = self.data.n_classes
        return np.bincount(truth * k + pred, minlength=k * k).reshape(k, k).tolist()

    def boundary(self, model: Sequential, sweep: bool = False) -> dict[str, Any]:
        """The decision map of ``model`` over the grid (the sweep's smaller one if asked)."""
        grid, size = (
            (self.inputs.sweep, LIMITS["sweep_grid"])
            if sweep
            else (self.inputs.grid, LIMITS["grid"])
        )
        out = self._predict(model, grid)
        result: dict[str, Any] = {"width": size, "height": size, "classes": None}
        if self.data.task == "regression":
            lo, hi = self.data.target_range
            with quiet_overflow():
                values = _u8((out[:, 0] - lo) / (hi - lo))
            result.update(kind="regression", vmin=lo, vmax=hi, values=b64(values))
            return result
        probs = self.probabilities(out)
        result.update(vmin=0.0, vmax=1.0)
        if self.data.n_classes == 2:
            result.update(kind="binary", values=b64(_u8(probs[:, 1])))
        else:
            cls = probs.argmax(axis=1)
            result.update(
                kind="multiclass",
                classes=b64(cls.astype(np.uint8)),
                values=b64(_u8(probs[np.arange(len(cls)), cls])),
            )
        return result

    def neurons(self, model: Sequential) -> list[dict[str, Any]]:
        """Each column of the network diagram with every unit's output map.

        The maps are ``model.trace`` of the thumbnail grid: what each layer outputs at
        each point of the plane. Past ``LIMITS["max_drawn_units"]`` units in all nothing
        is drawn (``maps`` null).
        """
        size = LIMITS["thumb"]
        a = self.inputs.thumb
        layers = [(i, layer) for i, layer in enumerate(model.layers) if _drawn(layer)]
        units = [layer.params["kernel"].shape[-1] for _, layer in layers]
        draw = a.shape[1] + sum(units) <= LIMITS["max_drawn_units"]
        lo, hi = _ranges(a, None)
        columns: list[dict[str, Any]] = [
            {
                "layer": "input",
                "kind": "input",
                "names": list(self.features),
                "activation": None,
                "units": a.shape[1],
                "size": size,
                "lo": lo,
                "hi": hi,
                "maps": _maps(a, lo, hi) if draw else None,
            }
        ]
        if draw:
            self._check()
            with quiet_overflow():
                trace = model.trace(a)
        for column, ((index, layer), n) in enumerate(zip(layers, units)):
            act = layer.activation.name
            out = trace[index] if draw else None
            lo_u, hi_u = _ranges(out, act) if out is not None else (None, None)
            columns.append(
                {
                    "layer": column,
                    "kind": "output" if column == len(layers) - 1 else "hidden",
                    "activation": act,
                    "units": n,
                    "size": size,
                    "lo": lo_u,
                    "hi": hi_u,
                    "maps": _maps(out, lo_u, hi_u) if out is not None else None,
                }
            )
        return columns

    def weights(self, model: Sequential) -> list[dict[str, Any]]:
        """Every drawn layer's kernel and bias (float32, base64) for the connections."""
        result = []
        for i, layer in enumerate(layer for layer in model.layers if _drawn(layer)):
            kernel = layer.params["kernel"]
            bias = layer.params.get("bias", np.zeros(kernel.shape[-1]))
            result.append(
                {
                    "layer": i,
                    "shape": list(kernel.shape),
                    "kernel": _f32(kernel),
                    "bias": _f32(bias),
                    "max_abs": float(np.max(np.abs(kernel))),
                }
            )
        return result

    def summary(self, model: Sequential, sweep: bool = False) -> dict[str, Any]:
        """Losses, accuracies, the confusion matrices and the decision map of ``model``."""
        m = self.metrics(model)
        return {
            "train_loss": m["train_loss"],
            "test_loss": m["test_loss"],
            "train_accuracy": m["train_accuracy"],
            "test_accuracy": m["test_accuracy"],
            "confusion": None
            if self.data.task != "classification"
            else {
                "train": self.confusion(self.data.y_train, m["train_pred"]),
                "test": self.confusion(self.data.y_test, m["test_pred"]),
            },
            "boundary": self.boundary(model, sweep=sweep),
        }

    def frame(self, run: Run) -> dict[str, Any]:
        """A frame's pictures and numbers for ``run`` (its main model and its sweep)."""
        sweep = None
        if run.sweep:
            models = []
            for size, model in run.sweep:
                entry = self.summary(model, sweep=True)
                del entry["confusion"]
                models.append({"hidden": size, **entry})
            sweep = {"size": LIMITS["sweep_grid"], "models": models}
        return {
            "epoch": run.epoch,
            "steps": run.steps,
            **self.summary(run.model),
            "neurons": self.neurons(run.model),
            "weights": self.weights(run.model),
            "sweep": sweep,
        }


class Curve:
    """The loss and accuracy curves: every point of the run, and those not yet sent.

    A point is ``[epoch, train_loss, test_loss, train_accuracy, test_accuracy]``; a frame
    carries the points added since the previous frame, and ``reset`` when the run
    restarted (the page then clears its curves first).
    """

    def __init__(self) -> None:
        self.points: list[list[Any]] = []
        self.pending: list[list[Any]] = []
        self.reset = True

    def add(self, frame: dict[str, Any]) -> None:
        """Record the frame's point, once per epoch; thin out past the limit."""
        keys = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
        point = [frame[k] for k in keys]
        if not self.points or self.points[-1][0] != point[0]:
            self.points.append(point)
            self.pending.append(point)
            if len(self.points) > LIMITS["max_curve_points"]:
                self.points = self.points[::2]

    def take(self) -> dict[str, Any]:
        """``{"curve": the new points, "reset": ...}`` for the next frame."""
        taken = {"curve": self.pending, "reset": self.reset}
        self.pending, self.reset = [], False
        return taken

    def replayed(self) -> None:
        """After a replay, the next frame carries the whole curve and restarts the page's."""
        self.pending, self.reset = list(self.points), True
