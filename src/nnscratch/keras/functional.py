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
inputs or outputs, a layer called twice, or a layer called on a list of placeholders
(what a skip connection or a merge needs) raise ``ValueError`` saying so; Keras' merge
layers (``Add``, ``Concatenate``) do not exist here. Placeholders computed but not used
by the model are ignored, as in Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.layers.base import _shape
from ._refusals import unsupported
from ._renames import renamed
from .sequential import Sequential

__all__ = ["Input", "InputLayer", "KerasTensor", "Model"]

_ONE_CHAIN = (
    "nnscratch.keras.Model supports a single chain of layers: one Input, each layer "
    "called once on the previous output, one output"
)


class KerasTensor:
    """A placeholder for a batch: the shape of one example and the layers applied.

    ``shape`` is Keras' ``(None, *example shape)``. Made by :func:`Input` and by calling a
    layer on a placeholder; it holds no data.
    """

    def __init__(self, shape: tuple[int, ...], name: str | None = None) -> None:
        self.example_shape, self.name = shape, name
        self.chain: tuple[Any, ...] = ()  # the layers from the Input to here
        self.root: KerasTensor = self  # the Input this placeholder comes from
        self.called: list[Any] = []  # on an Input: every layer called downstream

    @property
    def shape(self) -> tuple[int | None, ...]:
        return (None, *self.example_shape)

    @property
    def input_placeholder_shape(self) -> tuple[int, ...] | None:
        """The input shape, when this is an ``Input`` itself (``Sequential`` reads it)."""
        return self.example_shape if not self.chain else None

    def apply_layer(self, layer: Any) -> KerasTensor:
        """``layer(self)``: the placeholder for ``layer``'s output."""
        if any(layer is other for other in self.root.called):
            raise ValueError(f"{layer.describe()} is called twice; {_ONE_CHAIN}")
        out = KerasTensor(_shape(layer.compute_output_shape(self.example_shape)))
        out.chain, out.root = (*self.chain, layer), self.root
        self.root.called.append(layer)
        return out

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}>"


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
            raise ValueError(f"a Model with {len(value)} {what}s is not supported; {_ONE_CHAIN}")
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
        self._pending_input = first.example_shape
        for layer in last.chain:
            self.add(layer)

    @classmethod
    def from_config(cls, config: Any, custom_objects: Any = None) -> Sequential:
        """A chain model's config is a ``Sequential``'s: this returns a ``Sequential``."""
        return Sequential.from_config(config, custom_objects)  # type: ignore[return-value]
