"""Saving and loading models: one plain, safe file per model.

``model.save("moons.nnscratch")`` writes a zip archive with two entries:

``weights.npz``
    NumPy's own archive of plain arrays: ``weights/0.kernel``, ``weights/0.bias``, ...
    and the optimizer's state (``optimizer/m/0.kernel``, ...). Read back with
    ``np.load(..., allow_pickle=False)``: an array that would need pickle (an object
    array) is refused, so a file can never run code.
``config.json``
    Human-readable: the format and its version, the layers with their activations,
    initializers and regularizers by name, the loss and its reduction, the optimizer's
    settings and update count, the dtype, the random generators' state, and the SHA-256
    of ``weights.npz``.

:func:`load_model` checks everything before it returns a model and raises
:class:`ModelFileError` (a ``ValueError``) naming the file and the problem: not a zip
or truncated, missing entries, bad JSON, another format or version, a checksum that
does not match (a changed or damaged ``weights.npz``), unknown layer types or
activations, shapes that do not fit the architecture, missing arrays, NaN or infinity.

Writes are atomic: the archive goes to a temporary file in the same directory, is
flushed to disk (``fsync``), then renamed over the target with ``os.replace``. A crash
or Ctrl-C in the middle leaves the previous file as it was.

A loaded model predicts exactly (bit for bit) what the saved one did and, with its
optimizer state and generators restored, trains on exactly as it would have.

Examples
--------
>>> import nnscratch                                                 # doctest: +SKIP
>>> model.save("moons.nnscratch")                                    # doctest: +SKIP
>>> again = nnscratch.load_model("moons.nnscratch")                  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
import zlib
from typing import IO, Any

import numpy as np

from .engine import serialize
from .engine.model import Sequential
from .files import atomic_write
from .untrusted import (
    NPY_MAX_HEADER,
    UntrustedFileError,
    check_zip,
    format_bytes,
    load_json,
    load_npz,
    open_member,
    open_regular,
)

__all__ = ["ModelFileError", "read_model_file", "save_model"]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "weights.npz"
_MAX_CONFIG_BYTES = 16 * 2**20  # a config is a few kB; refuse anything absurd
#: the largest model file read (its arrays are capped by the architecture too)
MAX_MODEL_BYTES = 4 * 2**30


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and the problem."""

    def __init__(self, path: Any, problem: str) -> None:
        self.path = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
        self.problem = problem
        super().__init__(f"cannot load model file {self.path!r}: {problem}")


