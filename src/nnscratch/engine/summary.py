"""``model.summary()``: the layers of a model, their output shapes and parameter counts.

The engine never prints, so :func:`summarize` returns a :class:`ModelSummary` whose
``str()`` (and ``repr()``, so it shows up in a notebook or the REPL) is the table::

    >>> print(model.summary())                              # doctest: +SKIP
    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     dense (Dense)               (None, 3)                 9
     ...

Output shapes start with ``None``, the batch axis. A
:class:`~nnscratch.engine.layers.Dense` layer from ``n_in`` to ``n_out`` features has
``n_in * n_out`` weights plus ``n_out`` biases: the WildML network 2-3-2 has
``2*3 + 3 + 3*2 + 2 = 17`` parameters. Weights declared with ``trainable=False`` (batch-norm
statistics) are counted apart.

Pass ``print_fn`` (as in Keras) to receive the table line by line, e.g.
``model.summary(print_fn=print)`` or ``print_fn=lines.append``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LayerRow", "ModelSummary", "summarize"]

_WIDTHS = (29, 26, 10)  # columns: layer (type), output shape, parameter count


@dataclass(frozen=True)
class LayerRow:
    """One line of the table: a layer's name, class, output shape and parameter count."""

    name: str
    type: str
    output_shape: tuple[int | None, ...]
    params: int
    trainable: int = -1  # -1: all of them

    @property
    def trainable_params(self) -> int:
        return self.params if self.trainable < 0 else self.trainable


@dataclass
class ModelSummary:
    """The summary of a model; ``str(summary)`` is the table.

    Attributes
    ----------
    name : str
    layers : list of LayerRow
    total_params, trainable_params, non_trainable_params : int
    """

    name: str
    layers: list[LayerRow] = field(default_factory=list)

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(row.trainable_params for row in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def lines(self) -> list[str]:
        """The table; its first two columns widen for long names and shapes (Keras cuts
        them off instead), so every row still splits into the same columns."""
        cells = [
            (f"{row.name} ({row.type})", _shape_text(row.output_shape), f"{row.params:,}")
            for row in self.layers
        ]
        widths = [
            max(_WIDTHS[0] - 1, *(len(c[0]) + 1 for c in cells)),
            max(_WIDTHS[1], *(len(c[1]) + 1 for c in cells)),
            _WIDTHS[2],
        ]
        width = sum(widths) + 3
        lines = [f'Model: "{self.name}"', "_" * width]
        lines.append(_row(("Layer (type)", "Output Shape", "Param #"), widths))
        lines.append("=" * width)
        for i, cell in enumerate(cells):
            lines.append(_row(cell, widths))
            lines.append("=" * width if i == len(cells) - 1 else "")
        lines.append(f"Total params: {self.total_params:,}")
        lines.append(f"Trainable params: {self.trainable_params:,}")
        lines.append(f"Non-trainable params: {self.non_trainable_params:,}")
        lines.append("_" * width)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__


def _row(cells: tuple[str, str, str], widths: list[int]) -> str:
    (a, b, c), (wa, wb, wc) = cells, widths
    return f" {a:<{wa}} {b:<{wb}} {c:<{wc}}".rstrip()


def _shape_text(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def summarize(model: Any, print_fn: Callable[[str], Any] | None = None) -> ModelSummary:
    """Build the :class:`ModelSummary` of a ``Sequential`` model.

    Raises ``ValueError`` when the model is not built yet, so its shapes are unknown
    (give the first layer ``input_shape=``, call ``build(input_shape)`` or ``fit``).
    """
    if print_fn is not None and not callable(print_fn):
        raise TypeError(f"print_fn must be callable, got {type(print_fn).__name__}")
    if not model.layers:
        raise ValueError("the model has no layers to summarise; add some with model.add(...)")
    if not model.built:
        raise ValueError(
            "this model has not been built yet, so its shapes are unknown: give the first "
            "layer input_shape=... (or input_dim=...), call model.build(input_shape), or "
            "fit it first"
        )
    rows = []
    for layer, name in zip(model.layers, layer_names(model.layers)):
        kind = type(layer).__name__
        trainable = sum(
            int(p.size) for key, p in layer.params.items() if key not in layer.non_trainable
        )
        shape = (None, *layer.output_shape)
        rows.append(LayerRow(name, kind, shape, layer.count_params(), trainable))
    summary = ModelSummary(model.name or "sequential", rows)
    if print_fn is not None:
        for line in summary.lines():
            print_fn(line)
    return summary


def layer_names(layers: Sequence[Any]) -> list[str]:
    """The layers' names as the summary shows them: a layer's own ``name``, else its class
    in snake case with the first number no other layer's name takes (``dense``,
    ``dense_1``, ``max_pooling2d``), as Keras names the layers of a new session.

    >>> from nnscratch.layers import Dense, Dropout
    >>> layer_names([Dense(3, name="hidden"), Dense(2), Dropout(0.5), Dense(1)])
    ['hidden', 'dense', 'dropout', 'dense_1']
    """
    taken = {layer.name for layer in layers if layer.name}
    names = []
    for layer in layers:
        name = layer.name
        if not name:
            base = snake_case(type(layer).__name__)
            numbered = (base if n == 0 else f"{base}_{n}" for n in itertools.count())
            name = next(candidate for candidate in numbered if candidate not in taken)
            taken.add(name)
        names.append(name)
    return names


def snake_case(class_name: str) -> str:
    """``"MaxPooling2D"`` -> ``"max_pooling2d"``: a word starts at each capital followed
    by lower-case letters or digits (Keras' rule, so ``Conv2D`` stays ``conv2d``)."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()
