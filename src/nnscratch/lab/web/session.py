"""One playground session: the configuration, the data, the model and its training.

The web page only draws. Everything it shows comes from a :class:`PlaygroundSession`
(one per browser tab), which holds all of a run's state (no module globals):

* the configuration, checked by the table of settings in :mod:`.schema`,
* the data (:mod:`.dataset`) and an engine ``Sequential`` built from the configuration
  (:mod:`.build`), trained with ``fit`` a few epochs at a time,
* the frames, drawn from the model's own ``predict``, ``trace`` and ``evaluate``
  (:mod:`.frames`),
* the link that restores the run (:mod:`.urlstate`); :mod:`.protocol` answers the
  page's messages.

Nothing here needs the web server: a session can be driven from a notebook or a test::

    >>> from nnscratch.lab.web.session import PlaygroundSession
    >>> s = PlaygroundSession({"dataset": "moons", "hidden_layers": [{"units": 3}]})
    >>> s.train(5)
    >>> s.epoch
    5

Training is reproducible: the data, the split, the initial weights and the shuffling all
derive from ``config["seed"]``, so :meth:`PlaygroundSession.python_script` can write a
plain script that reaches the very same weights, and :meth:`~PlaygroundSession.to_url_state`
fits a whole run into a link.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from typing import Any

import numpy as np

from ...engine.model import Sequential, TrainingDiverged
from ...saving import save_model
from . import protocol, urlstate
from .build import FEATURES, make_features, model_filename
from .dataset import Data, Inputs, make_data, make_inputs
from .frames import Curve, Painter
from .protocol import available_features, options
from .schema import (
    CLASSIFICATION_OUTPUTS,
    DATA_KEYS,
    DEFAULT_CONFIG,
    DEFAULT_SPEED,
    DEFAULT_SWEEP,
    FRAME_RATE,
    LIMITS,
    MAX_SEED,
    PROTOCOL_VERSION,
    REGRESSION_OUTPUTS,
    RUN_SETTING,
    PlaygroundError,
    check_int,
    validate_config,
)
from .training import Run
from .uploads import check_points, parse_csv

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
    "make_features",
    "options",
    "parse_csv",
    "validate_config",
]


class PlaygroundSession:
    """Everything one browser tab sees: configuration, data, model, training and frames.

    Parameters
    ----------
    config : dict, optional
        A partial configuration merged into :data:`DEFAULT_CONFIG` (see
        ``docs/playground-protocol.md`` for every key and its range).

    Attributes
    ----------
    model : Sequential
        The network being trained.
    data : Data
        The points (train and test), the task and the drawn extent.
    inputs : Inputs
        The feature columns the network sees, for the points and the drawn grids.
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
        self._csv: np.ndarray | None = None  # uploaded points (x1, x2, label)
        self._csv_json: str | None = None  # their JSON for the link, made once
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

    # -- configuration ---------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """A copy of the current (validated) configuration."""
        return copy.deepcopy(self._config)

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return self.data.task

    @property
    def n_classes(self) -> int:
        """Number of classes (1 for regression)."""
        return self.data.n_classes

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
        data_changed = (
            force_data
            or not self._config
            or any(config[k] != self._config.get(k) for k in DATA_KEYS)
        )
        data = make_data(config, self._csv) if data_changed else self.data
        notices: list[str] = []
        allowed = CLASSIFICATION_OUTPUTS if data.task == "classification" else REGRESSION_OUTPUTS
        if data.n_classes != 2:
            allowed = tuple(o for o in allowed if o != "sigmoid_binary_cross_entropy")
        if config["output"] not in allowed:
            what = (
                f"{data.n_classes}-class classification"
                if data.task == "classification"
                else "regression"
            )
            if output_given:
                raise PlaygroundError(
                    f"output {config['output']!r} does not fit {what} data; valid: "
                    f"{', '.join(allowed)}",
                    "output",
                )
            new = "softmax_cross_entropy" if data.task == "classification" else "mse"
            notices.append(f"output changed from {config['output']} to {new} for {what} data")
            config["output"] = new
        inputs = make_inputs(config["features"], data)
        # Everything checked: commit.
        self._config = config
        self.data: Data = data
        self.inputs: Inputs = inputs
        self._painter = Painter(data, inputs, config["output"], config["features"])
        self._build()
        self.notices = notices
        return notices

    @property
    def n_train(self) -> int:
        return int(self.data.X_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.data.X_test.shape[0])

    def data_message(self) -> dict[str, Any]:
        """The ``data`` message: the train and test points and the drawn extent."""
        return self.data.message()

    def upload_csv(self, text: Any, name: Any = None) -> list[str]:
        """Use the points of an uploaded CSV (see :func:`parse_csv`) as the data set."""
        X, y, _task, labels = parse_csv(text)
        points = np.column_stack([X, np.asarray(labels, dtype=float)[y] if labels else y])
        if name is not None and not isinstance(name, str):
            raise PlaygroundError(f"name must be a string, got {type(name).__name__}", "name")
        with self._lock:
            previous = self._csv, self._csv_json
            self._csv, self._csv_json = points, None
            try:
                notices = self._apply_config(
                    dict(self._config, dataset="csv"), output_given=False, force_data=True
                )
            except PlaygroundError:
                self._csv, self._csv_json = previous
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
        self.run = Run(self._config, self.data, self.inputs, self.sweep_sizes)
        self.curve = Curve()
        self.playing = False

    @property
    def model(self) -> Sequential:
        """The network being trained."""
        return self.run.model

    @property
    def epoch(self) -> int:
        """Epochs trained since the model was (re)built."""
        return self.run.epoch

    @epoch.setter
    def epoch(self, value: int) -> None:
        self.run.epoch = value

    @property
    def steps(self) -> int:
        """Gradient steps since the model was (re)built."""
        return self.run.steps

    def reset(self) -> None:
        """New initial weights (the same ones for the same seed); epoch 0."""
        with self._lock:
            self._build()

    def set_speed(self, value: Any) -> None:
        """Gradient steps per frame while playing, 1..1000."""
        self.speed = RUN_SETTING["speed"].check(value, "value")

    def set_sweep(self, sizes: Any) -> None:
        """Train one-hidden-layer models of these sizes alongside (``[]`` stops)."""
        clean = RUN_SETTING["sweep"].check(sizes, "sizes")
        with self._lock:
            self.sweep_sizes = clean or None
            self._build()  # the sweep models start with the main model: restart the run

    @property
    def batch_size(self) -> int | None:
        """Examples per gradient step; ``None`` for full-batch gradient descent."""
        return self.run.batch_size

    @property
    def steps_per_epoch(self) -> int:
        return self.run.steps_per_epoch

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
            try:
                self.run.train(epochs)
            except TrainingDiverged:
                self.playing = False
                raise

    def step(self, epochs: int) -> None:
        """Train ``epochs`` epochs for a ``step`` message."""
        self.train(epochs)

    def epochs_per_frame(self) -> int:
        """Whole epochs per frame that come closest to :attr:`speed` steps (at least 1)."""
        return max(1, round(self.speed / self.steps_per_epoch))

    # -- messages --------------------------------------------------------------------------
    def handle(self, message: Any) -> list[dict[str, Any]]:
        """Answer one client message (see :func:`.protocol.handle`)."""
        return protocol.handle(self, message)

    def diverged(self, exc: TrainingDiverged) -> dict[str, Any]:
        """The ``error`` message (code ``"diverged"``) for a run whose loss blew up."""
        self.playing = False
        msg = protocol.error_message(str(exc), "learning_rate", None)
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
                return [self.diverged(exc), self.frame()]
            return [self.frame()]

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
                "task": self.task,
                "n_classes": self.n_classes,
                "n_train": self.n_train,
                "n_test": self.n_test,
                "steps_per_epoch": self.steps_per_epoch,
                "sweep": list(self.sweep_sizes) if self.sweep_sizes else None,
                "csv_name": self._csv_name if self._config["dataset"] == "csv" else None,
                "model_file": self.model_filename,
                "notices": list(self.notices),
            }

    def frame(self) -> dict[str, Any]:
        """The ``frame`` message for the current weights (see the protocol)."""
        with self._lock:
            frame = self._painter.frame(self.run)
            self.curve.add(frame)
            frame.update(type="frame", playing=self.playing, **self.curve.take())
            return frame

    # -- sharing ---------------------------------------------------------------------------
    def to_url_state(self) -> str:
        """The whole state as link text (for ``location.hash``; see :mod:`.urlstate`).

        The configuration, the speed, the epoch reached, the sweep and, for an uploaded
        data set, its points. :meth:`from_url_state` rebuilds the session and replays the
        run to the same epoch (it is deterministic).
        """
        with self._lock:
            csv_json = None
            if self._config["dataset"] == "csv" and self._csv is not None:
                if self._csv_json is None:  # 10,000 points are ~400 kB: write it once
                    self._csv_json = json.dumps(self._csv.tolist(), separators=(",", ":"))
                csv_json = self._csv_json
            run = {"speed": self.speed, "epoch": self.epoch, "sweep": self.sweep_sizes}
            return urlstate.encode(self._config, run, csv_json)

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
        payload = urlstate.decode(state)
        csv = check_points(payload["csv"]) if "csv" in payload else None
        speed = payload.get("speed", DEFAULT_SPEED)
        epoch = payload.get("epoch", 0)
        config = dict(copy.deepcopy(DEFAULT_CONFIG), **payload["config"])
        with self._lock:
            saved = (self._csv, self._csv_json, self.sweep_sizes)
            if csv is not None:
                self._csv, self._csv_json = csv, None
            self.sweep_sizes = payload.get("sweep") or None
            try:
                self._apply_config(config, output_given=True, force_data=True)
            except PlaygroundError:
                self._csv, self._csv_json, self.sweep_sizes = saved
                raise
            self._csv_name = None
            self.speed = speed
            # Replaying is training again: bound the work (every model of a sweep counts).
            most = self.run.most_epochs(LIMITS["max_replay_steps"])
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
        self.curve.replayed()

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
            return python_script(self._config, self.epoch, self.task, self.n_classes, csv)

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
