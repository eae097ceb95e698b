"""One playground session: the configuration, the data, the model and its training.

The web page only draws. Everything it shows comes from a :class:`PlaygroundSession`
(one per browser tab), which

* validates every request (:meth:`PlaygroundSession.handle` turns a bad one into an
  ``error`` message and carries on),
* generates or parses the data, builds an engine :class:`~nnscratch.engine.model.Sequential`
  from the configuration and trains it with ``fit`` a few epochs at a time,
* renders *frames*: the decision boundary over a 100x100 grid, each neuron's own output
  map, the weights, losses, accuracies and a confusion matrix, encoded compactly (bytes in
  base64) so that 30 frames a second are cheap to send.

The message format is described in ``docs/playground-protocol.md``. Nothing here needs the
web server: a session can be driven from a notebook or a test::

    >>> from nnscratch.lab.web.session import PlaygroundSession
    >>> s = PlaygroundSession({"dataset": "moons", "hidden_layers": [{"units": 3}]})
    >>> s.train(5)
    >>> s.epoch
    5

Training is reproducible: the data, the split, the initial weights and the shuffling all
derive from ``config["seed"]``, so :meth:`PlaygroundSession.python_script` can write a
plain script that reaches the very same weights, and :meth:`to_url_state` fits a whole
run into a link.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import os
import tempfile
import threading
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ...data.toy import load_toy
from ...engine.callbacks import History
from ...engine.layers import Dense
from ...engine.model import Sequential, TrainingDiverged
from ...saving import save_model
from .config import (
    CLASSIFICATION_OUTPUTS,
    DATA_KEYS,
    DEFAULT_CONFIG,
    DEFAULT_SPEED,
    DEFAULT_SWEEP,
    FEATURES,
    FRAME_RATE,
    LIMITS,
    MAX_SEED,
    MESSAGE_FIELDS,
    PROTOCOL_VERSION,
    REGRESSION_DATASETS,
    REGRESSION_OUTPUTS,
    REQUIRED_FIELDS,
    PlaygroundError,
    available_features,
    build_model,
    check_int,
    make_features,
    model_filename,
    options,
    short_repr,
    train_size,
    validate_config,
)
from .uploads import check_points, parse_csv, points_to_dataset

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_SWEEP",
    "FEATURES",
    "FRAME_RATE",
    "LIMITS",
    "PROTOCOL_VERSION",
    "PlaygroundError",
    "PlaygroundSession",
    "available_features",
    "error_message",
    "make_features",
    "options",
    "parse_csv",
    "validate_config",
]


# -- encodings ------------------------------------------------------------------------------
def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _u8(unit: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as bytes 0..255 (rounded, clipped)."""
    return np.clip(np.rint(unit * 255.0), 0, 255).astype(np.uint8)


_F32_MAX = float(np.finfo(np.float32).max)


def _f32(array: np.ndarray) -> str:
    return _b64(np.clip(array, -_F32_MAX, _F32_MAX).astype("<f4"))


