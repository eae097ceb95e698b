"""``from nnscratch.keras.layers.core import Dense, Activation, Dropout, Flatten, Reshape``.

The module path of Keras 1 and 2 (``keras.layers.core``) that older tutorials import
from. The classes are the engine's layers with what Keras layers do beyond the engine's
contract (:class:`KerasLayer`):

* ``layer(placeholder)``, the functional style (``Dense(64)(inputs)``, see
  :mod:`nnscratch.keras.functional`);
* ``layer.get_weights()`` / ``layer.set_weights(weights)``, the weights as a list of
  arrays in the order the layer declares them (``[kernel, bias]`` for ``Dense``);
* ``layer.trainable`` (also ``Dense(3, trainable=False)``): ``False`` freezes the layer,
  whose weights ``fit`` then leaves as they are, and ``trainable_weights`` /
  ``non_trainable_weights``, the lists Keras keeps;
* Keras 1's argument names, with a ``DeprecationWarning`` naming the new one (see
  :mod:`nnscratch.keras._renames`).

A layer's ``name`` is given by the model it is added to (``dense``, ``dense_1``, ...; see
:class:`nnscratch.keras.models.Sequential`). ``trainable`` is not written in a saved file
or a config: a loaded layer is trainable, as ``nnscratch``'s layers always are.

A model saved with them loads as the engine's layers, which compute the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...engine import layers as engine_layers
from ...engine.checks import flag
from ...engine.layers import register_layer
from .. import initializers
from .._refusals import needs_backward, unsupported
from .._renames import renamed
from ..activations import as_identifier
from ..placeholders import first_call

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "KerasLayer", "Layer", "Reshape"]

_CHAIN = "a layer is called on one placeholder from keras.Input (a single chain of layers)"


class KerasLayer:
    """Mixin for :class:`~nnscratch.engine.layers.Layer` subclasses: Keras' calls."""

    params: dict[str, np.ndarray]
    non_trainable: set[str]
    #: the weights ``trainable = False`` took out of training (others, such as batch
    #: normalization's moving statistics, are never trained)
    frozen: frozenset[str] = frozenset()
    _trainable = True

    def __init__(self, *args: Any, trainable: bool = True, **kwargs: Any) -> None:
        if "activation" in kwargs:  # keras.activations.relu is activation="relu"
            kwargs["activation"] = as_identifier(kwargs["activation"])
        for key in [k for k in kwargs if k.endswith("_initializer")]:
            # Keras' add_weight draws Glorot-uniform when given None; names such as
            # "HeNormal" and Keras' {"class_name": ..., "config": ...} are Keras' too
            given = kwargs[key]
            kwargs[key] = "glorot_uniform" if given is None else initializers.get(given)
        super().__init__(*args, **kwargs)
        self.trainable = trainable

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer's weights (Keras' ``layer.trainable``).

        Setting it to ``False`` freezes the layer: its weights join the non-trainable
        ones (``non_trainable_weights``, the summary's ``Non-trainable params``) and the
        optimizer leaves them alone until it is set back to ``True``.
        """
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = flag("trainable", value)
        self.non_trainable -= self.frozen
        self.frozen = frozenset() if value else frozenset(self.params) - self.non_trainable
        self.non_trainable |= self.frozen

    def setup(self, *args: Any, **kwargs: Any) -> Any:
        """Build as the engine does, then freeze the new weights if ``trainable`` is False."""
        self.frozen = frozenset()
        shape = super().setup(*args, **kwargs)  # type: ignore[misc]
        self.trainable = self._trainable
        return shape

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The weight arrays ``fit`` updates (the arrays themselves, not copies)."""
        return list(self.weights(True).values())  # type: ignore[attr-defined]

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """The weight arrays ``fit`` leaves alone: frozen ones and running statistics."""
        return list(self.weights(False).values())  # type: ignore[attr-defined]

    def __call__(self, inputs: Any) -> Any:
        """``Dense(64)(inputs)``: the placeholder of this layer's output."""
        refusal = needs_backward(type(self))
        if refusal is not None:
            raise refusal
        apply = getattr(inputs, "apply_layer", None)
        if apply is not None:
            return apply(self)
        if isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"calling a layer on {len(inputs)} inputs (a merge or a skip connection) is "
                f"not supported: {_CHAIN}"
            )
        raise TypeError(
            f"calling a layer on {type(inputs).__name__} is not supported: {_CHAIN}; to "
            f"compute outputs, put the layer in a model and call model.predict(x)"
        )

    @property
    def output(self) -> Any:
        """Keras' ``layer.output``: the placeholder of the layer's first call, for a model
        over some of a model's layers (:mod:`nnscratch.keras.placeholders`)."""
        return self._first_call()[1]

    @property
    def input(self) -> Any:
        """Keras' ``layer.input``: the placeholder the layer was first called on."""
        return self._first_call()[0]

    def __getstate__(self) -> dict[str, Any]:
        """The engine layer's state without the placeholders of its first call (they lead
        to other models' layers, which a copy of this one must not drag along)."""
        state = super().__getstate__()  # type: ignore[misc]
        state.pop("keras_call", None)
        return state

    def _first_call(self) -> Any:
        call = first_call(self)
        if call is None:
            raise AttributeError(
                f"{self.describe()} has no input or output yet: it has not been called on "
                f"a placeholder (layer(keras.Input(shape=...))) nor added to a built model"
            )
        return call

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in declaration order (``[]`` before the layer is built)."""
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights (the order and shapes of :meth:`get_weights`), in place.

        Every array is checked (count, shape, numbers, finite) before any is written.
        """
        if len(weights) != len(self.params):
            raise ValueError(
                f"{self.describe()} has {len(self.params)} weight arrays "  # type: ignore[attr-defined]
                f"({', '.join(self.params) or 'none yet'}), got {len(weights)}"
            )
        checked = []
        for (key, p), w in zip(self.params.items(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"weight {key}: expected shape {p.shape}, got {w.shape}")
            if w.dtype.kind not in "biuf" or not np.all(np.isfinite(w)):
                raise ValueError(f"weight {key} must hold finite numbers (dtype {w.dtype})")
            checked.append(w)
        for p, w in zip(self.params.values(), checked):
            p[...] = w


class Layer(KerasLayer, engine_layers.Layer):
    """The base class of a layer of your own: ``nnscratch.layers.Layer`` (define
    ``build``, ``forward`` and ``backward``) with Keras' calls (:class:`KerasLayer`).

    A Keras 3 layer that defines only ``call`` is refused when it is used, saying what
    to write instead: it relies on automatic differentiation, which nnscratch does not
    have.
    """


@register_layer(name="Dense")
class Dense(KerasLayer, engine_layers.Dense):
    """``nnscratch.layers.Dense``, also taking Keras 1's ``output_dim``, ``init``,
    ``W_regularizer``, ``b_regularizer`` and ``bias``."""

    def __init__(self, units: int | None = None, activation: Any = None, **kwargs: Any) -> None:
        kwargs = renamed(
            "Dense",
            {"units": units, **kwargs} if units is not None else kwargs,
            {
                "output_dim": "units",
                "init": "kernel_initializer",
                "W_regularizer": "kernel_regularizer",
                "b_regularizer": "bias_regularizer",
                "bias": "use_bias",
            },
        )
        if "units" not in kwargs:
            raise TypeError("Dense() needs the number of units: Dense(units) such as Dense(3)")
        super().__init__(activation=activation, **kwargs)


@register_layer(name="Dropout")
class Dropout(KerasLayer, engine_layers.Dropout):
    """``nnscratch.layers.Dropout`` in Keras' order ``(rate, noise_shape, seed)``
    (``noise_shape`` only ``None``), also taking Keras 1's ``p``."""

    def __init__(
        self, rate: float | None = None, noise_shape: Any = None, seed: Any = None, **kwargs: Any
    ) -> None:
        kwargs = renamed(
            "Dropout", {"rate": rate, **kwargs} if rate is not None else kwargs, {"p": "rate"}
        )
        if "rate" not in kwargs:
            raise TypeError("Dropout() needs the rate: Dropout(rate) such as Dropout(0.5)")
        if noise_shape is not None:
            why = "each value is dropped on its own"
            raise unsupported("Dropout", "noise_shape", noise_shape, why)
        if seed is not None:
            kwargs["seed"] = seed
        super().__init__(**kwargs)


@register_layer(name="Activation")
class Activation(KerasLayer, engine_layers.Activation):
    """``nnscratch.layers.Activation``, callable on a placeholder; ``activation`` may be
    one of :mod:`nnscratch.keras.activations`' functions."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(activation=activation, **kwargs)


@register_layer(name="Flatten")
class Flatten(KerasLayer, engine_layers.Flatten):
    """``nnscratch.layers.Flatten``, callable on a placeholder."""


@register_layer(name="Reshape")
class Reshape(KerasLayer, engine_layers.Reshape):
    """``nnscratch.layers.Reshape``, callable on a placeholder."""
