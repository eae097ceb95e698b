"""NumPy arrays that answer the calls the book makes on Theano's shared variables.

In the book's ``network3.py`` the data and every layer's ``w`` and ``b`` are Theano
shared variables, and the chapter 6 code reads them back with their methods:
``size(data)`` is ``data[0].get_value(borrow=True).shape[0]``; ``conv.py``'s
``plot_errors`` calls ``test_data[0].eval()`` and its ``plot_filters``
``net.layers[0].w.eval()``. Here they are NumPy arrays of the subclass
:class:`SharedArray`, which adds those methods and is otherwise an ``ndarray``:

* ``get_value(borrow=False)`` and ``eval()``: the value as a plain ``ndarray`` (a copy;
  ``borrow=True`` gives the array itself without copying, as Theano's does on a CPU);
* ``set_value(value)``: a new value of the same shape, written in place, and for a
  layer's ``w`` or ``b`` into the network, as Theano's updates the graph's parameter.

Arithmetic on them gives plain arrays (``test_x * 255``, ``w.sum()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["SharedArray", "shared"]


class SharedArray(np.ndarray):
    """An ``ndarray`` with Theano's ``get_value``, ``set_value`` and ``eval``."""

    #: where ``set_value`` also writes (a layer's weight in the network), if anywhere
    _store: Callable[[np.ndarray], None] | None = None

    def __array_wrap__(
        self, array: np.ndarray, context: Any = None, return_scalar: bool = False
    ) -> Any:
        # What arithmetic and reductions give back (test_x * 255, w.sum()) is a plain
        # array or NumPy scalar, not a "shared variable"; views and slices stay one.
        plain = array.view(np.ndarray)
        return plain[()] if return_scalar else plain

    def get_value(self, borrow: bool = False) -> np.ndarray:
        """The value: a copy, or with ``borrow=True`` this array's memory itself."""
        value = self.view(np.ndarray)
        return value if borrow else value.copy()

    def eval(self) -> np.ndarray:
        """The value, a plain ``ndarray`` copy (a Theano expression's ``eval()``)."""
        return self.get_value()

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value by ``value``, which must have this array's shape."""
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(f"set_value expects an array of shape {self.shape}, got {value.shape}")
        if self._store is not None:
            self._store(value)
        self.view(np.ndarray)[...] = value


def shared(array: np.ndarray, store: Callable[[np.ndarray], None] | None = None) -> SharedArray:
    """``array`` seen as a :class:`SharedArray` (no copy); ``store`` receives what
    ``set_value`` is given."""
    view = np.asarray(array).view(SharedArray)
    if store is not None:
        view._store = store
    return view
