"""Keras' symbolic tensors for a chain of layers: what ``keras.Input`` returns, what calling a
layer on one returns, and ``model.input`` / ``layer.output``.

A placeholder (:class:`KerasTensor`) holds no data: only the shape of one example, the
``Input`` it starts from (``root``) and the layers applied since (``chain``). Calling a layer
on it (``Dense(64)(inputs)``) gives the placeholder of that layer's output, and the layer
remembers the first such call, as Keras 3 does: ``layer.input`` and ``layer.output`` are that
call's placeholders. A model (:func:`wire`) calls its layers on a placeholder of its own when
it is built, so that every layer of a built model has an ``output``. That is what Keras'
recipe for a model over some of another model's layers reads::

    extractor = keras.Model(inputs=model.input, outputs=model.get_layer("dense_1").output)

The new model shares those layers and their weights (see ``nnscratch.Sequential.add``).
"""

from __future__ import annotations

from typing import Any

from ..engine.layers.base import _shape

__all__ = ["ONE_CHAIN", "KerasTensor", "first_call", "wire"]

ONE_CHAIN = (
    "nnscratch.keras.Model supports a single chain of layers: one Input, each layer "
    "called once on the previous output, one output"
)


class KerasTensor:
    """A placeholder for a batch: the shape of one example and the layers applied.

    ``shape`` is Keras' ``(None, *example shape)``. Made by ``keras.Input``, by calling a
    layer on a placeholder and by a model as it is built (:func:`wire`); it holds no data.
    """

    def __init__(self, shape: tuple[int, ...], name: str | None = None) -> None:
        self.example_shape, self.name = shape, name
        self.chain: tuple[Any, ...] = ()  # the layers from the Input to here
        self.root: KerasTensor = self  # the Input this placeholder comes from
        #: on an Input: every layer called downstream, with the placeholder it gave
        self.called: list[tuple[Any, KerasTensor]] = []

    @property
    def shape(self) -> tuple[int | None, ...]:
        return (None, *self.example_shape)

    @property
    def input_placeholder_shape(self) -> tuple[int, ...] | None:
        """The input shape, when this is an ``Input`` itself (``Sequential`` reads it)."""
        return self.example_shape if not self.chain else None

    def apply_layer(self, layer: Any) -> KerasTensor:
        """``layer(self)``: the placeholder for ``layer``'s output. A layer already built
        (in a model) takes only the inputs it was built for: it keeps its weights."""
        if any(layer is other for other, _ in self.root.called):
            raise ValueError(f"{layer.describe()} is called twice; {ONE_CHAIN}")
        if layer.built and layer.input_shape != self.example_shape:
            raise ValueError(
                f"{layer.describe()} is built for inputs {(None, *layer.input_shape)}, so it "
                f"cannot be called on a placeholder of shape {self.shape}; call a new layer "
                f"({type(layer).__name__}.from_config(layer.get_config()))"
            )
        out = KerasTensor(_shape(layer.compute_output_shape(self.example_shape)))
        out.chain, out.root = (*self.chain, layer), self.root
        self.root.called.append((layer, out))
        if first_call(layer) is None:  # Keras' layer.input and layer.output: the first call
            layer.keras_call = (self, out)
        return out

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}>"


def first_call(layer: Any) -> tuple[KerasTensor, KerasTensor] | None:
    """``(input, output)`` placeholders of the first call of ``layer``, or ``None``."""
    return getattr(layer, "keras_call", None)


def wire(root: KerasTensor, layers: list[Any]) -> KerasTensor:
    """Call ``layers`` in turn on ``root``, unless a layer was already called there as that
    step of the chain (a functional model's own calls), and return the last placeholder."""
    out = root
    for layer in layers:
        chain = (*out.chain, layer)
        done = [o for other, o in root.called if other is layer and o.chain == chain]
        if not done:
            out = out.apply_layer(layer)
        elif first_call(layer) is None:  # a copy of the layer (its calls are not copied)
            layer.keras_call, out = (out, done[0]), done[0]
        else:
            out = done[0]
    return out
