"""Keras-style module paths over the nnscratch engine.

Code written for Keras runs with one word changed, ``keras`` -> ``nnscratch.keras``::

    from nnscratch.keras.datasets import mnist
    from nnscratch.keras.models import Sequential
    from nnscratch.keras.layers import Dense, Dropout
    from nnscratch.keras.optimizers import RMSprop

    model = Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    model.summary()
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])

and ``import nnscratch.keras as keras`` gives ``keras.Input``, ``keras.Model``,
``keras.Sequential``, ``keras.utils.to_categorical``, ``keras.backend`` and the rest.

Everything here is the engine's object or a thin subclass of it: ``nnscratch.keras.layers.Dense``
is ``nnscratch.layers.Dense`` plus Keras' calls (``layer(inputs)``, ``get_weights``). Old
spellings that tutorials still show are accepted with a ``DeprecationWarning`` naming the
new one: ``l1l2`` (now ``l1_l2``), ``Dense(output_dim=, init=, W_regularizer=)``,
``fit(nb_epoch=)``, ``SGD(lr=, decay=)``, ``predict_classes`` and ``predict_proba``.
What differs from Keras on purpose is listed in ``docs/keras.md``.

Submodules: ``models``, ``layers`` (and ``layers.core``), ``activations``, ``initializers``,
``regularizers``, ``optimizers`` (and ``optimizers.schedules``), ``callbacks``, ``losses``,
``metrics``, ``utils``, ``datasets``, ``backend``, ``saving``.
"""

from typing import Any

from . import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from ._refusals import missing
from .functional import Input, Model
from .models import Sequential, load_model

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "callbacks",
    "datasets",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "saving",
    "utils",
]


_MISSING = {
    "ops": (
        "there is no keras.ops: code written with it (a loss, a layer's call) relies on "
        "automatic differentiation; a metric function can use NumPy or "
        "nnscratch.keras.backend, a layer defines forward and backward"
    ),
    "applications": "there are no pretrained models; build the network layer by layer",
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)
