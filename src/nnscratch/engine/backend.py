"""Where the arrays live: NumPy on the CPU, CuPy on an NVIDIA GPU, or any Array-API namespace.

The engine's plain path never names NumPy for its arithmetic. It asks for the *namespace* of
the arrays it holds, the module whose functions work on them, and calls ``xp.tanh(z)``,
``xp.sum(dz, axis=0)``, ``x @ W``. This is the Python Array API standard's idea
(https://data-apis.org/array-api/): NumPy, CuPy, PyTorch (through ``array_api_compat``) and
the reference ``array_api_strict`` all offer the same functions under the same names, and an
array names its own namespace with ``x.__array_namespace__()``. scikit-learn's array API
support and ``array_api_compat.array_namespace(x)`` work the same way.

Two places take a namespace:

* the model, once: ``Sequential(..., device="cpu")`` (NumPy, the default) or
  ``device="gpu"`` (CuPy) or ``device=<a namespace module>`` (``array_api_strict`` in the
  tests). :func:`namespace` turns that into ``model.xp``, and every layer gets it in
  ``setup`` (``layer.xp``). Initial weights are still drawn with NumPy, from the model's
  seed, and then moved with ``xp.asarray``: a seed means the same weights on every device.
  Each mini-batch is moved to the device as it enters the training step (the data stays in
  host memory, as with a PyTorch ``DataLoader``), and ``predict`` hands NumPy arrays back.
* functions that only see arrays (activations, losses, optimizers): :func:`array_namespace`.

For NumPy arrays the namespace *is* ``numpy``: ``xp.tanh`` is ``np.tanh``, the same function
with the same bits, so every NumPy number stays what it was. A few NumPy-only spellings
remain where NumPy can do something the standard cannot: the fast path
(:mod:`~nnscratch.engine.fast`), NumPy-only and never taken for another namespace, writes
into reused buffers with ``out=``; functions that accept ``out`` use the standard form when
it is ``None`` (the plain path) and NumPy's form when a buffer is given.

What does not run elsewhere: weight constraints, activity regularizers and the
scikit-learn, Nielsen and playground facades stay on NumPy.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np

__all__ = [
    "DEVICES",
    "GPU_EXTRA",
    "DeviceUnavailable",
    "array_namespace",
    "difference",
    "flat_dot",
    "is_numpy",
    "move_model",
    "namespace",
    "row_dots",
    "to_numpy",
]

DEVICES = ("cpu", "gpu")
#: what to install for device="gpu" (CuPy for CUDA 12)
GPU_EXTRA = 'pip install "nnscratch[gpu]"  (installs cupy-cuda12x)'


class DeviceUnavailable(ValueError):
    """``device="gpu"`` without CuPy or without a GPU (a value this machine cannot serve);
    the message is one line to act on."""


def _numpy_1() -> Any:
    """NumPy 1.x with the standard's names it lacks (``pow``, ``concat``, ``bool``,
    ``vecdot``, ``astype``, ``asarray(copy=)``): the same functions, so the same bits.
    NumPy 2 needs none."""
    ns = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    ns.pow, ns.concat, ns.bool = np.power, np.concatenate, np.bool_
    ns.vecdot = lambda a, b, axis=-1: np.dot(a, b)  # the engine's vecdot is of 1-D arrays
    ns.astype = lambda x, dtype, copy=True: x.astype(dtype, copy=copy)
    ns.asarray = lambda x, dtype=None, copy=None: np.array(x, dtype, copy=bool(copy))
    ns.__name__ = "numpy"
    return ns


#: the namespace of NumPy arrays: numpy itself from NumPy 2 on
NUMPY = np if hasattr(np, "pow") else _numpy_1()


def is_numpy(xp: Any) -> bool:
    """True for NumPy's namespace (the only one the fast path and ``out=`` serve)."""
    return xp is NUMPY


def array_namespace(x: Any) -> Any:
    """The namespace of the array ``x``: ``numpy`` for NumPy arrays, else what the array
    names itself (``x.__array_namespace__()``: ``array_api_strict``, ``cupy``, ...)."""
    return NUMPY if isinstance(x, np.ndarray) else _own_namespace(x)


def _own_namespace(x: Any) -> Any:
    try:
        return x.__array_namespace__()
    except AttributeError:
        raise TypeError(
            f"expected an array of an Array-API namespace (NumPy, CuPy, array_api_strict, "
            f"...), got {type(x).__name__}"
        ) from None


def namespace(device: Any = "cpu") -> Any:
    """The namespace for ``Sequential(device=...)``: ``"cpu"`` gives NumPy, ``"gpu"`` CuPy
    (:class:`DeviceUnavailable` without it or without a GPU), a namespace module (one with
    ``__array_api_version__``, such as ``array_api_strict``) itself."""
    return NUMPY if device == "cpu" else _other(device)