def _finite_or_none(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# -- the session ----------------------------------------------------------------------------
class PlaygroundSession:
    """Everything one browser tab sees: configuration, data, model, training and frames.

    Parameters
    ----------
    config : dict, optional
        A partial configuration merged into :data:`DEFAULT_CONFIG` (see
        ``docs/playground-protocol.md`` for every key and its range).

    Attributes
    ----------
    epoch : int
        Epochs trained since the model was (re)built.
    steps : int
        Gradient steps since then.
    playing : bool
        Whether the server should keep training and sending frames.
    speed : int
        Gradient steps per frame while playing (rounded to whole epochs).

    Examples
    --------
    >>> s = PlaygroundSession({"dataset": "xor", "features": ["x1*x2"],
    ...                        "hidden_layers": []})
    >>> s.train(20)
    >>> frame = s.frame()
    >>> frame["boundary"]["width"], frame["epoch"]
    (100, 20)
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._lock = threading.RLock()
        self.playing = False
        self.speed = DEFAULT_SPEED
        self.notices: list[str] = []
        self._csv_points: np.ndarray | None = None  # uploaded points (x1, x2, label)
        self._csv_json: str | None = None  # their JSON for the URL state, made once
        self._csv_name: str | None = None
        self.sweep_sizes: list[int] | None = None
        merged = copy.deepcopy(DEFAULT_CONFIG)
        if config is not None:
            if not isinstance(config, dict):
                raise PlaygroundError(
                    f"config must be an object, got {type(config).__name__}", "config"
                )
            merged.update(copy.deepcopy(config))
        self._config: dict[str, Any] = {}
        self._apply_config(merged, output_given=config is not None and "output" in config)

    @property
    def _csv(self) -> np.ndarray | None:
        return self._csv_points

    @_csv.setter
    def _csv(self, points: np.ndarray | None) -> None:
        self._csv_points = points
        self._csv_json = None

    # -- configuration ---------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """A copy of the current (validated) configuration."""
        return copy.deepcopy(self._config)

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return self._task

    @property
    def n_classes(self) -> int:
        """Number of classes (1 for regression)."""
        return self._n_classes

    def configure(self, changes: dict[str, Any]) -> list[str]:
        """Merge ``changes`` into the configuration, validate it, rebuild what changed.

        The data is regenerated when a data key changed; the model is always rebuilt and
        training restarts at epoch 0 (so the run stays reproducible by
        :meth:`python_script`). On error nothing changes.

        Returns the notices (automatic adjustments) made.
        """
        if not isinstance(changes, dict):
            raise PlaygroundError(
                f"config must be an object, got {type(changes).__name__}", "config"
            )
        with self._lock:
            merged = copy.deepcopy(self._config)
            merged.update(copy.deepcopy(changes))
            return self._apply_config(merged, output_given="output" in changes)

    def _apply_config(
        self, merged: dict[str, Any], *, output_given: bool, force_data: bool = False
    ) -> list[str]:
        """Validate ``merged`` against the data it implies; commit only when all is well."""
        config = validate_config(merged)
        if config["dataset"] == "csv" and self._csv is None:
            raise PlaygroundError(
                "dataset 'csv' needs an uploaded CSV first (send upload_csv)", "dataset"
            )
        data_changed = (
            force_data
            or not self._config
            or any(config[k] != self._config.get(k) for k in DATA_KEYS)
        )
        if data_changed:
            data = self._make_data(config)
        else:
            data = self._data
        task, n_classes = data["task"], data["n_classes"]
        notices: list[str] = []
        allowed = CLASSIFICATION_OUTPUTS if task == "classification" else REGRESSION_OUTPUTS
        if config["output"] == "sigmoid_binary_cross_entropy" and n_classes != 2:
            allowed = tuple(o for o in allowed if o != "sigmoid_binary_cross_entropy")
        if config["output"] not in allowed:
            what = f"{n_classes}-class classification" if task == "classification" else "regression"
            if output_given:
                raise PlaygroundError(
                    f"output {config['output']!r} does not fit {what} data; valid: "
                    f"{', '.join(allowed)}",
                    "output",
                )
            new = "softmax_cross_entropy" if task == "classification" else "mse"
            notices.append(f"output changed from {config['output']} to {new} for {what} data")
            config["output"] = new
        inputs = _inputs(config["features"], data)
        # Everything checked: commit.
        self._config = config
        self._data = data
        self._task, self._n_classes = task, n_classes
        self._F_train, self._F_test = inputs["train"], inputs["test"]
        self._grid, self._thumb, self._sweep_grid = inputs["grid"], inputs["thumb"], inputs["sweep"]
        self._build()
        self.notices = notices
        return notices

    # -- data ------------------------------------------------------------------------------
    def _make_data(self, config: dict[str, Any]) -> dict[str, Any]:
        name = config["dataset"]
        label_values = None
        if name == "csv":
            assert self._csv is not None
            X, y, task, label_values = points_to_dataset(self._csv)
        else:
            kwargs: dict[str, Any] = {
                "n_samples": config["n_samples"],
                "noise": config["noise"],
                "seed": config["seed"],
            }
            if name == "multi_gaussian":
                kwargs["n_classes"] = config["n_classes"]
            X, y = load_toy(name, **kwargs)
            task = "regression" if name in REGRESSION_DATASETS else "classification"
        n = X.shape[0]
        n_train = train_size(n, config["train_ratio"])
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=n_train, test_size=n - n_train, random_state=config["seed"]
        )
        if task == "classification":
            y_all = np.asarray(y, dtype=np.int64)
            n_classes = int(y_all.max()) + 1
            y_train = np.asarray(y_train, dtype=np.int64)
            y_test = np.asarray(y_test, dtype=np.int64)
            target_range = (0.0, 1.0)
        else:
            n_classes = 1
            y_train = np.asarray(y_train, dtype=np.float64)
            y_test = np.asarray(y_test, dtype=np.float64)
            lo, hi = float(np.min(y)), float(np.max(y))
            target_range = (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
        lo, hi = float(X.min()), float(X.max())
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        extent = (lo - pad, hi + pad, lo - pad, hi + pad)
        return {
            "X_train": np.ascontiguousarray(X_train, dtype=np.float64),
            "X_test": np.ascontiguousarray(X_test, dtype=np.float64),
            "y_train": y_train,
            "y_test": y_test,
            "task": task,
            "n_classes": n_classes,
            "extent": extent,
            "target_range": target_range,
            "label_values": label_values,
        }

    @property
    def n_train(self) -> int:
        return int(self._data["X_train"].shape[0])

    @property
    def n_test(self) -> int:
        return int(self._data["X_test"].shape[0])

    def upload_csv(self, text: Any, name: Any = None) -> list[str]:
        """Use the points of an uploaded CSV (see :func:`parse_csv`) as the data set."""
        X, y, _task, labels = parse_csv(text)
        data = np.column_stack([X, np.asarray(labels, dtype=float)[y] if labels else y])
        if name is not None and not isinstance(name, str):
            raise PlaygroundError(f"name must be a string, got {type(name).__name__}", "name")
        with self._lock:
            previous = self._csv
            self._csv = data
            try:
                notices = self._apply_config(
                    dict(self._config, dataset="csv"), output_given=False, force_data=True
                )
            except PlaygroundError:
                self._csv = previous
                raise
            self._csv_name = name[:200] if name else None
            return notices

    def regenerate(self) -> list[str]:
        """Draw new data: the next seed."""
        with self._lock:
            seed = self._config["seed"] + 1 if self._config["seed"] < MAX_SEED else 0
            return self.configure({"seed": seed})

    # -- the model -------------------------------------------------------------------------
    def _build(self) -> None:
        self.model = build_model(self._config, self._F_train.shape[1], self._task, self._n_classes)
        self.epoch = 0
        self.steps = 0
        self.curve: list[list[float | None]] = []
        self._pending_curve: list[list[float | None]] = []
        self._reset_flag = True
        self.playing = False
        self._build_sweep()

    def _build_sweep(self) -> None:
        self._sweep_models: list[tuple[int, Sequential]] = []
        if not self.sweep_sizes:
            return
        hidden = self._config["hidden_layers"]
        activation = hidden[0]["activation"] if hidden else "tanh"
        for size in self.sweep_sizes:
            cfg = dict(self._config, hidden_layers=[{"units": size, "activation": activation}])
            self._sweep_models.append(
                (size, build_model(cfg, self._F_train.shape[1], self._task, self._n_classes))
            )

    def reset(self) -> None:
        """New initial weights (the same ones for the same seed); epoch 0."""
        with self._lock:
            self._build()

    def set_speed(self, value: Any) -> None:
        """Gradient steps per frame while playing, 1..1000."""
        self.speed = check_int(value, "value", 1, LIMITS["max_speed"])

    def set_sweep(self, sizes: Any) -> None:
        """Train one-hidden-layer models of these sizes alongside (``[]`` stops)."""
        clean = _sweep_sizes(sizes)
        with self._lock:
            self.sweep_sizes = clean or None
            # the sweep models start with the main model: restart the run
            self._build()

    @property
    def steps_per_epoch(self) -> int:
        batch = self._batch_size()
        return 1 if batch is None else -(-self.n_train // batch)

    def _batch_size(self) -> int | None:
        b = self._config["batch_size"]
        return None if b == "full" or b >= self.n_train else int(b)

    def train(self, epochs: int = 1) -> None:
        """Train the model (and the sweep's models) for whole ``epochs``.

        Uses ``Sequential.fit``: calling this twice with 3 epochs gives the very same
        weights as one ``fit(epochs=6)``, which is what the exported script runs.

        Raises
        ------
        TrainingDiverged
            When the loss becomes NaN or infinite (the model keeps its last finite
            weights); training is paused.
        """
        epochs = check_int(epochs, "epochs", 1, 10**7)
        with self._lock:
            batch = self._batch_size()
            # A diverging run overflows on its way to an infinite loss; the engine detects
            # that and raises TrainingDiverged, which the page is told about. NumPy's own
            # overflow warnings would only reach a terminal nobody watches.
            with _quiet_overflow():
                self._fit_all(epochs, batch)
            self.epoch += epochs
            self.steps += epochs * self.steps_per_epoch

    def _fit_all(self, epochs: int, batch: int | None) -> None:
        for model in [self.model] + [m for _, m in self._sweep_models]:
            model.history = History()  # keep memory flat over long runs
            try:
                model.fit(
                    self._F_train,
                    self._data["y_train"],
                    epochs=epochs,
                    batch_size=batch,
                    shuffle=True,
                    verbose=0,
                )
            except TrainingDiverged as exc:
                if model is self.model:
                    self.playing = False
                    self.epoch += exc.epoch
                    self.steps += exc.epoch * self.steps_per_epoch
                    raise
                # a diverged sweep model keeps its last finite weights and waits

    def epochs_per_frame(self) -> int:
        """Whole epochs per frame that come closest to :attr:`speed` steps (at least 1)."""
        return max(1, round(self.speed / self.steps_per_epoch))

    # -- protocol --------------------------------------------------------------------------
    def handle(self, message: Any) -> list[dict[str, Any]]:
        """Answer one client message (a parsed JSON object) with messages to send back.

        A bad message gets a single ``error`` message; the session is unchanged and
        goes on. See ``docs/playground-protocol.md``.
        """
        re = message.get("id") if isinstance(message, dict) else None
        if not (re is None or (isinstance(re, (str, int)) and not isinstance(re, bool))):
            re = None
        kind = message.get("type") if isinstance(message, dict) else None
        try:
            replies = self._dispatch(message)
        except TrainingDiverged as exc:
            replies = [self._diverged(exc), self.frame()]
        except PlaygroundError as exc:
            replies = [error_message(str(exc), exc.field, kind)]
        except (ValueError, TypeError) as exc:
            replies = [error_message(str(exc), None, kind)]
        if re is not None:
            for reply in replies:
                reply["re"] = re
        return replies

    def _dispatch(self, message: Any) -> list[dict[str, Any]]:
        if not isinstance(message, dict):
            raise PlaygroundError(
                f"a message must be a JSON object with a 'type', got {type(message).__name__}"
            )
        kind = message.get("type")
        if not isinstance(kind, str) or kind not in MESSAGE_FIELDS:
            raise PlaygroundError(
                f"unknown message type {short_repr(kind)}; valid types: "
                f"{', '.join(MESSAGE_FIELDS)}",
                "type",
            )
        allowed = {"type", "id", *MESSAGE_FIELDS[kind]}
        extra = sorted(set(message) - allowed)
        if extra:
            raise PlaygroundError(
                f"{kind} does not take {', '.join(map(repr, extra))}; it takes "
                f"{', '.join(MESSAGE_FIELDS[kind]) or 'no fields'}",
                extra[0],
            )
        for key in REQUIRED_FIELDS.get(kind, ()):
            if key not in message:
                raise PlaygroundError(f"{kind} needs a {key!r} field", key)

        if kind == "pause":
            self.playing = False
            return [self.state()]
        with self._lock:
            if kind == "config":
                before = {k: self._config[k] for k in DATA_KEYS}
                try:
                    self.configure(message["config"])
                except PlaygroundError as exc:
                    if exc.field and not exc.field.startswith("config"):
                        exc.field = f"config.{exc.field}"
                    raise
                data_changed = any(before[k] != self._config[k] for k in DATA_KEYS)
                return self._after_change(data=data_changed)
            if kind == "regenerate":
                self.regenerate()
                return self._after_change(data=True)
            if kind == "upload_csv":
                self.upload_csv(message["text"], message.get("name"))
                return self._after_change(data=True)
            if kind == "play":
                self.playing = True
                return [self.state()]
            if kind == "step":
                epochs = check_int(message.get("epochs", 1), "epochs", 1, LIMITS["max_step_epochs"])
                self.playing = False
                self.train(epochs)
                return [self.frame()]
            if kind == "reset":
                self.reset()
                return [self.state(), self.frame()]
            if kind == "speed":
                self.set_speed(message["value"])
                return [self.state()]
            if kind == "sweep":
                self.set_sweep(message["sizes"])
                return [self.state(), self.frame()]
            if kind == "export_python":
                return [{"type": "python", "code": self.python_script()}]
            if kind == "get_state":
                return [self.state()]
            # load_state
            self.load_url_state(message["state"])
            return self._after_change(data=True)

    def _after_change(self, data: bool) -> list[dict[str, Any]]:
        replies = [self.state()]
        if data:
            replies.append(self.data_message())
        replies.append(self.frame())
        return replies

    def _diverged(self, exc: TrainingDiverged) -> dict[str, Any]:
        self.playing = False
        msg = error_message(str(exc), "learning_rate", None)
        msg["code"] = "diverged"
        return msg

    def advance(self) -> list[dict[str, Any]]:
        """One tick of play: train :meth:`epochs_per_frame` epochs, return the frame.

        Returns ``[]`` when not playing, and ``[error, frame]`` when the run diverged
        (training then pauses).
        """
        with self._lock:
            if not self.playing:
                return []
            try:
                self.train(self.epochs_per_frame())
            except TrainingDiverged as exc:
                return [self._diverged(exc), self.frame()]
            return [self.frame()]

    # -- messages --------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The ``state`` message: configuration, URL state and run status."""
        with self._lock:
            return {
                "type": "state",
                "config": self.config,
                "url_state": self.to_url_state(),
                "playing": self.playing,
                "speed": self.speed,
                "epoch": self.epoch,
                "task": self._task,
                "n_classes": self._n_classes,
                "n_train": self.n_train,
                "n_test": self.n_test,
                "steps_per_epoch": self.steps_per_epoch,
                "sweep": list(self.sweep_sizes) if self.sweep_sizes else None,
                "csv_name": self._csv_name if self._config["dataset"] == "csv" else None,
                "model_file": self.model_filename,
                "notices": list(self.notices),
            }

    def data_message(self) -> dict[str, Any]:
        """The ``data`` message: the train and test points and the drawn extent."""
        d = self._data
        cast = int if self._task == "classification" else float
        return {
            "type": "data",
            "task": self._task,
            "n_classes": self._n_classes,
            "label_values": d["label_values"],
            "extent": [float(v) for v in d["extent"]],
            "target_range": [float(v) for v in d["target_range"]],
            "train": {"x": d["X_train"].tolist(), "y": [cast(v) for v in d["y_train"]]},
            "test": {"x": d["X_test"].tolist(), "y": [cast(v) for v in d["y_test"]]},
        }

    def metrics(self, model: Sequential | None = None) -> dict[str, Any]:
        """Train/test loss and accuracy (accuracy ``None`` for regression)."""
        model = model or self.model
        d = self._data
        result: dict[str, Any] = {}
        for part, F, y in (
            ("train", self._F_train, d["y_train"]),
            ("test", self._F_test, d["y_test"]),
        ):
            if F.shape[0] == 0:
                result[f"{part}_loss"] = result[f"{part}_accuracy"] = None
                continue
            out = model.predict(F)
            result[f"{part}_loss"] = _finite_or_none(_loss_of(model, out, y))
            if self._task == "classification":
                pred = self._class_probabilities(out).argmax(axis=1)
                result[f"{part}_accuracy"] = float(np.mean(pred == y))
                result[f"_{part}_pred"] = pred
            else:
                result[f"{part}_accuracy"] = None
        return result

    def _class_probabilities(self, out: np.ndarray) -> np.ndarray:
        """Turn the output layer into per-class probabilities for drawing."""
        kind = self._config["output"]
        if kind == "sigmoid_binary_cross_entropy":
            return np.column_stack([1.0 - out[:, 0], out[:, 0]])
        if kind == "quadratic":  # one sigmoid per class: normalise the scores
            scores = np.clip(out, 1e-9, None)
            return scores / scores.sum(axis=1, keepdims=True)
        return out

    def boundary(self, model: Sequential, grid: np.ndarray, size: int) -> dict[str, Any]:
        """The decision map of ``model`` over a ``size`` x ``size`` grid (see protocol)."""
        out = _draw_forward(model, grid)[-1]
        result: dict[str, Any] = {
            "width": size,
            "height": size,
            "classes": None,
            "vmin": 0.0,
            "vmax": 1.0,
        }
        if self._task == "regression":
            lo, hi = self._data["target_range"]
            result.update(
                kind="regression", vmin=lo, vmax=hi, values=_b64(_u8((out[:, 0] - lo) / (hi - lo)))
            )
            return result
        probs = self._class_probabilities(out)
        if self._n_classes == 2:
            result.update(kind="binary", values=_b64(_u8(probs[:, 1])))
        else:
            cls = probs.argmax(axis=1)
            result.update(
                kind="multiclass",
                classes=_b64(cls.astype(np.uint8)),
                values=_b64(_u8(probs[np.arange(len(cls)), cls])),
            )
        return result

    def neurons(self) -> list[dict[str, Any]]:
        """Each column of the network diagram with every unit's output map."""
        size = LIMITS["thumb"]
        units_total = self._thumb.shape[1] + sum(
            layer.units for layer in self.model.layers if isinstance(layer, Dense)
        )
        draw = units_total <= LIMITS["max_drawn_units"]
        columns: list[dict[str, Any]] = []
        a = self._thumb
        lo, hi = _ranges(a, None)
        columns.append(
            {
                "layer": "input",
                "kind": "input",
                "names": list(self._config["features"]),
                "activation": None,
                "units": a.shape[1],
                "size": size,
                "lo": lo,
                "hi": hi,
                "maps": _maps(a, lo, hi) if draw else None,
            }
        )
        dense = [layer for layer in self.model.layers if isinstance(layer, Dense)]
        outputs = _draw_forward(self.model, a) if draw else [None] * len(dense)
        for index, (layer, a) in enumerate(zip(dense, outputs)):
            act = layer.activation.name
            lo, hi = _ranges(a, act) if a is not None else (None, None)
            columns.append(
                {
                    "layer": index,
                    "kind": "output" if layer is dense[-1] else "hidden",
                    "activation": act,
                    "units": layer.units,
                    "size": size,
                    "lo": lo,
                    "hi": hi,
                    "maps": _maps(a, lo, hi) if a is not None else None,
                }
            )
        return columns

    def weights(self) -> list[dict[str, Any]]:
        """Every Dense layer's kernel and bias (float32, base64) for the connections."""
        result = []
        dense = [layer for layer in self.model.layers if isinstance(layer, Dense)]
        for i, layer in enumerate(dense):
            kernel = layer.params["kernel"]
            bias = layer.params.get("bias", np.zeros(layer.units))
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

    def confusion(self, truth: np.ndarray, pred: np.ndarray) -> list[list[int]]:
        """``confusion[t][p]``: points of true class ``t`` predicted as class ``p``."""
        k = self._n_classes
        counts = np.bincount(truth * k + pred, minlength=k * k)
        return counts.reshape(k, k).tolist()

    def frame(self) -> dict[str, Any]:
        """The ``frame`` message for the current weights (see the protocol)."""
        with self._lock, _quiet_overflow():
            m = self.metrics()
            point = [
                self.epoch,
                m["train_loss"],
                m["test_loss"],
                m["train_accuracy"],
                m["test_accuracy"],
            ]
            if not self.curve or self.curve[-1][0] != self.epoch:
                self.curve.append(point)
                self._pending_curve.append(point)
                if len(self.curve) > LIMITS["max_curve_points"]:
                    self.curve = self.curve[::2]
            confusion = None
            if self._task == "classification":
                confusion = {
                    "train": self.confusion(self._data["y_train"], m["_train_pred"]),
                    "test": (
                        self.confusion(self._data["y_test"], m["_test_pred"])
                        if "_test_pred" in m
                        else None
                    ),
                }
            frame = {
                "type": "frame",
                "epoch": self.epoch,
                "steps": self.steps,
                "reset": self._reset_flag,
                "playing": self.playing,
                "train_loss": m["train_loss"],
                "test_loss": m["test_loss"],
                "train_accuracy": m["train_accuracy"],
                "test_accuracy": m["test_accuracy"],
                "boundary": self.boundary(self.model, self._grid, LIMITS["grid"]),
                "neurons": self.neurons(),
                "weights": self.weights(),
                "confusion": confusion,
                "curve": self._pending_curve,
                "sweep": self._sweep_frame(),
            }
            self._pending_curve = []
            self._reset_flag = False
            return frame

    def _sweep_frame(self) -> dict[str, Any] | None:
        if not self._sweep_models:
            return None
        models = []
        for size, model in self._sweep_models:
            m = self.metrics(model)
            models.append(
                {
                    "hidden": size,
                    "train_loss": m["train_loss"],
                    "test_loss": m["test_loss"],
                    "train_accuracy": m["train_accuracy"],
                    "test_accuracy": m["test_accuracy"],
                    "boundary": self.boundary(model, self._sweep_grid, LIMITS["sweep_grid"]),
                }
            )
        return {"size": LIMITS["sweep_grid"], "models": models}

    # -- sharing ---------------------------------------------------------------------------
    def to_url_state(self) -> str:
        """The whole state as a URL-safe string (for ``location.hash``).

        ``"1."`` + base64url(zlib(JSON)) of the configuration, the speed, the epoch
        reached and, for an uploaded data set, its points. :meth:`from_url_state` rebuilds
        the session and replays the run to the same epoch (it is deterministic).
        """
        with self._lock:
            payload: dict[str, Any] = {
                "config": self._config,
                "speed": self.speed,
                "epoch": self.epoch,
            }
            if self.sweep_sizes:
                payload["sweep"] = self.sweep_sizes
            text = json.dumps(payload, separators=(",", ":"))
            if self._config["dataset"] == "csv" and self._csv is not None:
                # 10,000 points are ~400 kB of JSON: write it once, and compress a big
                # state quickly rather than tightly (it is sent with every "state").
                if self._csv_json is None:
                    self._csv_json = json.dumps(self._csv.tolist(), separators=(",", ":"))
                text = text[:-1] + ',"csv":' + self._csv_json + "}"
            return "1." + _pack_text(text, level=9 if len(text) < 65536 else 1)

    @classmethod
    def from_url_state(cls, state: str) -> PlaygroundSession:
        """A new session restored from :meth:`to_url_state`'s string.

        Raises
        ------
        PlaygroundError
            When the string is not a playground state or holds invalid values.
        """
        session = cls()
        session.load_url_state(state)
        return session

    def load_url_state(self, state: Any) -> None:
        """Restore a :meth:`to_url_state` string into this session (all or nothing)."""
        payload = _decode_url_state(state)
        csv = check_points(payload["csv"]) if "csv" in payload else None
        speed = check_int(payload.get("speed", DEFAULT_SPEED), "speed", 1, LIMITS["max_speed"])
        epoch = check_int(payload.get("epoch", 0), "epoch", 0, 10**9)
        sweep = payload.get("sweep")
        sizes = _sweep_sizes(sweep) if sweep is not None else None
        unknown = sorted(set(payload["config"]) - set(DEFAULT_CONFIG))
        if unknown:
            raise PlaygroundError(f"state has unknown config key(s) {', '.join(unknown)}", "state")
        config = dict(copy.deepcopy(DEFAULT_CONFIG), **payload["config"])
        with self._lock:
            saved = (self._csv, self.sweep_sizes)
            if csv is not None:
                self._csv = csv
            self.sweep_sizes = sizes or None
            try:
                self._apply_config(config, output_given=True, force_data=True)
            except PlaygroundError:
                self._csv, self.sweep_sizes = saved
                raise
            self._csv_name = None
            self.speed = speed
            # Replaying is training again: bound the work (every model of a sweep counts).
            models = 1 + len(self._sweep_models)
            most = max(0, LIMITS["max_replay_steps"] // (self.steps_per_epoch * models))
            if epoch > most:
                self.notices.append(
                    f"the link was made at epoch {epoch:,}; replayed the first {most:,} "
                    "epochs (press play to go on)"
                )
            self._replay(min(epoch, most))

    def _replay(self, epochs: int) -> None:
        """Train ``epochs`` epochs, recording about 100 curve points on the way."""
        chunk = max(1, epochs // 100)
        done = 0
        self.frame()  # the epoch-0 point of the curves
        while done < epochs:
            n = min(chunk, epochs - done)
            try:
                self.train(n)
            except TrainingDiverged:
                break
            done += n
            self.frame()
        self._pending_curve = list(self.curve)
        self._reset_flag = True

    # -- export ----------------------------------------------------------------------------
    def python_script(self) -> str:
        """A standalone script using nnscratch that reproduces this run.

        It generates (or embeds) the same data, splits it with the same seed, builds the
        same ``Sequential`` and calls ``fit`` for :attr:`epoch` epochs: its weights equal
        this session's.
        """
        from .export import python_script

        with self._lock:
            csv = self._csv if self._config["dataset"] == "csv" else None
            return python_script(self._config, self.epoch, self._task, self._n_classes, csv)

    @property
    def model_filename(self) -> str:
        """The download's file name, e.g. ``"playground-circles.nnscratch"``."""
        return model_filename(self._config)

    def save_model(self, path: str | os.PathLike[str]) -> None:
        """Save the trained model to ``path`` with :func:`nnscratch.saving.save_model`.

        The very file ``model.save(path)`` writes (atomically): load it with
        ``nnscratch.load_model(path)``. Its predictions equal this session's bit for bit;
        the inputs are the feature columns of ``config["features"]``, in that order (the
        model's ``name`` lists them). With uploaded CSV data, class ``k`` is the ``k``-th
        distinct label in sorted order.
        """
        with self._lock:
            save_model(self.model, path)

    def model_file(self) -> tuple[str, bytes]:
        """The download: ``(file name, the bytes`` :meth:`save_model` ``writes)``.

        >>> name, data = PlaygroundSession({"dataset": "moons"}).model_file()
        >>> name, data[:2]
        ('playground-moons.nnscratch', b'PK')
        """
        with self._lock, tempfile.TemporaryDirectory(prefix="nnscratch-playground-") as folder:
            name = self.model_filename
            path = os.path.join(folder, name)
            self.save_model(path)
            with open(path, "rb") as f:
                return name, f.read()


def error_message(message: str, field: str | None, request: str | None) -> dict[str, Any]:
    """An ``error`` message for the page."""
    return {
        "type": "error",
        "message": message,
        "field": field,
        "request": request if isinstance(request, str) else None,
    }


def _quiet_overflow() -> Any:
    """Silence NumPy's overflow warnings (the session reports divergence itself)."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _loss_of(model: Sequential, out: np.ndarray, y: np.ndarray) -> float:
    """What ``model.evaluate`` reports, from outputs already computed: the loss per
    example plus the weight penalty (``reduction="mean"``, the playground's)."""
    loss = model.loss
    assert loss is not None and loss.reduction == "mean"
    targets = loss.encode_targets(y, out.shape[1], out.dtype)
    return float(loss.per_example(targets, out).mean()) + model.regularization_penalty()


def _draw_forward(model: Sequential, x: np.ndarray) -> list[np.ndarray]:
    """Inference in float32 for the drawn maps; returns every Dense layer's output.

    The same arithmetic as ``model.predict`` (``a = activation(x @ W + b)``, layers without
    weights applied as they are), in single precision: plenty for a colour, and faster.
    """
    outputs = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            z = x @ layer.params["kernel"].astype(np.float32)
            if "bias" in layer.params:
                z += layer.params["bias"].astype(np.float32)
            x = layer.activation.forward(z)
            # a diverging run can leave the single-precision range: draw it at the edge
            np.nan_to_num(x, copy=False, nan=0.0, posinf=_F32_MAX, neginf=-_F32_MAX)
            outputs.append(x)
        else:
            x = layer.forward(x, training=False)
    return outputs


def _inputs(features: list[str], data: dict[str, Any]) -> dict[str, np.ndarray]:
    """The feature columns of the data and of every grid drawn, computed once per change.

    Raises ``PlaygroundError`` when a feature overflows (huge uploaded coordinates).
    """
    extent = data["extent"]
    with _quiet_overflow():
        inputs = {
            "train": make_features(data["X_train"], features),
            "test": make_features(data["X_test"], features),
            # the maps are only drawn: float32 halves the work of the biggest forward pass
            "grid": make_features(_grid_points(extent, LIMITS["grid"]), features),
            "thumb": make_features(_grid_points(extent, LIMITS["thumb"]), features),
            "sweep": make_features(_grid_points(extent, LIMITS["sweep_grid"]), features),
        }
        for key in ("grid", "thumb", "sweep"):
            inputs[key] = inputs[key].astype(np.float32)
    for values in inputs.values():
        bad = ~np.all(np.isfinite(values), axis=0)
        if bad.any():
            name = features[int(np.argmax(bad))]
            raise PlaygroundError(
                f"feature {name} is too large to compute for these points; use smaller "
                "coordinates or other features",
                "features",
            )
    return inputs


def _grid_points(extent: Sequence[float], size: int) -> np.ndarray:
    """Cell centres of a size x size grid; row 0 is the top (largest x2)."""
    xmin, xmax, ymin, ymax = extent
    dx, dy = (xmax - xmin) / size, (ymax - ymin) / size
    xs = xmin + dx * (np.arange(size) + 0.5)
    ys = ymax - dy * (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _ranges(a: np.ndarray, activation: str | None) -> tuple[list[float], list[float]]:
    fixed = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0)}
    if activation in fixed:
        lo, hi = fixed[activation]
        return [lo] * a.shape[1], [hi] * a.shape[1]
    a = a.astype(np.float64)  # the span of float32 extremes overflows float32
    lo = a.min(axis=0)
    hi = a.max(axis=0)
    hi = np.where(hi > lo, hi, lo + 1.0)
    return [float(v) for v in lo], [float(v) for v in hi]


def _maps(a: np.ndarray, lo: list[float], hi: list[float]) -> str:
    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    scaled = _u8((a.astype(np.float64) - lo_a) / (hi_a - lo_a))  # (cells, units)
    return _b64(scaled.T)  # unit-major: unit u's cells are contiguous


def _pack_text(text: str, level: int = 9) -> str:
    """Text, zlib-compressed, in URL-safe base64 without padding."""
    packed = zlib.compress(text.encode("utf-8"), level)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _unpack(packed: str) -> Any:
    """Undo :func:`_pack_text` and parse the JSON; refuse what inflates past the limit."""
    limit = LIMITS["max_message_chars"]
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, 8 * limit)
        if inflater.unconsumed_tail:
            raise PlaygroundError("state unpacks to too much data", "state")
        return json.loads(text.decode("utf-8"))
    except PlaygroundError:
        raise
    except (ValueError, zlib.error, UnicodeDecodeError, RecursionError) as exc:
        raise PlaygroundError(f"state is damaged and cannot be read ({exc})", "state") from None


def _decode_url_state(state: Any) -> dict[str, Any]:
    if not isinstance(state, str):
        raise PlaygroundError(f"state must be a string, got {type(state).__name__}", "state")
    limit = LIMITS["max_message_chars"]
    if len(state) > limit:
        raise PlaygroundError(f"state is {len(state):,} characters; at most {limit:,}", "state")
    parts = state.lstrip("#").split(".")
    if parts[0] != "1" or len(parts) != 2 or not parts[1]:
        raise PlaygroundError(
            "state is not a playground state (expected '1.' followed by base64url data)",
            "state",
        )
    payload = _unpack(parts[1])
    if not isinstance(payload, dict) or not isinstance(payload.get("config"), dict):
        raise PlaygroundError("state holds no configuration", "state")
    extra = sorted(set(payload) - {"config", "speed", "epoch", "csv", "sweep"})
    if extra:
        raise PlaygroundError(f"state has unknown key(s) {', '.join(extra)}", "state")
    return payload


def _sweep_sizes(sizes: Any) -> list[int]:
    if not isinstance(sizes, list) or len(sizes) > LIMITS["max_sweep_models"]:
        raise PlaygroundError(
            f"sizes must be a list of at most {LIMITS['max_sweep_models']} hidden sizes "
            f"(integers 1..{LIMITS['max_units']}), got {short_repr(sizes)}",
            "sizes",
        )
    return [check_int(s, f"sizes[{i}]", 1, LIMITS["max_units"]) for i, s in enumerate(sizes)]
