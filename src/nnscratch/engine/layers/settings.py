"""A weight's settings: the initializer, regularizer and constraint arguments of a layer.

A layer with weights takes three arguments per weight, as Keras' layers do:
``kernel_initializer``, ``kernel_regularizer`` and ``kernel_constraint`` for the kernel,
the same for the bias (or ``beta`` and ``gamma`` in batch normalization). Each may be a
name, a config dict or an object; :func:`resolve_settings` turns the three into objects and
keeps them on the layer under the same names, ready for ``add_weight`` in ``build``.
"""

from __future__ import annotations

from typing import Any

from .. import constraints, initializers, regularizers

__all__ = ["resolve_settings"]


def resolve_settings(
    layer: Any, weight: str, initializer: Any, regularizer: Any = None, constraint: Any = None
) -> None:
    """Set ``layer.<weight>_initializer``, ``<weight>_regularizer`` and, when one is given,
    ``<weight>_constraint``, looked up by :func:`initializers.get`, :func:`regularizers.get`
    and :func:`constraints.get` (which raise on an unknown name).

    Without a constraint the attribute is left alone: the layer class declares it as
    ``None``, so that no constraint is the default without an assignment per layer.

    >>> from nnscratch.layers import Layer
    >>> layer = Layer()
    >>> resolve_settings(layer, "kernel", "zeros", "l2")
    >>> layer.kernel_regularizer
    L1L2(l1=0.0, l2=0.01)
    """
    setattr(layer, f"{weight}_initializer", initializers.get(initializer))
    setattr(layer, f"{weight}_regularizer", regularizers.get(regularizer))
    if constraint is not None:
        setattr(layer, f"{weight}_constraint", constraints.get(constraint))
