"""nnscratch: neural networks from scratch in NumPy, for learning and experimenting.

A small, readable engine (:mod:`nnscratch.engine`) that reproduces the classic tutorials
(WildML's "Implementing a Neural Network from Scratch", Nielsen's "Neural Networks and
Deep Learning") and the interfaces their readers know: Keras-style models, scikit-learn
estimators, Nielsen's ``Network``.

>>> from nnscratch import Sequential
>>> from nnscratch.layers import Dense
>>> model = Sequential([Dense(3, activation="tanh", input_dim=2), Dense(2, activation="softmax")])
"""

try:
    from . import engine, optimizers
    from .engine import *  # noqa: F403  (layers, callbacks, TrainingDiverged)
    from .engine.optimizers import SGD, Adagrad, Adam, RMSprop
    from .engine.regularizers import l1, l1_l2, l2
    from .models import Sequential as Sequential  # the engine's, plus progress, Ctrl-C, save
    from .models import load_model
    from .saving import ModelFileError
except (KeyboardInterrupt, ImportError) as exc:  # Ctrl-C while the command starts: _startup
    from ._startup import exit_if_command, interrupted

    if interrupted(exc):
        exit_if_command()
    raise

__version__ = "0.2.0"

# The engine's names (its plain_path switch stays in nnscratch.engine), then the facade's.
__all__ = [
    *(name for name in engine.__all__ if name != "plain_path"),
    "SGD",
    "Adagrad",
    "Adam",
    "ModelFileError",
    "RMSprop",
    "__version__",
    "l1",
    "l1_l2",
    "l2",
    "load_model",
    "optimizers",
]
