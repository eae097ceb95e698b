"""Keras-style module paths over the nnscratch engine.

Code written for Keras runs with one word changed, ``keras`` -> ``nnscratch.keras``::

    from nnscratch.keras.models import Sequential
    from nnscratch.keras.layers.core import Dense, Activation, Dropout
    from nnscratch.keras.regularizers import l1_l2

    model = Sequential()
    model.add(Dense(3, input_dim=2, kernel_regularizer=l1_l2(l1=0.0, l2=0.01)))
    model.add(Activation("tanh"))
    model.add(Dropout(0.2))
    model.add(Dense(2))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])

Everything here *is* the engine's object, not a copy: ``nnscratch.keras.layers.Dense is
nnscratch.layers.Dense``. Old spellings that tutorials still show are accepted with a
``DeprecationWarning`` naming the new one: ``l1l2`` (now ``l1_l2``),
``Dense(output_dim=, init=, W_regularizer=)``, ``fit(nb_epoch=)``, ``SGD(lr=, decay=)``.

Submodules: ``models``, ``layers`` (and ``layers.core``), ``regularizers``,
``optimizers`` (and ``optimizers.schedules``), ``callbacks``, ``losses``, ``utils``.
"""

from . import callbacks, layers, losses, models, optimizers, regularizers, utils
from .models import Sequential, load_model

__all__ = [
    "Sequential",
    "callbacks",
    "layers",
    "load_model",
    "losses",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]
