"""The estimators' network: an engine ``Sequential`` of ``Dense`` layers, seen as
scikit-learn's ``coefs_`` and ``intercepts_``.

``coefs_[i]`` and ``intercepts_[i]`` are the very arrays the engine trains (layer ``i``'s
``kernel`` and ``bias``), not copies: what one shows, the other has. scikit-learn code
may also *assign* them (``clf.coefs_ = [...]``, as scikit-learn's own tests do to set
known weights); :func:`attach` copies assigned arrays into the engine before the next
prediction or training step.

lbfgs optimises one flat vector of every weight; :func:`pack` and :func:`unpack` convert,
in scikit-learn's order (all kernels, then all biases).

Sparse inputs
-------------
The engine's layers take dense arrays. A scipy.sparse ``X`` is therefore densified:
for prediction in chunks of rows (at most :data:`CHUNK_BYTES` at a time, so any size
works), for training all at once, and only if the dense copy needs at most
:data:`MAX_DENSE_BYTES`; otherwise ``fit`` refuses with the size it would need.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse

from ..engine import activations
from ..engine.activations import Activation
from ..engine.layers import Dense
from ..engine.layers.base import _size
from ..engine.losses import Loss
from ..engine.model import Sequential
from ._losses import UniformInit

__all__ = [
    "CHUNK_BYTES",
    "MAX_DENSE_BYTES",
    "attach",
    "build_network",
    "dense",
    "pack",
    "predict_in_chunks",
    "relink",
    "set_hidden_activation",
    "unpack",
]

#: the largest dense copy of a sparse X that ``fit`` makes (change it to allow more)
MAX_DENSE_BYTES = 2 * 1024**3
#: rows of a sparse X are densified for prediction this many bytes at a time
CHUNK_BYTES = 64 * 1024**2


def build_network(
    layer_units: Sequence[int],
    hidden: str | Activation,
    output: str | Activation,
    logistic_factor: bool,
    rng: Any,
    dtype: np.dtype,
) -> Sequential:
    """The engine model for ``layer_units = [n_features, *hidden sizes, n_outputs]``,
    with scikit-learn's initial weights drawn from ``rng``."""
    factor = 2.0 if logistic_factor else 6.0
    layers = []
    for i, (fan_in, fan_out) in enumerate(pairwise(layer_units)):
        init = UniformInit(fan_in, fan_out, factor)
        last = i == len(layer_units) - 2
        layers.append(
            Dense(
                fan_out,
                activation=output if last else hidden,
                kernel_initializer=init,
                bias_initializer=init,
            )
        )
    model = Sequential(layers, seed=rng, dtype=str(np.dtype(dtype)))
    model.build(layer_units[0])
    return model


def set_hidden_activation(model: Sequential, hidden: str) -> None:
    """Make every hidden layer of ``model`` use the activation named ``hidden``.

    scikit-learn reads ``activation`` at each forward pass, so after
    ``set_params(activation="tanh")`` a fitted ``MLPClassifier`` predicts, and continues
    training (``warm_start``, ``partial_fit``), with tanh on the weights it has. The
    estimators call this before predicting or continuing, to do the same.
    """
    for layer in model.layers[:-1]:
        if layer.activation.name != hidden:
            layer.activation = activations.get(hidden)


def views(model: Sequential) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(coefs_, intercepts_)``: the model's kernels and biases, the arrays themselves."""
    return (
        [layer.params["kernel"] for layer in model.layers],
        [layer.params["bias"] for layer in model.layers],
    )