class _HashingWriter:
    """A write-only stream that hashes what passes through it."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def read(self, size: int = -1) -> bytes:
        # np.savez takes anything with read() for a file object; it only ever writes.
        raise io.UnsupportedOperation("write-only stream")


SUFFIX = ".nnscratch"


def check_filename(filepath: str | os.PathLike[str]) -> str:
    """``filepath`` as a string if it names a model file (a non-empty path ending in
    ``.nnscratch``, not a folder); else the error ``save_model`` raises."""
    path = os.fspath(filepath)
    if not isinstance(path, str) or not path:
        raise ValueError(f"filepath must be a non-empty path, got {filepath!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory; give a file name such as m{SUFFIX}")
    suffix = os.path.splitext(path)[1]
    if suffix != SUFFIX:
        hint = " (HDF5 is not supported)" if suffix.lower() in (".h5", ".hdf5") else ""
        raise ValueError(
            f"{path!r}: model files are nnscratch archives and must end in {SUFFIX}, got "
            f"{suffix or 'no extension'}{hint}; e.g. model.save('model{SUFFIX}')"
        )
    return path


def save_model(model: Any, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
    """Write ``model`` to ``filepath`` atomically (see the module docstring).

    Parameters
    ----------
    model : Sequential
    filepath : str or path
        Ending in ``.nnscratch``. Other names are refused rather than given a format
        they do not have (``m.h5`` would not be an HDF5 file, ``m.keras`` not a Keras
        archive).
    overwrite : bool, default True
        With ``False``, an existing file raises ``FileExistsError``.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"save_model expects a Sequential model, got {type(model).__name__}")
    path = check_filename(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False")
    config, arrays = serialize.model_to_data(model)

    def write(raw: IO[bytes]) -> None:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # weights.npz first: config.json records its checksum.
            with archive.open(WEIGHTS_NAME, "w", force_zip64=True) as entry:
                hashing = _HashingWriter(entry)
                np.savez(hashing, **arrays)  # type: ignore[arg-type]
            config["weights_sha256"] = hashing.sha256.hexdigest()
            text = json.dumps(config, indent=2, allow_nan=False)
            archive.writestr(CONFIG_NAME, text.encode("utf-8"))

    atomic_write(path, write)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def read_model_file(filepath: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checked ``(config, arrays)`` of a model file, for
    :func:`nnscratch.engine.serialize.model_from_data` (``nnscratch.load_model`` does both).

    Raises the file errors that :func:`nnscratch.load_model` documents.
    """
    path = os.fspath(filepath)
    if not os.path.lexists(path):
        raise FileNotFoundError(f"no model file at {path!r}")
    try:
        with open_regular(path, what="model file", max_bytes=MAX_MODEL_BYTES) as raw:
            return _read_archive(raw, path)
    except UntrustedFileError as exc:
        raise ModelFileError(
            path, exc.problem + (f"; {exc.accepted}" if exc.accepted else "")
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, RuntimeError) as exc:
        problem = f"not a readable model archive (truncated or damaged?): {exc}"
        raise ModelFileError(path, problem) from None


def _read_archive(raw: IO[bytes], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """config.json first (small, bounded, checked), then only the arrays it allows."""
    where = f"model file {path}"
    with zipfile.ZipFile(raw) as archive:

        def read(name: str, max_bytes: int) -> bytes:
            """The member ``name``, refused if it holds more than ``max_bytes``."""
            with open_member(archive, name, what=where, max_bytes=max_bytes) as f:
                return f.read()

        infos = check_zip(
            archive,
            what=where,
            max_member_bytes=MAX_MODEL_BYTES,
            max_total_bytes=MAX_MODEL_BYTES,
            max_members=16,
        )
        found = sorted(info.filename for info in infos)
        if found != sorted([CONFIG_NAME, WEIGHTS_NAME]):
            raise ModelFileError(
                path,
                f"expected the entries {CONFIG_NAME} and {WEIGHTS_NAME}, found "
                f"{', '.join(found) or 'none'}",
            )
        config = _checked_config(read(CONFIG_NAME, _MAX_CONFIG_BYTES), path)
        try:
            expected = serialize.expected_arrays(config)  # nothing allocated: shapes only
        except (TypeError, ValueError) as exc:
            raise ModelFileError(path, str(exc)) from None
        sizes = [math.prod(shape) * np.dtype(dtype).itemsize for shape, dtype in expected.values()]
        allowed = sum(sizes) + (NPY_MAX_HEADER + 1024) * (len(sizes) + 1)
        declared = archive.getinfo(WEIGHTS_NAME).file_size
        if declared > allowed:
            raise ModelFileError(
                path,
                f"{WEIGHTS_NAME} declares {format_bytes(declared)} but the architecture in "
                f"{CONFIG_NAME} holds at most {format_bytes(allowed)} of arrays",
            )
        payload = read(WEIGHTS_NAME, allowed)
    digest = config.pop("weights_sha256", None)
    if not isinstance(digest, str):
        raise ModelFileError(path, f"{CONFIG_NAME} has no weights_sha256 checksum")
    actual = hashlib.sha256(payload).hexdigest()
    if actual != digest:
        raise ModelFileError(
            path,
            f"checksum mismatch: {WEIGHTS_NAME} has SHA-256 {actual[:12]}..., the config "
            f"expects {digest[:12]}...; the file was modified or damaged",
        )
    arrays = load_npz(
        io.BytesIO(payload),
        what=f"{WEIGHTS_NAME} in {where}",
        max_array_bytes=max(sizes, default=0) + 8,
        max_total_bytes=sum(sizes) + 8,
    )  # unexpected names are explained by model_from_data
    for name, arr in arrays.items():
        if arr.dtype.kind not in "fiu":
            raise ModelFileError(path, f"array {name!r} has non-numeric dtype {arr.dtype}")
    return config, arrays


def _checked_config(data: bytes, path: str) -> dict[str, Any]:
    try:
        config = load_json(
            data, what=f"{CONFIG_NAME} in model file {path}", max_bytes=_MAX_CONFIG_BYTES
        )
    except UntrustedFileError as exc:
        raise ModelFileError(path, f"{CONFIG_NAME} is not valid JSON: {exc.problem}") from None
    if not isinstance(config, dict):
        raise ModelFileError(path, f"{CONFIG_NAME} must hold a JSON object")
    if config.get("format") != serialize.FORMAT:
        raise ModelFileError(path, f"not an nnscratch model (format {config.get('format')!r})")
    if config.get("format_version") not in serialize.READABLE_VERSIONS:
        raise ModelFileError(
            path,
            f"format version {config.get('format_version')!r} is not supported; this "
            f"nnscratch reads versions {', '.join(map(str, serialize.READABLE_VERSIONS))}",
        )
    return config