def _other(device: Any) -> Any:
    if device == "gpu":
        return _cupy()
    if isinstance(device, types.ModuleType) and hasattr(device, "__array_api_version__"):
        return NUMPY if device is np else device
    raise ValueError(
        f"device must be 'cpu', 'gpu' or an Array-API namespace module (such as "
        f"array_api_strict), got {device!r}"
    )


def _cupy() -> Any:
    """CuPy, once it is known to see a GPU; otherwise one line saying what to do."""
    try:  # the engine's one optional dependency (nnscratch[gpu]), imported only when asked
        import cupy  # type: ignore[import-not-found]
    except ImportError:
        raise DeviceUnavailable(f"device='gpu' needs CuPy: {GPU_EXTRA}") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver, no CUDA runtime: CuPy raises its own errors
        raise DeviceUnavailable(f"device='gpu': CuPy finds no usable GPU ({exc})") from None
    if count < 1:
        raise DeviceUnavailable("device='gpu': CuPy is installed but finds no GPU")
    return cupy


def without_modules(state: dict[str, Any]) -> dict[str, Any]:
    """An object's ``__dict__`` for pickling and ``copy.deepcopy``, its namespace ``xp``
    (a module, which neither can copy) replaced by a name: ``"cpu"``, ``"gpu"`` or the
    module's name. :func:`with_modules` turns the name back into the namespace."""
    xp = state.get("xp")
    if isinstance(xp, types.ModuleType | types.SimpleNamespace):
        name = xp.__name__.split(".")[0]
        state = {**state, "xp": "cpu" if xp is NUMPY else "gpu" if name == "cupy" else name}
    return state


def with_modules(state: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`without_modules` (a namespace module by name must already be
    imported, as it is when the copy is made in the same process)."""
    name = state.get("xp")
    if isinstance(name, str):
        state = {**state, "xp": namespace(name) if name in DEVICES else _imported(name)}
    return state


def _imported(name: str) -> Any:
    if name not in sys.modules:
        raise ValueError(f"the array namespace {name!r} is not imported; import it first")
    return sys.modules[name]


def move_model(model: Any, device: Any) -> Any:
    """Move a built model (its weights, their gradients, the optimizer's state and every
    array its layers keep) to ``device``, in place; return the model.

    For code that builds its model somewhere else (the Nielsen facade, a lab function):
    build on the CPU as always, then ``move_model(net.model, "gpu")``. The weights are the
    same numbers; from then on the model computes in the new namespace.
    """
    xp = namespace(device)
    numpy_only = [type(layer).__name__ for layer in model.layers if not layer.array_api]
    if numpy_only and xp is not NUMPY:
        raise ValueError(
            f"{', '.join(sorted(set(numpy_only)))} compute(s) with NumPy only and cannot run "
            f"on device={getattr(device, '__name__', device)!r}; use device='cpu'"
        )
    for layer in model.layers:
        moved = {}
        for table in (layer.params, layer.grads):
            for name, value in table.items():
                moved[id(value)] = table[name] = xp.asarray(value)
        for key, value in list(vars(layer).items()):  # self.kernel is params["kernel"]; caches
            if isinstance(value, np.ndarray):
                setattr(layer, key, moved[id(value)] if id(value) in moved else xp.asarray(value))
        layer.xp = xp
    for slots in getattr(model.optimizer, "state", {}).values():
        for key, value in slots.items():
            slots[key] = xp.asarray(value)
    model.xp = xp
    return model


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array on the host (``x`` itself if it already is one)."""
    return x if isinstance(x, np.ndarray) else _host(x)


def _host(x: Any) -> np.ndarray:
    if hasattr(x, "get"):  # CuPy: copy from the GPU
        return x.get()
    return np.asarray(x)  # a CPU array NumPy can read (array_api_strict)


# -- NumPy's bits where NumPy has a faster or different spelling ---------------------------
def flat_dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` over every entry, as one dot product of the flattened arrays (NumPy:
    the bits of ``np.vdot``)."""
    xp = array_namespace(a)
    return float(xp.vecdot(xp.reshape(a, (-1,)), xp.reshape(b, (-1,))))


def difference(a: np.ndarray, b: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """``a - b``; into ``out`` with NumPy when the fast path gives a buffer."""
    return a - b if out is None else np.subtract(a, b, out=out)


def row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_k a[i, k] * b[i, k]`` for every row ``i``: NumPy's ``einsum`` (the bits the
    losses always had), the standard's ``vecdot`` elsewhere."""
    xp = array_namespace(a)
    return np.einsum("ij,ij->i", a, b) if xp is NUMPY else xp.vecdot(a, b)
