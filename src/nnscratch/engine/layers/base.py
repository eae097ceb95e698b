"""The layer contract: what every layer, built-in or your own, does.

A layer is a small class with four methods (Keras 3's ``Layer`` is the model)::

    build(input_shape)               declare the weights with add_weight(...)
    compute_output_shape(input_shape)
    forward(x, training=False)       return the output; cache what backward needs
    backward(grad)                   return dL/d(input); leave dL/d(weight) in self.grads

Shapes never include the batch axis: a Dense layer on 2 features has
``input_shape == (2,)``, a convolution on MNIST ``(28, 28, 1)``; ``x`` itself is
``(n, *input_shape)``.

``add_weight(name, shape, initializer, regularizer=None, trainable=True)`` creates a weight
array, and that array stays the same object for the layer's life: every update is made
in place, so ``self.kernel = self.add_weight("kernel", ...)`` is safe, and the array is
also ``self.params["kernel"]``. Regularizers, parameter counts, optimizer state, saving
and the summary all come from these declarations. Non-trainable weights (batch-norm
statistics) are saved but never handed to the optimizer.

After ``backward`` the model reads ``self.grads[name]`` for every trainable weight, so a
layer may assign a new array (``self.grads["kernel"] = x.T @ dz``) or write into the
existing one: both work. The penalty of a regularizer and its gradient are added by the
training step, never by the layer.

A layer of your own is one class and one line::

    from nnscratch.layers import Layer, register_layer

    @register_layer
    class Scale(Layer):
        '''y = x * w, one weight per feature.'''

        def build(self, input_shape):
            self.w = self.add_weight("w", input_shape, "ones")

        def forward(self, x, training=False):
            self.x = x
            return x * self.w

        def backward(self, grad):
            self.grads["w"] = (grad * self.x).sum(axis=0)
            return grad * self.w

It trains, appears in ``summary()``, passes the gradient check, and saves and loads.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .. import constraints, initializers, regularizers
from ..backend import with_modules, without_modules
from ..checks import flag, positive_int
from ..config import argument_names, constructor_config
from ..initializers import RandomLike, check_random_state

__all__ = ["Layer", "get_layer_class", "register_layer", "registered_name"]

Shape = tuple[int, ...]
L = TypeVar("L", bound=type)

_CLASSES: dict[str, type] = {}  # registered name -> the class that loads
_NAMES: dict[type, str] = {}  # class -> the name it saves as


class Layer:
    """Base class of every layer. Override ``build``, ``forward`` and ``backward``.

    Parameters
    ----------
    name : str, optional
        Shown in ``summary()``; default ``dense``, ``dense_1``, ...
    input_shape : tuple of int, optional
        The shape of one input example (no batch axis), for the first layer of a model:
        ``Dense(3, input_shape=(2,))``, ``Conv2D(20, 5, input_shape=(28, 28, 1))``.
    input_dim : int, optional
        Shorthand for ``input_shape=(input_dim,)``.
    seed : int, Generator or RandomState, optional
        This layer's own generator (initial weights, dropout masks); by default the
        model's, so one model seed decides everything.
    activity_regularizer : Regularizer, optional
        A penalty on the layer's *output* (Keras'): ``l1(0.01)`` pushes the outputs
        towards sparsity. Its value on a batch, divided by the batch size, joins the
        objective (:meth:`keep_activity`), and its gradient joins the gradient that
        reaches the layer in the backward pass (:meth:`activity_grad`).
    """

    #: the shape of one input and one output example, known once built
    input_shape: Shape | None = None
    output_shape: Shape | None = None
    #: set by setup(): the weights' dtype, the generator they are drawn from and the array
    #: namespace they live in (:mod:`~nnscratch.engine.backend`; NumPy unless the model
    #: has another device)
    dtype = np.dtype(np.float64)
    xp: Any = np
    #: True for a layer written with ``self.xp`` only (every built-in layer): it runs on
    #: any namespace, and ``backend.move_model`` moves it. A layer of your own that calls
    #: ``np.`` functions keeps the default and stays on NumPy.
    array_api = False
    rng: RandomLike | None = None
    #: the penalty on the output; the last forward pass's output and that penalty on it
    activity_regularizer: regularizers.Regularizer | None = None
    activity_output: np.ndarray | None = None
    activity_loss = 0.0

    def __init__(
        self,
        *,
        name: str | None = None,
        input_shape: Sequence[int] | None = None,
        input_dim: int | None = None,
        seed: int | RandomLike | None = None,
        activity_regularizer: regularizers.Regularizer | str | dict | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        if input_dim is not None and input_shape is not None:
            raise TypeError("give input_shape= or input_dim=, not both")
        if input_dim is not None:
            input_shape = (positive_int("input_dim", input_dim),)
        self.declared_input_shape = None if input_shape is None else _shape(input_shape)
        self.name, self.seed = name, (seed if seed is None else _seed(seed))
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # weight name -> array, -> dL/d(weight) after backward, -> its regularizer, -> its
        # constraint (applied after each update); the names of the non-trainable ones
        self.params: dict[str, np.ndarray] = {}
        self.grads, self.regularizers, self.constraints, self.non_trainable = {}, {}, {}, set()

    # -- what subclasses override ---------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Declare the weights for inputs of ``input_shape`` with :meth:`add_weight`."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The shape of one output example; by default the input's."""
        return input_shape

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output for a batch ``x``; with ``training=True``, remember what
        :meth:`backward` needs."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(x, training)")

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Given dL/d(output), fill ``self.grads`` and return dL/d(input)."""
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready (used to save and to copy the layer).

        A layer of your own needs no ``get_config`` when it keeps each argument of its
        ``__init__`` as ``self.<argument>`` (``self.factor = factor``): they are read back
        from there, as are the arguments a subclass adds to a class whose ``get_config``
        does not know them. Otherwise write one that adds yours:
        ``return {**super().get_config(), "units": self.units}``.
        """
        config: dict[str, Any] = {"name": self.name}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        if isinstance(self.seed, numbers.Integral):
            config["seed"] = int(self.seed)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = self.activity_regularizer.get_config()
        config.update(constructor_config(self, only=_unknown_arguments(type(self))))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new, unbuilt layer from :meth:`get_config`'s output."""
        return cls(**config)

    # -- what the model calls -------------------------------------------------------------
    def setup(self, input_shape: Sequence[int], rng: RandomLike, dtype: Any, xp: Any = np) -> Shape:
        """Build the layer for ``input_shape`` with ``rng`` and ``dtype``, its weights in
        the array namespace ``xp``; return the output shape. Called by the model; calls
        :meth:`build` once."""
        shape = _shape(input_shape)
        if self.declared_input_shape is not None and self.declared_input_shape != shape:
            raise ValueError(
                f"{self.describe()} was declared with input_shape={self.declared_input_shape} "
                f"but receives inputs of shape {shape}"
            )
        self.rng = rng if self.seed is None else check_random_state(self.seed)
        self.dtype, self.xp = np.dtype(dtype), xp
        self.build(shape)
        self.input_shape, self.output_shape = shape, _shape(self.compute_output_shape(shape))
        return self.output_shape

    @property
    def built(self) -> bool:
        """True once :meth:`setup` has built the layer."""
        return self.output_shape is not None

    def check_joins(self, before: Sequence[Layer], dtype: Any, xp: Any) -> None:
        """Refuse to add this built layer to a model after ``before`` (the model's last
        layer, or none) unless it fits as it is: a layer shared between models keeps one
        set of weights, so it takes the inputs, dtype and array module it was built for."""
        fresh = f"add a new layer instead: {type(self).__name__}.from_config(layer.get_config())"
        if before and not before[-1].built:
            raise ValueError(
                f"{self.describe()} is built (for inputs {self.input_shape}) and the layers "
                f"before it are not: build the model first (give its first layer input_shape=, "
                f"or call model.build), or {fresh}"
            )
        if before and before[-1].output_shape != self.input_shape:
            raise ValueError(
                f"{self.describe()} is built for inputs {self.input_shape} (in another model), "
                f"but the layer before it here gives {before[-1].output_shape}; {fresh}"
            )
        if np.dtype(dtype) != self.dtype or xp is not self.xp:
            ours, theirs = (getattr(m, "__name__", m) for m in (self.xp, xp))
            raise ValueError(
                f"{self.describe()} holds {self.dtype} weights of {ours} (built in another "
                f"model), but this model is {np.dtype(dtype)} on {theirs}; {fresh}"
            )

    def unbuild(self) -> None:
        """Forget what :meth:`setup` made (weights, gradients, shapes), so that the layer
        can be built again; the model calls this when a later layer refuses its input."""
        self.params, self.grads, self.regularizers, self.constraints = {}, {}, {}, {}
        self.non_trainable = set()
        self.input_shape = self.output_shape = self.rng = None

    def add_weight(
        self,
        name: str,
        shape: Sequence[int],
        initializer: str | Callable[..., np.ndarray] = "zeros",
        regularizer: regularizers.Regularizer | str | dict | None = None,
        trainable: bool = True,
        constraint: constraints.Constraint | str | dict | None = None,
    ) -> np.ndarray:
        """Create, initialise and register a weight array; return it.

        Call from :meth:`build`. The array lives as long as the layer (updates are in
        place) and is also ``self.params[name]``; its gradient goes in
        ``self.grads[name]``. ``initializer`` is a name (``"glorot_uniform"``,
        ``"zeros"``, ...) or ``init(shape, rng)``; the regularizer's penalty joins the
        training objective; the constraint (``max_norm(3)``, ...) is applied to the
        weight after every update.
        """
        if not (isinstance(name, str) and name.isidentifier()) or name in self.params:
            raise ValueError(f"{self.describe()}: weight name {name!r} is taken or not a name")
        shape = _shape(shape, allow_empty=True)
        nbytes = math.prod(shape) * self.dtype.itemsize
        check_size(nbytes, lambda: f"weight {name!r} {shape} of {self.describe()}")
        w = np.array(initializers.get(initializer)(shape, self.rng), self.dtype).reshape(shape)
        value = self.params[name] = self.xp.asarray(w)  # drawn with NumPy, moved to the device
        if flag("trainable", trainable):  # the array backward may fill in place (or replace)
            self.grads[name] = self.xp.zeros_like(value)
        else:
            self.non_trainable.add(name)
        if regularizer is not None:
            self.regularizers[name] = regularizers.get(regularizer)
        if constraint is not None:
            self.constraints[name] = constraints.get(constraint)
        return value

    def weight_shapes(self, input_shape: Sequence[int], dtype: Any) -> dict[str, Shape]:
        """The shapes of the weights :meth:`build` declares for ``input_shape``, found
        without allocating them (a saved file's claims are checked with this before
        anything is read). The layer is left unbuilt."""
        saved = self.__dict__.copy()

        def declare(name: str, shape: Sequence[int], *args: Any, **kwargs: Any) -> np.ndarray:
            """add_weight's stand-in: the shape is kept, no memory is used, nothing drawn."""
            self.params[name] = np.broadcast_to(np.zeros((), self.dtype), _shape(shape, True))
            return self.params[name]

        try:
            self.add_weight, self.dtype, self.params = declare, np.dtype(dtype), {}  # type: ignore[method-assign]
            self.build(_shape(input_shape))
            return {key: p.shape for key, p in self.params.items()}
        finally:
            self.__dict__.clear()
            self.__dict__.update(saved)

    def set_regularizer(self, weight: str, regularizer: Any) -> None:
        """Give the weight ``weight`` another regularizer (``None`` removes it), e.g. a
        new L2 strength between runs. The layer's config (``kernel_regularizer``) follows.
        """
        if weight not in self.params:
            raise ValueError(f"{self.describe()} has no weight {weight!r}")
        reg = regularizers.get(regularizer)
        if reg is None:
            self.regularizers.pop(weight, None)
        else:
            self.regularizers[weight] = reg
        if hasattr(self, f"{weight}_regularizer"):
            setattr(self, f"{weight}_regularizer", reg)

    def weights(self, trainable: bool | None = None) -> dict[str, np.ndarray]:
        """``params``, or only the trainable (``True``) or non-trainable (``False``) ones."""
        if trainable is None:
            return self.params
        return {k: p for k, p in self.params.items() if (k not in self.non_trainable) == trainable}

    def penalty(self) -> float:
        """The regularizers' penalty on this layer's weights (0.0 without any)."""
        return float(sum(r.penalty(self.params[k]) for k, r in self.regularizers.items()))

    def keep_activity(self, output: np.ndarray) -> None:
        """Remember this forward pass's ``output`` and the activity regularizer's penalty
        on it, divided by its number of examples (Keras): ``activity_loss``, which the
        model's :meth:`~nnscratch.engine.model.Sequential.penalty` adds to the weights'.
        The model calls this after each forward pass of a layer that has one."""
        self.activity_output = output
        self.activity_loss = self.activity_regularizer.penalty(output) / output.shape[0]  # type: ignore[union-attr]

    def activity_grad(self, grad: np.ndarray) -> np.ndarray:
        """dL/d(output) ``grad`` plus the gradient of the activity penalty on the kept
        output (``grad`` itself without an activity regularizer). The training step calls
        this before :meth:`backward`."""
        reg, out = self.activity_regularizer, self.activity_output
        return grad if reg is None or out is None else grad + reg.gradient(out) / out.shape[0]

    def count_params(self) -> int:
        return sum(int(p.size) for p in self.params.values())

    def __getstate__(self) -> dict[str, Any]:  # copy.deepcopy and pickle: xp by name
        return without_modules(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(with_modules(state))

    def describe(self) -> str:
        return f"layer {self.name!r}" if self.name else f"a {type(self).__name__} layer"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def check_gradient(layer: Layer, key: str, grad: Any) -> None:
    """Refuse a gradient whose shape is not its weight's (it would broadcast silently)."""
    if getattr(grad, "shape", None) != layer.params[key].shape:
        raise ValueError(
            f"{layer.describe()} left a gradient of shape {getattr(grad, 'shape', None)} for "
            f"its weight {key!r} of shape {layer.params[key].shape}"
        )


def check_size(nbytes: int, what: Callable[[], str]) -> None:
    """Refuse an array that cannot fit in this machine's memory, before allocating it.

    The bound is the physical memory (``os.sysconf``): a network whose weights or
    activations need more than that cannot train here, and asking for it would end in a
    MemoryError or the system killing the process. ``what()`` describes the array, and
    the message names the size.
    """
    try:
        limit = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not available on this platform
        return
    if limit > 0 and nbytes > limit:
        raise ValueError(
            f"{what()} would need {_size(nbytes)}, more than this machine's memory "
            f"({_size(limit)}); use fewer units, a smaller batch or float32"
        )


def _size(nbytes: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} PiB"


def _shape(value: Any, allow_empty: bool = False) -> Shape:
    """A shape as a tuple of positive ints (``3`` means ``(3,)``)."""
    dims = (value,) if isinstance(value, numbers.Integral) else value
    if not isinstance(dims, (tuple, list)) or not all(map(_dimension, dims)):
        raise ValueError(f"a shape must be a tuple of positive integers, got {value!r}")
    if not dims and not allow_empty:
        raise ValueError("a shape needs at least one dimension, got ()")
    return tuple(map(int, dims))


def _dimension(d: Any) -> bool:
    return isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0


def _seed(seed: Any) -> Any:
    check_random_state(seed)  # refuse a bad seed now, not at fit time
    return seed


# -- the registry: which class a saved name loads as ---------------------------------------
def _unknown_arguments(cls: type) -> tuple[str, ...]:
    """The arguments of ``cls.__init__`` that no ``get_config`` in its classes writes: those
    added below the class that defines the ``get_config`` it runs (below ``Layer`` itself,
    for a layer of your own without one), which the base class reads back.

    A class saved under another's name (``nnscratch.keras.layers.Dense`` as ``"Dense"``)
    is loaded as that class, so only that class's arguments count."""
    loader = _CLASSES.get(registered_name(cls) or "", cls)
    cls = loader if issubclass(cls, loader) else cls
    owner = next(klass for klass in cls.__mro__ if "get_config" in vars(klass))
    known = set(argument_names(owner)) | set(argument_names(Layer))
    return tuple(name for name in argument_names(cls) if name not in known)


def register_layer(cls: L | None = None, *, name: str | None = None) -> Any:
    """Class decorator: make a :class:`Layer` subclass savable (and loadable) by name.

    ``@register_layer`` registers the class under its own name; ``@register_layer(name=
    "MyDense")`` under another. Registering the same class again (re-running a notebook
    cell) replaces the entry; a *different* class under a taken name is refused, unless
    it subclasses the registered one and names it explicitly (a facade such as
    ``nnscratch.keras.layers.Dense``, which only translates old argument spellings: it
    saves as ``"Dense"`` and loads as the engine's Dense).
    """

    def register(klass: L) -> L:
        if not (isinstance(klass, type) and issubclass(klass, Layer)):
            raise TypeError(f"register_layer expects a Layer subclass, got {klass!r}")
        key = name or klass.__name__
        existing = _CLASSES.get(key)
        same = existing is not None and (existing.__module__, existing.__qualname__) == (
            klass.__module__,
            klass.__qualname__,
        )
        if existing is None or same:
            _CLASSES[key] = klass
        elif name is None or not issubclass(klass, existing):
            raise ValueError(
                f"a layer named {key!r} is already registered "
                f"({existing.__module__}.{existing.__qualname__}); register yours under "
                f"another name: @register_layer(name='My{key}')"
            )
        _NAMES[klass] = key
        return klass

    return register if cls is None else register(cls)


def registered_name(layer: Layer | type) -> str | None:
    """The name ``layer`` (or its class) saves as, or None if it is not registered."""
    return _NAMES.get(layer if isinstance(layer, type) else type(layer))


def get_layer_class(name: str) -> type:
    """The class registered as ``name``; ``ValueError`` listing the valid names."""
    if name in _CLASSES:
        return _CLASSES[name]
    raise ValueError(f"unknown layer type {name!r}; registered: {', '.join(sorted(_CLASSES))}")
