"""Keras' functional style for a chain of layers: ``Input``, calling layers, ``Model``.

::

    from nnscratch import keras
    from nnscratch.keras.layers import Dense

    inputs = keras.Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)

``Input`` returns a placeholder: no data, only the shape of one example. Calling a layer
on a placeholder (``Dense(64)(inputs)``) returns a new placeholder that remembers the
layers applied so far, and ``Model(inputs, outputs)`` turns that chain into a model: a
:class:`nnscratch.keras.models.Sequential` of the same layers, which trains, predicts,
saves and loads like one (a saved ``Model`` loads as a ``Sequential``).

Only a *single chain* is supported: one input, each layer called once, one output. Two
inputs or outputs, a layer called twice on one input's chain, or a layer called on a list
of placeholders (what a skip connection or a merge needs) raise ``ValueError`` saying so;
Keras' merge layers (``Add``, ``Concatenate``) do not exist here. Placeholders computed but
not used by the model are ignored, as in Keras.

Layers are shared between models as in Keras: ``keras.Model(inputs, hidden)`` over the
first layers of a model, or a built layer called on a new ``Input`` (the Keras blog's
autoencoder, with its encoder and decoder), make models that hold the same weights, so
training one trains the others. ``model.input`` and ``layer.output`` give the placeholders
of a built model (:mod:`nnscratch.keras.placeholders`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.layers.base import _shape
from ._refusals import unsupported
from ._renames import renamed
from .placeholders import ONE_CHAIN as _ONE_CHAIN
from .placeholders import KerasTensor
from .sequential import Sequential

__all__ = ["Input", "InputLayer", "KerasTensor", "Model"]


def Input(
    shape: Sequence[int] | int | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    **kwargs: Any,
) -> KerasTensor:
    """A placeholder for inputs of ``shape`` (one example, no batch axis), as Keras'.

    ``Input(shape=(784,))`` starts a chain of layer calls for :class:`Model`, or, as the
    first entry of ``Sequential([...])``, gives the model its input shape. ``batch_size``
    and ``dtype`` are accepted when ``None`` (the model's dtype is ``Sequential``'s);
    Keras 2's ``batch_shape=(None, 784)`` is accepted too.
    """
    batch_shape = kwargs.pop("batch_shape", None)
    if kwargs:
        raise TypeError(f"Input() got unexpected keyword arguments {sorted(kwargs)}")
    if batch_shape is not None:
        if shape is not None or not isinstance(batch_shape, (tuple, list)) or not batch_shape:
            raise ValueError(f"give shape= or batch_shape=(None, ...), got {batch_shape!r}")
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    if shape is None:
        raise ValueError("Input() needs the shape of one example: Input(shape=(784,))")
    if batch_size is not None:
        why = "the batch size is not fixed but chosen in fit(batch_size=...)"
        raise unsupported("Input", "batch_size", batch_size, why)
    if dtype is not None:
        why = "give Sequential(dtype=...) or use nnscratch.keras.backend.set_floatx"
        raise unsupported("Input", "dtype", dtype, why)
    return KerasTensor(_shape(shape), name)


def InputLayer(shape: Sequence[int] | int | None = None, **kwargs: Any) -> KerasTensor:
    """Keras' ``InputLayer``, for ``model.add(InputLayer(shape=(784,)))``: the same
    placeholder as :func:`Input`. Keras 2's ``input_shape=`` is accepted with a
    ``DeprecationWarning`` (Keras 3 renamed it ``shape``)."""
    given = renamed(
        "InputLayer",
        {"shape": shape, **kwargs} if shape is not None else kwargs,
        {"input_shape": "shape"},
    )
    return Input(**given)


def _single(value: Any, what: str) -> KerasTensor:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            every = "; model.trace(x) gives every layer's outputs" if what == "output" else ""
            raise ValueError(
                f"a Model with {len(value)} {what}s is not supported; {_ONE_CHAIN}{every}"
            )
        value = value[0]
    if not isinstance(value, KerasTensor):
        raise TypeError(
            f"Model {what}s must come from keras.Input and layer calls, got {type(value).__name__}"
        )
    return value


class Model(Sequential):
    """``keras.Model(inputs, outputs)`` for a single chain of layers (see the module).

    Parameters
    ----------
    inputs : KerasTensor from :func:`Input` (or a list of exactly one)
    outputs : KerasTensor, the result of the last layer call (or a list of one)
    name : str, optional
    **kwargs
        ``seed`` and ``dtype``, as for ``Sequential``.

    Raises
    ------
    ValueError
        When ``outputs`` do not come from ``inputs`` through one chain of layer calls, or
        for several inputs or outputs. Subclassing ``Model`` with a ``call`` method (Keras'
        third style) is not supported: write a layer (:class:`nnscratch.layers.Layer`) and
        put it in a ``Sequential``.
    """

    def __init__(
        self, inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs: Any
    ) -> None:
        if "input" in kwargs or "output" in kwargs:  # Keras 1's Model(input=, output=)
            given = {k: v for k, v in (("inputs", inputs), ("outputs", outputs)) if v is not None}
            given = renamed("Model", {**given, **kwargs}, {"input": "inputs", "output": "outputs"})
            inputs, outputs = given.pop("inputs", None), given.pop("outputs", None)
            kwargs = given
        if inputs is None or outputs is None:
            raise TypeError(
                "Model(inputs, outputs) needs both; subclassing Model with call() is not "
                "supported (write a Layer and use Sequential)"
            )
        first, last = _single(inputs, "input"), _single(outputs, "output")
        if first.chain or last.root is not first:
            raise ValueError(f"the outputs are not computed from these inputs; {_ONE_CHAIN}")
        if not last.chain:
            raise ValueError("the outputs are the inputs themselves: call some layers first")
        super().__init__(name=name or "functional", **kwargs)
        self._pending_input, self._input_tensor = first.example_shape, first
        for layer in last.chain:
            self.add(layer)

    @classmethod
    def from_config(cls, config: Any, custom_objects: Any = None) -> Sequential:
        """A chain model's config is a ``Sequential``'s: this returns a ``Sequential``."""
        return Sequential.from_config(config, custom_objects)  # type: ignore[return-value]
