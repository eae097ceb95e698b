"""The models of one run and their training: the main network and the sweep's.

A :class:`Run` starts at epoch 0 from the configuration's seed and trains with the
engine's own ``fit``, whole epochs at a time: training ``3 + 3`` epochs gives the same
weights as ``fit(epochs=6)``, which is what "copy as Python" runs. The sweep's models
(one hidden layer of each size) train alongside, on the same data.
"""

from __future__ import annotations

from typing import Any

from ...engine.callbacks import History
from ...engine.model import Sequential, TrainingDiverged
from .build import build_model
from .dataset import Data, Inputs
from .frames import quiet_overflow

__all__ = ["Run"]


class Run:
    """The main model, the sweep's models, and how far they have trained.

    Parameters
    ----------
    config : dict
        A validated configuration.
    data, inputs : Data, Inputs
        The points and the feature columns the models train on.
    sweep_sizes : list of int, optional
        Hidden sizes of the sweep's one-hidden-layer models (their activation is the
        first hidden layer's, tanh when there is none).
    """

    def __init__(
        self, config: dict[str, Any], data: Data, inputs: Inputs, sweep_sizes: list[int] | None
    ) -> None:
        self.data = data
        self.inputs = inputs
        n_features = inputs.train.shape[1]
        self.model = build_model(config, n_features, data.task, data.n_classes)
        hidden = config["hidden_layers"]
        activation = hidden[0]["activation"] if hidden else "tanh"
        self.sweep: list[tuple[int, Sequential]] = []
        for size in sweep_sizes or []:
            cfg = dict(config, hidden_layers=[{"units": size, "activation": activation}])
            self.sweep.append((size, build_model(cfg, n_features, data.task, data.n_classes)))
        n_train = inputs.train.shape[0]
        b = config["batch_size"]
        #: examples per gradient step; None for full-batch gradient descent
        self.batch_size: int | None = None if b == "full" or b >= n_train else int(b)
        self.steps_per_epoch = 1 if self.batch_size is None else -(-n_train // self.batch_size)
        self.epoch = 0
        self.steps = 0

    @property
    def models(self) -> list[Sequential]:
        """The main model first, then the sweep's."""
        return [self.model] + [m for _, m in self.sweep]

    def most_epochs(self, steps: int) -> int:
        """Whole epochs that fit in ``steps`` gradient steps of all models (at least 0)."""
        return max(0, steps // (self.steps_per_epoch * len(self.models)))

    def train(self, epochs: int) -> None:
        """Train every model ``epochs`` epochs with ``fit``.

        Raises
        ------
        TrainingDiverged
            When the main model's loss becomes NaN or infinite (it keeps its last finite
            weights). A diverged sweep model keeps its last finite weights and waits.
        """
        # A diverging run overflows on its way to an infinite loss; the engine detects
        # that and raises TrainingDiverged, which the page is told about.
        with quiet_overflow():
            for model in self.models:
                model.history = History()  # keep memory flat over long runs
                try:
                    model.fit(
                        self.inputs.train,
                        self.data.y_train,
                        epochs=epochs,
                        batch_size=self.batch_size,
                        shuffle=True,
                        verbose=0,
                    )
                except TrainingDiverged as exc:
                    if model is self.model:
                        self.epoch += exc.epoch
                        self.steps += exc.epoch * self.steps_per_epoch
                        raise
        self.epoch += epochs
        self.steps += epochs * self.steps_per_epoch
