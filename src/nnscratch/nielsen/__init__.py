"""Michael Nielsen's *Neural Networks and Deep Learning*, on Python 3, over the engine.

The book's chapters 1-3 drive two small programs, ``network.py`` and ``network2.py``, and
a loader, ``mnist_loader.py``; chapter 6 drives ``network3.py`` (Theano, in the book).
Each is a module here, with the book's names and behaviour:

=============================================  ========================================
the book                                       here
=============================================  ========================================
``import network`` (chapter 1)                 :mod:`nnscratch.nielsen.network`
``import network2`` (chapter 3)                :mod:`nnscratch.nielsen.network2`
``import mnist_loader``                        :mod:`nnscratch.nielsen.mnist_loader`
``import network3`` (chapter 6)                :mod:`nnscratch.nielsen.network3`
=============================================  ========================================

Either import them by their full names (``from nnscratch.nielsen import network``) or
let the book's own lines run unchanged, once per session::

    >>> import nnscratch.nielsen
    >>> nnscratch.nielsen.install_book_modules()                 # doctest: +ELLIPSIS
    {'network': <module 'nnscratch.nielsen.network' from ...>, ...}
    >>> import network, mnist_loader          # nnscratch's modules, under the book's names
    >>> network.__name__
    'nnscratch.nielsen.network'

and fixes what trips readers up on Python 3: the loader returns *lists* (the popular
port returns ``zip`` iterators, so ``len()`` fails and a second ``SGD`` call trains on
nothing and prints "0 / 0"), ``SGD`` accepts lists, tuples, zips and generators (an
iterator is read once and remembered, so passing the same ``zip`` again works), and
files are JSON, read as untrusted input, never pickle.

Your own changes to the book's code
-----------------------------------
The book's exercises change its methods, usually in a subclass: momentum or L1
regularization in ``update_mini_batch``, a matrix-based ``backprop``, a new
``cost_derivative``, a cost class of one's own (``fn(a, y)`` and ``delta(z, a, y)``).
``SGD`` calls what the subclass defines, as the book's ``SGD`` does: its own
``update_mini_batch`` with lists of ``(x, y)`` pairs, its ``backprop`` summed example by
example, its ``evaluate``, ``accuracy`` and ``total_cost`` for the printed lines. A cost
class of one's own, or a ``cost_derivative``, trains through the book's ``backprop``
written out in NumPy (:mod:`nnscratch.nielsen._steps`): the book's arithmetic at the
book's speed, where the engine's matrix path knows only the two costs of the book.
``cost=CrossEntropyCost()``, an instance as in ``fig/overfitting.py``, means the class.

How close to the book
---------------------
The initial weights are the book's draws from ``np.random``; ``random.shuffle`` gives the
book's order of examples. Each mini-batch then goes through the network as one matrix
(the book loops over its examples), which adds the same numbers in another order: after
an epoch the weights equal the book's per-example algorithm to about 1e-12 on a few
thousand examples. Over 50,000 images of network.py's chapter-1 run such rounding
differences grow (the quadratic cost with N(0, 1) weights is chaotic), so the printed
counts match the book's code only to within its own spread across BLAS builds;
``docs/mnist.md`` gives the measured numbers. (network2's chapter-3 run, one epoch on all
50,000 images, printed the same counts as the book's code, costs equal to 1e-14.)

``SGD`` shuffles its own copy of the order, as the Python 3 port does
(``training_data = list(training_data)``); the book's Python 2 code shuffled the
caller's list in place, so there a second ``SGD`` call on the same list (as in
``fig/weight_initialization.py``) starts from the first call's order, and its numbers
differ from the port's (and ours) from that call on.

``Network``
-----------
``nnscratch.nielsen.Network(sizes)`` behaves like ``network.py`` and
``Network(sizes, cost=CrossEntropyCost)`` like ``network2.py``: one class for code that
picks the chapter by an argument (``nnscratch mnist`` does). ``network.Network`` and
``network2.Network`` are its two fixed forms.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from . import mnist_loader, network, network2
from ._costs import COSTS
from ._net import Network
from .network2 import (
    CrossEntropyCost,
    QuadraticCost,
    load,
    sigmoid,
    sigmoid_prime,
    vectorized_result,
)

__all__ = [
    "BOOK_MODULES",
    "COSTS",
    "CrossEntropyCost",
    "Network",
    "QuadraticCost",
    "install_book_modules",
    "load",
    "mnist_loader",
    "network",
    "network2",
    "network3",
    "sigmoid",
    "sigmoid_prime",
    "vectorized_result",
]

#: the book's module names, each mapped to the module of this package that replaces it
BOOK_MODULES = ("network", "network2", "network3", "mnist_loader")


def install_book_modules() -> dict[str, ModuleType]:
    """Make the book's ``import network`` (``network2``, ``network3``, ``mnist_loader``)
    import this package's modules.

    The names are entered in ``sys.modules``, which is where ``import`` looks first, so
    the book's sessions and scripts run unchanged. A module of the same name imported
    earlier is replaced. Returns the modules installed, by name.
    """
    installed = {}
    for name in BOOK_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        sys.modules[name] = installed[name] = module
    return installed


def __getattr__(name: str) -> ModuleType:
    # network3 builds on the convolution layers: imported when first asked for.
    if name == "network3":
        return importlib.import_module(f"{__name__}.network3")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
