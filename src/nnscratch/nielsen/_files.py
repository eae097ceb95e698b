"""Reading the book's JSON networks (``network2.save``) as untrusted files.

A network file is JSON: ``{"sizes": [...], "weights": [...], "biases": [...], "cost":
"CrossEntropyCost"}``. Whoever hands one over may have made it to hurt: a FIFO that never
ends, ``/dev/zero``, a gigabyte of text, arrays nested a million deep, numbers beyond a
float. :func:`read_network_file` reads it through :mod:`nnscratch.untrusted` (regular
files only, the size capped before reading, the depth measured before parsing, ``NaN``
and huge numbers refused) and checks every field against the declared sizes, naming the
file in each error.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import numpy as np

from ..untrusted import load_json, read_bytes
from ._costs import COSTS

__all__ = ["MAX_NETWORK_BYTES", "MAX_NETWORK_WEIGHTS", "read_network_file"]

#: the largest network file read: about 6 million weights written by ``save``
MAX_NETWORK_BYTES = 128 * 2**20
#: the most weights a network file may declare through its ``sizes``
MAX_NETWORK_WEIGHTS = 50_000_000
#: sizes, weights[layer][row][column]: 3 levels inside the object, with room to spare
MAX_DEPTH = 8


def read_network_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"sizes", "weights", "biases", "cost"}`` from a network file, every part checked.

    ``weights`` and ``biases`` come back as lists of float arrays in the book's shapes
    ``(y, x)`` and ``(y, 1)``.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it is not such a file (an :class:`~nnscratch.untrusted.UntrustedFileError`
        for a FIFO, a device, a file too large or too deep, bad JSON), naming the file.
    """
    where = f"network file {os.fspath(path)}"
    text = read_bytes(path, what="network file", max_bytes=MAX_NETWORK_BYTES)
    data = load_json(text, what=where, max_bytes=MAX_NETWORK_BYTES, max_depth=MAX_DEPTH)
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not a network file (expected a JSON object)")
    missing = [k for k in ("sizes", "weights", "biases", "cost") if k not in data]
    if missing:
        raise ValueError(f"{where}: not a network file (missing {', '.join(missing)})")
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and 0 < s < 2**31 for s in sizes)
    ):
        raise ValueError(f"{where}: 'sizes' must be a list of positive integers, got {sizes!r}")
    count = sum(x * y + y for x, y in itertools.pairwise(sizes))
    if count > MAX_NETWORK_WEIGHTS:
        raise ValueError(
            f"{where}: sizes {sizes} declare {count:,} weights, more than the "
            f"{MAX_NETWORK_WEIGHTS:,} a network file may hold"
        )
    if not isinstance(data["cost"], str) or data["cost"] not in COSTS:
        raise ValueError(f"{where}: unknown cost {data['cost']!r}; valid: {', '.join(COSTS)}")
    arrays = {key: _arrays(data[key], key, sizes, where) for key in ("weights", "biases")}
    return {"sizes": sizes, "cost": data["cost"], **arrays}


def _arrays(value: Any, key: str, sizes: list[int], where: str) -> list[np.ndarray]:
    n_layers = len(sizes) - 1
    if not isinstance(value, list) or len(value) != n_layers:
        raise ValueError(f"{where}: {key!r} must be a list of {n_layers} arrays for sizes {sizes}")
    arrays = []
    for i, ((x, y), item) in enumerate(zip(itertools.pairwise(sizes), value)):
        try:
            array = np.array(item, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {key} must be nested lists of numbers ({exc})") from None
        shape = (y, x) if key == "weights" else (y, 1)
        if array.shape != shape:
            raise ValueError(
                f"{where}: {key}[{i}] has shape {array.shape}, expected {shape} for sizes {sizes}"
            )
        arrays.append(array)
    return arrays
