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

Training is reproducible: data, split, initial weights and shuffling all derive from
``config["seed"]``, so :meth:`~PlaygroundSession.python_script` writes a script that
reaches the very same weights and :meth:`~PlaygroundSession.to_url_state` a link.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from typing import Any

import numpy as np

from ...engine.model import TrainingDiverged
from ..delegation import delegated
from . import export, protocol, urlstate
from .build import FEATURES, make_features, model_filename, n_outputs_for
from .dataset import Data, Inputs, make_data, make_inputs
from .frames import Curve, Interrupted, Painter
from .protocol import available_features, options
from .schema import (
    CLASSIFICATION_OUTPUTS,
    DATA_KEYS,
    DEFAULT_CONFIG,
    DEFAULT_SPEED,
    LIMITS,
    MAX_SEED,
    REGRESSION_OUTPUTS,
    RUN_SETTING,
    PlaygroundError,
    check_int,
    validate_config,
)
from .training import Run, Stop, check_work
from .uploads import parse_csv

__all__ = [
    "DEFAULT_CONFIG",
    "FEATURES",
    "LIMITS",
    "PlaygroundError",
    "PlaygroundSession",
    "available_features",
    "make_features",
    "options",
    "parse_csv",
    "validate_config",
]


#: seconds of training a ``step`` message may take (at least one epoch is done)
STEP_SECONDS = 10.0


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
        #: when the work under way should stop (a pause, a closed tab, a shutdown)
        self.cancelled = Stop()
        self._version = self._drawn = 0  # changes of the weights, and the one drawn last
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

    task = delegated("data.task", '``"classification"`` or ``"regression"``.')
    n_classes = delegated("data.n_classes", "Number of classes (1 for regression).")

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
        n_out = n_outputs_for(config["output"], data.task, data.n_classes)
        check_work(config, inputs.train.shape[1], n_out, inputs.train.shape[0])
        # Everything checked: commit.
        self._config = config
        self.data: Data = data
        self.inputs: Inputs = inputs
        self._painter = Painter(data, inputs, config["output"], config["features"])
        self._painter.cancel = self.cancelled
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
        self.run = Run(self._config, self.data, self.inputs, self.sweep_sizes, self._lock)
        self.curve = Curve()
        self.playing = False
        self._version += 1

    def close(self) -> None:
        """The tab is gone or the server stops: stop all work, now and later."""
        self.cancelled.close()
        self.playing = False

    @property
    def frame_owed(self) -> bool:
        """The weights changed since the last frame (one was given up half-way)."""
        return self._drawn != self._version

    model = delegated("run.model", "The network being trained (a ``Sequential``).")
    epoch = delegated("run.epoch", "Epochs trained since the model was (re)built.", settable=True)
    steps = delegated("run.steps", "Gradient steps since the model was (re)built.")

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

    batch_size = delegated(
        "run.batch_size", "Examples per gradient step; ``None`` for full-batch gradient descent."
    )
    steps_per_epoch = delegated("run.steps_per_epoch", "Gradient steps in one epoch.")

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
        self.train_for(epochs)

    def train_for(self, epochs: int, seconds: float | None = None) -> int:
        """Train up to ``epochs`` epochs, about ``seconds`` at most; return those done."""
        try:
            done = self.run.train(epochs, self.cancelled, seconds)
        except TrainingDiverged:
            self.playing = False
            self._version += 1
            raise
        if done:
            self._version += 1
        return done

    def step(self, epochs: int) -> int:
        """Train for a ``step`` message: ``epochs`` epochs within the budgets.

        At most ``LIMITS["max_replay_steps"]`` gradient steps of all models (at least one
        epoch) and about :data:`STEP_SECONDS` of work; a ``pause`` stops it sooner.
        Returns the epochs done; when that is fewer, :attr:`notices` says why.
        """
        most = max(1, self.run.most_epochs(LIMITS["max_replay_steps"]))
        if epochs > most:
            raise PlaygroundError(
                f"epochs must be at most {most:,} here: a step trains at most "
                f"{LIMITS['max_replay_steps']:,} gradient steps of all models, and one "
                f"epoch is {self.steps_per_epoch:,} steps",
                "epochs",
            )
        done = self.train_for(epochs, STEP_SECONDS)
        if done < epochs:
            why = "stopped" if self.cancelled() else f"stopped after about {STEP_SECONDS:g} s"
            self.notices = [
                f"the step {why} at epoch {self.epoch:,} ({done:,} of {epochs:,} epochs)"
            ]
        return done

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
                self.train_for(self.epochs_per_frame())
            except TrainingDiverged as exc:
                return [self.diverged(exc), *self.reply_frames()]
            return self.reply_frames()

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
        """The ``frame`` message for the current weights (see the protocol).

        Raises :class:`~.frames.Interrupted` when the session is told to stop half-way.
        """
        with self._lock:
            version = self._version
            frame = self._painter.frame(self.run)
            self.curve.add(frame)
            frame.update(type="frame", playing=self.playing, **self.curve.take())
            self._drawn = version
            return frame

    def reply_frames(self) -> list[dict[str, Any]]:
        """``[frame]``, or ``[]`` when the work was stopped (the frame is then owed)."""
        if self.cancelled():
            return []
        try:
            return [self.frame()]
        except Interrupted:
            return []

    # -- sharing ---------------------------------------------------------------------------
    def to_url_state(self) -> str:
        """The whole run as link text (for ``location.hash``; see :mod:`.urlstate`).

        The configuration, the speed, the epoch reached, the sweep and, for an uploaded
        data set, its points. :meth:`from_url_state` rebuilds the session and replays the
        run to the same epoch (it is deterministic).
        """
        with self._lock:
            return urlstate.session_state(self)

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
        urlstate.restore(self, state)

    def csv_json(self) -> str | None:
        """The uploaded points as JSON (made once: 10,000 points are ~400 kB), if in use."""
        if self._config["dataset"] != "csv" or self._csv is None:
            return None
        if self._csv_json is None:
            self._csv_json = json.dumps(self._csv.tolist(), separators=(",", ":"))
        return self._csv_json

    # -- export ----------------------------------------------------------------------------
    def python_script(self) -> str:
        """A standalone script using nnscratch that reproduces this run.

        It generates (or embeds) the same data, splits it with the same seed, builds the
        same ``Sequential`` and calls ``fit`` for :attr:`epoch` epochs: its weights equal
        this session's.
        """
        with self._lock:
            csv = self._csv if self._config["dataset"] == "csv" else None
            return export.python_script(self._config, self.epoch, self.task, self.n_classes, csv)

    @property
    def model_filename(self) -> str:
        """The download's file name, e.g. ``"playground-circles.nnscratch"``."""
        return model_filename(self._config)

    def save_model(self, path: str | os.PathLike[str]) -> None:
        """Save the trained model to ``path`` (see :func:`.export.save_model`)."""
        with self._lock:
            export.save_model(self.model, path)

    def model_file(self) -> tuple[str, bytes]:
        """The download: ``(file name, the bytes`` :meth:`save_model` ``writes)``.

        >>> name, data = PlaygroundSession({"dataset": "moons"}).model_file()
        >>> name, data[:2]
        ('playground-moons.nnscratch', b'PK')
        """
        with self._lock:
            return self.model_filename, export.model_bytes(self.model, self.model_filename)
