"""JSON from untrusted text: size, nesting depth, numbers and encoding checked first."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from ..engine.checks import integer
from .base import UntrustedFileError, format_bytes, limit

__all__ = ["JSON_DEPTH_CEILING", "json_depth", "load_json"]

#: The deepest JSON :func:`load_json` accepts, whatever ``max_depth`` asks: Python's
#: parser recurses once per level, and its recursion limit is about 1,000.
JSON_DEPTH_CEILING = 500


# A JSON string: a quote, then anything but quote and backslash, or a backslash and any
# character, then a quote ("unrolled" so that it runs in linear time).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPEN = np.zeros(256, np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_OPEN[[ord("]"), ord("}")]] = -1


def json_depth(data: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text (UTF-8), by a linear scan.

    Brackets inside strings do not count. Runs in chunks, so memory stays small whatever
    the size; the result is exact for valid JSON.

    >>> json_depth(b'{"a": [[1, "]]"], {}]}')
    3
    """
    bare = _JSON_STRING.sub(b"", data)
    deepest, depth = 0, 0
    for start in range(0, len(bare), 1 << 20):
        steps = _OPEN[
            np.frombuffer(bare, np.uint8, count=min(1 << 20, len(bare) - start), offset=start)
        ]
        running = np.cumsum(steps, dtype=np.int64) + depth
        if len(running):
            deepest = max(deepest, int(running.max()))
            depth = int(running[-1])
    return deepest


def load_json(
    text: str | bytes | bytearray,
    *,
    what: str,
    max_bytes: int,
    max_depth: int = 64,
    max_int_digits: int = 64,
) -> Any:
    """``json.loads`` for untrusted text: size, depth, numbers and encoding checked first.

    Parameters
    ----------
    text : str or bytes
        JSON text; bytes are decoded as UTF-8 (a byte-order mark is allowed).
    what : str
        What the text is, for messages (``"config.json in m.nnscratch"``).
    max_bytes : int
        The largest text accepted (in UTF-8 bytes; for ``str``, characters are counted
        first so that a huge string is refused without encoding it).
    max_depth : int, default 64
        The deepest nesting of arrays and objects (at most :data:`JSON_DEPTH_CEILING`).
    max_int_digits : int, default 64
        The most digits an integer may have (Python itself stops at 4,300 with a
        ``ValueError``; range-check the values you read with :mod:`nnscratch.engine.checks`).

    Raises
    ------
    UntrustedFileError
        Too large, too deep, not UTF-8, not JSON (with line and column), ``NaN`` or
        ``Infinity``, a number too large for a float, an integer with too many digits.

    Examples
    --------
    >>> load_json('{"sizes": [784, 30, 10]}', what="net.json", max_bytes=100)
    {'sizes': [784, 30, 10]}
    >>> load_json("[" * 200_000 + "]" * 200_000, what="net.json", max_bytes=10**6)
    Traceback (most recent call last):
    ...
    nnscratch.untrusted.UntrustedFileError: net.json: is nested 200000 levels deep; ...
    """
    max_bytes = limit("max_bytes", max_bytes)
    max_depth = integer("max_depth", max_depth, low=1, high=JSON_DEPTH_CEILING)
    max_int_digits = integer("max_int_digits", max_int_digits, low=1, high=4300)
    accepted_size = f"at most {format_bytes(max_bytes)}"
    if isinstance(text, str):
        if len(text) > max_bytes:
            raise UntrustedFileError(what, f"is {len(text):,} characters", accepted_size)
        data = text.encode("utf-8", errors="surrogatepass")
    else:
        data = bytes(text)
    if len(data) > max_bytes:
        raise UntrustedFileError(what, f"is {format_bytes(len(data))}", accepted_size)
    if not isinstance(text, str):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UntrustedFileError(
                what,
                f"is not UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 4]!r})",
                "expected UTF-8 JSON text",
            ) from None
    depth = json_depth(data)
    if depth > max_depth:
        raise UntrustedFileError(
            what, f"is nested {depth} levels deep", f"at most {max_depth} levels are accepted"
        )

    def refuse_constant(name: str) -> Any:
        raise UntrustedFileError(what, f"holds {name}", "expected only finite numbers")

    def parse_float(token: str) -> float:
        value = float(token)
        if value in (float("inf"), float("-inf")):
            raise UntrustedFileError(
                what,
                f"holds the number {token[:40]}, too large for a float",
                "expected only finite numbers",
            )
        return value

    def parse_int(token: str) -> int:
        digits = len(token) - token.startswith("-")
        if digits > max_int_digits:
            raise UntrustedFileError(
                what,
                f"holds an integer of {digits:,} digits",
                f"at most {max_int_digits} digits are accepted",
            )
        return int(token)

    try:
        return json.loads(
            text, parse_constant=refuse_constant, parse_float=parse_float, parse_int=parse_int
        )
    except json.JSONDecodeError as exc:
        raise UntrustedFileError(
            what, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
