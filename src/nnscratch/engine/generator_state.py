"""A random generator's exact state as JSON data, and back (for model files).

Training resumes bit for bit only if the generators that shuffle the examples and draw the
dropout masks go on where they stopped, so a model file keeps their state: :func:`to_data`
describes a ``RandomState`` or a ``Generator`` in plain JSON, and :func:`from_data` makes
one from such a description. A file is untrusted, so :func:`from_data` accepts only the bit
generators NumPy ships (a fixed table: nothing is imported by name) and only uint32 or
uint64 arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["from_data", "to_data"]

# The random bit generators a file may name (a fixed table: nothing is imported by name).
BIT_GENERATORS: dict[str, Callable[[], np.random.BitGenerator]] = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}


def to_data(rng: Any) -> dict[str, Any] | None:
    """A JSON-ready description of a generator's exact state."""
    if rng is None:
        return None
    if isinstance(rng, np.random.RandomState):
        return {"kind": "RandomState", "state": _jsonable(rng.get_state(legacy=False))}
    return {"kind": "Generator", "state": _jsonable(rng.bit_generator.state)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_data(kind: str, raw: dict[str, Any], where: str) -> Any:
    """The generator that ``{"kind": kind, "state": raw}`` describes (``where`` names it in
    errors); ``ValueError`` for anything else."""
    data = _from_jsonable(raw, where)
    try:
        if kind == "RandomState":
            rng = np.random.RandomState()
            rng.set_state(data)
            return rng
        if kind == "Generator":
            name = data.get("bit_generator")
            if name not in BIT_GENERATORS:
                raise ValueError(
                    f"unknown bit generator {name!r}; valid: {', '.join(sorted(BIT_GENERATORS))}"
                )
            bitgen = BIT_GENERATORS[name]()
            bitgen.state = data
            return np.random.Generator(bitgen)
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ValueError(f"{where}: bad generator state ({exc})") from None
    raise ValueError(f"{where}.kind must be 'RandomState' or 'Generator', got {kind!r}")


def _from_jsonable(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"ndarray", "dtype"}:
            if value["dtype"] not in ("uint32", "uint64"):
                raise ValueError(f"{where}: generator arrays must be uint32 or uint64")
            try:
                return np.array(value["ndarray"], dtype=value["dtype"])
            except (TypeError, ValueError, OverflowError) as exc:
                raise ValueError(f"{where}: bad generator array ({exc})") from None
        return {k: _from_jsonable(v, where) for k, v in value.items()}
    return value
