"""nnscratch: neural networks from scratch in NumPy, for learning and experimenting.

A small, readable engine (:mod:`nnscratch.engine`) that reproduces the classic tutorials
(WildML's "Implementing a Neural Network from Scratch", Nielsen's "Neural Networks and
Deep Learning") and the interfaces their readers know: Keras-style models, scikit-learn
estimators, Nielsen's ``Network``.

>>> from nnscratch import Sequential
>>> from nnscratch.layers import Dense
>>> model = Sequential([Dense(3, activation="tanh", input_dim=2), Dense(2, activation="softmax")])
"""

from . import optimizers
from .engine.callbacks import Callback, History, LambdaCallback
from .engine.layers import Activation, Dense, Dropout, Flatten, Layer, register_layer
from .engine.optimizers import SGD, Adagrad, Adam, RMSprop
from .engine.regularizers import l1, l1_l2, l2
from .engine.training import TrainingDiverged
from .models import Sequential, load_model
from .saving import ModelFileError

__version__ = "0.2.0"

__all__ = [
    "SGD",
    "Activation",
    "Adagrad",
    "Adam",
    "Callback",
    "Dense",
    "Dropout",
    "Flatten",
    "History",
    "LambdaCallback",
    "Layer",
    "ModelFileError",
    "RMSprop",
    "Sequential",
    "TrainingDiverged",
    "__version__",
    "l1",
    "l1_l2",
    "l2",
    "load_model",
    "optimizers",
    "register_layer",
]