def attach(estimator: Any, hidden: str | Activation, output: str | Activation, loss: Loss) -> None:
    """Make ``estimator.model_`` hold ``coefs_`` / ``intercepts_``.

    Arrays assigned by the user are copied into the engine's (checking their shapes) and
    the lists then point at the engine's arrays again. Without a ``model_`` (weights set
    by hand on an unfitted estimator) the model is built from their shapes.
    """
    coefs, intercepts = estimator.coefs_, estimator.intercepts_
    model = getattr(estimator, "model_", None)
    if model is None:
        units = [np.shape(coefs[0])[0], *(np.shape(c)[1] for c in coefs)]
        dtype = np.result_type(*(np.asarray(c).dtype for c in coefs), np.float32)
        model = build_network(units, hidden, output, False, np.random.RandomState(0), dtype)
        model.compile(loss=loss)
        estimator.model_ = model
    kernels, biases = views(model)
    if all(a is b for a, b in zip(coefs, kernels)) and all(
        a is b for a, b in zip(intercepts, biases)
    ):
        if len(coefs) == len(kernels) and len(intercepts) == len(biases):
            return
    if len(coefs) != len(kernels) or len(intercepts) != len(biases):
        raise ValueError(
            f"coefs_ and intercepts_ must have one array per layer ({len(kernels)}), got "
            f"{len(coefs)} and {len(intercepts)}"
        )
    for name, given, mine in (("coefs_", coefs, kernels), ("intercepts_", intercepts, biases)):
        for i, (g, m) in enumerate(zip(given, mine)):
            g = np.asarray(g)
            if g.size != m.size or (g.ndim > 1 and g.shape != m.shape):
                raise ValueError(f"{name}[{i}] must have shape {m.shape}, got {g.shape}")
            np.copyto(m, g.reshape(m.shape), casting="same_kind")
    estimator.coefs_, estimator.intercepts_ = kernels, biases


def relink(model: Sequential) -> None:
    """Make each layer's weight attribute (``layer.kernel``) its ``params`` entry again.

    joblib stores NumPy arrays outside pickle's memo, so two names for one array come
    back from ``joblib.load`` as two arrays: training would update one and predicting
    read the other. Called when an estimator is unpickled.
    """
    for layer in model.layers:
        for key, array in layer.params.items():
            if isinstance(getattr(layer, key, None), np.ndarray):
                setattr(layer, key, array)


def pack(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray]) -> np.ndarray:
    """Every weight in one vector: the kernels, then the biases (scikit-learn's order)."""
    return np.concatenate([np.ravel(a) for a in [*coefs, *intercepts]])


def unpack(packed: np.ndarray, coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray]):
    """Copy ``packed`` (from :func:`pack`) back into the arrays, in place."""
    start = 0
    for a in [*coefs, *intercepts]:
        a[...] = packed[start : start + a.size].reshape(a.shape)
        start += a.size


def dense(X: Any, what: str = "X") -> np.ndarray:
    """``X`` as a dense array; a sparse matrix only if its copy fits MAX_DENSE_BYTES."""
    if not scipy.sparse.issparse(X):
        return X
    nbytes = X.shape[0] * X.shape[1] * X.dtype.itemsize
    if nbytes > MAX_DENSE_BYTES:
        raise ValueError(
            f"{what} is a sparse {X.shape[0]} x {X.shape[1]} matrix; training densifies it, "
            f"which would need {_size(nbytes)}, more than the limit of "
            f"{_size(MAX_DENSE_BYTES)} (nnscratch.sklearn.MAX_DENSE_BYTES). Reduce the "
            f"features first (e.g. TruncatedSVD or SelectKBest), pass float32 data, or "
            f"raise the limit if this machine has the memory"
        )
    return X.toarray()


def predict_in_chunks(model: Sequential, X: Any) -> np.ndarray:
    """``model.predict(X)``; a sparse ``X`` is densified CHUNK_BYTES of rows at a time."""
    if not scipy.sparse.issparse(X):
        return model.predict(X)
    X = X.tocsr()
    rows = max(1, CHUNK_BYTES // max(1, X.shape[1] * X.dtype.itemsize))
    parts = [model.predict(X[s : s + rows].toarray()) for s in range(0, X.shape[0], rows)]
    return np.concatenate(parts) if parts else np.empty((0, model.output_shape[1]))
