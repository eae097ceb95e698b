"""``model.save_weights`` / ``model.load_weights``: the weights alone, as plain arrays.

A weights file holds no architecture, loss or optimizer: only the arrays, so that the
same weights can be put into a model built by code (Keras' ``save_weights``). It is a
NumPy ``.npz`` archive whose arrays are named by the model's dotted names::

    0.kernel   (784, 512)        2.kernel   (512, 512)        4.kernel   (512, 10)
    0.bias     (512,)            2.bias     (512,)            4.bias     (10,)

and can be read anywhere with ``np.load("mlp.weights.npz")``.

Naming
    The name must end in ``.weights.npz``. Keras 3 asks for ``.weights.h5``, an HDF5
    file; nnscratch does not write HDF5, so ``.h5`` names are refused (with the name to
    use) rather than given a format they do not have. ``load_weights`` also reads the
    weights out of a whole-model ``.nnscratch`` file, as Keras 3 reads them out of a
    ``.keras`` file.
Matching
    As in Keras 3, weights go to the layers *that have weights*, in order: a model with
    one more or one fewer ``Dropout`` loads the same file. Each layer must receive the
    weights it declares (same names, same shapes), or the load fails and the model keeps
    its weights; ``skip_mismatch=True`` skips the layers that do not match, with a
    warning for each. Arrays of another float dtype are converted to the model's.
Safety
    The file is written atomically (:func:`nnscratch.files.atomic_write`): a crash leaves
    the old file. It is read through :mod:`nnscratch.untrusted`: a regular file only, no
    pickled objects, every array's declared size checked against what the model can hold
    before it is read, NaN and infinity refused.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from .engine import serialize
from .files import atomic_write
from .saving import read_model_file
from .untrusted import load_npz

__all__ = ["SUFFIX", "check_filename", "load_weights", "save_weights"]

SUFFIX = ".weights.npz"
MODEL_SUFFIX = ".nnscratch"
_DOTTED = re.compile(r"(0|[1-9][0-9]{0,5})\.([A-Za-z_][A-Za-z0-9_]{0,63})")


def check_filename(filepath: Any) -> str:
    """``filepath`` as a string if :func:`save_weights` takes its name (it ends in
    ``.weights.npz``); otherwise the ``ValueError`` that ``save_weights`` would raise."""
    return _checked_name(filepath, reading=False)


def _checked_name(filepath: Any, reading: bool) -> str:
    path = os.fspath(filepath)
    if not isinstance(path, str) or not path:
        raise ValueError(f"filepath must be a non-empty path, got {filepath!r}")
    if path.endswith(SUFFIX) or (reading and path.endswith(MODEL_SUFFIX)):
        return path
    accepted = f"{SUFFIX} (or a whole {MODEL_SUFFIX} model)" if reading else SUFFIX
    hint = ""
    if path.lower().endswith((".h5", ".hdf5")):
        hint = " (HDF5 is not supported: nnscratch stores weights as NumPy arrays)"
    stem = os.path.basename(path).split(".")[0] or "model"
    raise ValueError(
        f"{path!r}: weights files must end in {accepted}{hint}; e.g. "
        f"model.{'load' if reading else 'save'}_weights('{stem}{SUFFIX}')"
    )


def save_weights(model: Any, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
    """Write the weights of ``model`` to ``filepath`` (ending in ``.weights.npz``).

    Raises ``ValueError`` for another name or a model without weights yet, and
    ``FileExistsError`` for an existing file with ``overwrite=False``.
    """
    path = _checked_name(filepath, reading=False)
    if not model.built:
        raise ValueError(
            "the model has no weights yet: give the first layer input_shape=..., call "
            "model.build(input_shape) or fit it first"
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False")
    arrays = {key: np.ascontiguousarray(p) for key, p in model.parameters().items()}

    def write(raw: IO[bytes]) -> None:
        np.savez(raw, **arrays)  # type: ignore[arg-type]

    atomic_write(path, write)


def _read(path: str, sizes: list[int]) -> dict[str, np.ndarray]:
    """The arrays of a weights file (or a model file's weights); no array may declare
    more bytes than the model's largest weight in float64, nor all more than all."""
    if path.endswith(MODEL_SUFFIX):
        _, arrays = read_model_file(path)
        prefix = serialize.WEIGHTS_PREFIX
        return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
    if not os.path.exists(path):
        raise FileNotFoundError(f"no weights file at {path!r}")
    return load_npz(
        path, what="weights file", max_array_bytes=max(sizes), max_total_bytes=sum(sizes)
    )


def _by_layer(arrays: Mapping[str, np.ndarray], path: str) -> list[dict[str, np.ndarray]]:
    """The file's arrays grouped per layer, in layer order."""
    groups: dict[int, dict[str, np.ndarray]] = {}
    for key, arr in arrays.items():
        match = _DOTTED.fullmatch(key)
        if match is None:
            raise ValueError(
                f"weights file {path!r}: array {key[:80]!r} is not named like a model weight "
                f"('0.kernel', '1.bias', ...)"
            )
        groups.setdefault(int(match[1]), {})[match[2]] = arr
    return [groups[i] for i in sorted(groups)]


def _mismatch(saved: Mapping[str, np.ndarray], layer: Any) -> str | None:
    """Why ``saved`` cannot go into ``layer``, or None when it can."""
    wanted = {key: p.shape for key, p in layer.params.items()}
    given = {key: arr.shape for key, arr in saved.items()}
    if set(wanted) != set(given):
        return f"the file has {sorted(given)}, the layer declares {sorted(wanted)}"
    for key, shape in wanted.items():
        if given[key] != shape:
            return f"{key} has shape {given[key]} in the file, {shape} in the model"
        if saved[key].dtype.kind not in "fiu":
            return f"{key} has dtype {saved[key].dtype}, expected numbers"
        if not np.isfinite(saved[key]).all():
            return f"{key} contains NaN or infinite values"
    return None


def load_weights(model: Any, filepath: str | os.PathLike[str], skip_mismatch: bool = False) -> None:
    """Put the weights of ``filepath`` into ``model`` (see the module docstring).

    All layers are checked before any weight changes: a failed load leaves the model
    as it was.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Another file name, a model without weights yet, a file that is not a weights
        file (:class:`nnscratch.untrusted.UntrustedFileError`), or weights that do not
        fit the model (the message names the layer).
    """
    path = _checked_name(filepath, reading=True)
    if not model.built:
        raise ValueError(
            "build the model before loading weights into it: give the first layer "
            "input_shape=..., or call model.build(input_shape)"
        )
    layers = [(i, layer) for i, layer in enumerate(model.layers) if layer.params]
    sizes = [p.size * 8 for _, layer in layers for p in layer.params.values()] or [0]
    saved = _by_layer(_read(path, sizes), path)
    if len(saved) != len(layers) and not skip_mismatch:
        raise ValueError(
            f"weights file {path!r} holds weights for {len(saved)} layer(s), but the model "
            f"has {len(layers)} layer(s) with weights; pass skip_mismatch=True to load "
            f"the ones that fit"
        )
    updates = []
    for (i, layer), arrays in zip(layers, saved):
        problem = _mismatch(arrays, layer)
        where = f"layer {i} ({type(layer).__name__})"
        if problem is None:
            updates.append((layer, arrays))
        elif skip_mismatch:
            warnings.warn(f"skipping {where}: {problem}", UserWarning, stacklevel=3)
        else:
            raise ValueError(f"weights file {path!r} does not fit {where}: {problem}")
    for i, _ in layers[len(saved) :]:
        warnings.warn(f"layer {i} gets no weights from {path!r}", UserWarning, stacklevel=3)
    if len(saved) > len(layers):
        extra = len(saved) - len(layers)
        warnings.warn(
            f"{path!r} holds {extra} more layer(s) of weights than the model "
            f"uses; they are ignored",
            UserWarning,
            stacklevel=3,
        )
    for layer, arrays in updates:
        for key, p in layer.params.items():
            np.copyto(p, arrays[key], casting="unsafe")
