"""Points and labels from a CSV file: ``x1, x2, label`` per line, header optional.

The 2-D tutorials work on points in the plane with a class label; this reads your own
points in the same shape as :func:`nnscratch.data.moons` returns them. A file looks like::

    x1,x2,label
    0.52,-0.31,1
    -1.20,0.88,0

Rules, so that a mistake in the file is reported where it is:

* numbers are written plainly: ASCII digits with one optional sign, an optional decimal
  point and an optional exponent (``-1.5``, ``.5``, ``2e-3``); ``1_000``, ``0x10`` or
  digits of other scripts (``١``) are not numbers (Python's ``float`` would take some of
  them); ``nan`` and ``inf`` are read as numbers only to be refused as not finite;
* the first non-blank line is a header when none of its fields is a number, a data row
  when all of them are, and an error when it mixes the two (so a typo in the first data
  row is reported, never skipped as a "header"): see :func:`is_header`;
* blank lines and lines starting with ``#`` are skipped;
* every row has the same number of fields (at least 2): the features, then the label;
* features are finite numbers; the label is a whole number >= 0 (``1`` or ``1.0``).

A broken row raises ``ValueError`` naming the file, the line number and the row; so do
bytes that are not UTF-8 and a field over the :mod:`csv` module's size limit. The file
itself is read through :func:`nnscratch.untrusted.read_bytes`: a FIFO, a device or a file
over ``max_bytes`` is refused before anything is parsed.

:func:`parse_number` and :func:`is_header` are the two decisions on their own, for other
readers of points (the playground's upload) to make them the same way.

(The module is called ``csvdata`` rather than ``csv`` so that it can never be mistaken
for the standard library's :mod:`csv`, which it uses.)
"""

from __future__ import annotations

import codecs
import csv
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from ..engine.checks import integer
from ..untrusted import read_bytes

__all__ = ["MAX_CSV_BYTES", "is_header", "load_csv", "parse_number"]

#: The largest CSV file :func:`load_csv` reads by default (``max_bytes=``).
MAX_CSV_BYTES = 64 * 2**20

# Plain decimal notation only: sign, ASCII digits, point, exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """The value of ``text`` if it is a number in plain decimal notation, else ``None``.

    Accepted: ASCII digits, one optional sign, an optional decimal point and an optional
    exponent. ``nan``, ``inf`` and ``infinity`` (any case, with a sign) are returned as
    the non-finite floats they name, so that a caller can refuse them *as numbers* (a row
    ``1,nan,0`` is a bad data row, not a header). A number too large for a float gives
    ``inf``, likewise. Surrounding spaces are not stripped here.

    >>> parse_number("-1.5e3"), parse_number(".5"), parse_number("7.")
    (-1500.0, 0.5, 7.0)
    >>> parse_number("1_000"), parse_number("\u0661"), parse_number("0x10"), parse_number("")
    (None, None, None, None)
    >>> parse_number("NaN")
    nan
    """
    if _NUMBER.fullmatch(text) or _NON_FINITE.fullmatch(text):
        return float(text)
    return None


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."


def _not_a_number(where: str, column: int, fields: Sequence[str]) -> str:
    text = _shown(fields[column])
    if column == len(fields) - 1:
        return f"{where}: the label {text} is not a number"
    return f"{where}: field {column + 1} ({text}) is not a number"


def is_header(fields: Sequence[str], *, where: str) -> bool:
    """Decide whether the first row of a points file is a header.

    A row is a header only if *none* of its fields is a number (:func:`parse_number`),
    and a data row if all of them are. A row that mixes the two is a mistyped data row,
    not a header: it raises, so that it is reported by its line instead of silently
    dropped.

    Parameters
    ----------
    fields : sequence of str
        The row's fields, stripped of surrounding spaces.
    where : str
        Names the row in the message, e.g. ``"points.csv, line 1"``.

    Raises
    ------
    ValueError
        ``"<where>: field 2 ('oops') is not a number"`` (or ``"the label ... is not a
        number"`` for the last field) for a row mixing numbers and text.

    Examples
    --------
    >>> is_header(["x1", "x2", "label"], where="line 1")
    True
    >>> is_header(["0.5", "-1", "1"], where="line 1")
    False
    >>> is_header(["0.5", "oops", "1"], where="points.csv, line 1")
    Traceback (most recent call last):
    ...
    ValueError: points.csv, line 1: field 2 ('oops') is not a number
    """
    numbers = [parse_number(field) is not None for field in fields]
    if not any(numbers):
        return True
    if all(numbers):
        return False
    raise ValueError(_not_a_number(where, numbers.index(False), fields))


def _split_lines(content: bytes | str) -> list:
    # \r\n, \r and \n all end a line (files from Windows, old Macs and Unix).
    newline, cr = ("\n", "\r") if isinstance(content, str) else (b"\n", b"\r")
    return content.replace(cr + newline, newline).replace(cr, newline).split(newline)


def _decoded(lines: list, name: str) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield lineno, line
            continue
        if lineno == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield lineno, line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.start + 1]
            raise ValueError(
                f"{name}, line {lineno}: byte {exc.start + 1} ({bad!r}) is not UTF-8 text; "
                "save the file as UTF-8 (plain text)"
            ) from None


def _rows(
    lines: Iterable[tuple[int, str]], name: str, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    limit = csv.field_size_limit()
    for lineno, line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            fields = next(csv.reader([stripped], delimiter=delimiter))
        except csv.Error as exc:
            long = [i for i, part in enumerate(stripped.split(delimiter)) if len(part) > limit]
            if long:
                raise ValueError(
                    f"{name}, line {lineno}: field {long[0] + 1} is "
                    f"{len(stripped.split(delimiter)[long[0]]):,} characters long; fields "
                    f"are limited to {limit:,}"
                ) from None
            raise ValueError(f"{name}, line {lineno}: not a valid CSV row ({exc})") from None
        yield lineno, [f.strip() for f in fields]


def load_csv(
    path: str | os.PathLike[str] | IO[str] | IO[bytes],
    *,
    delimiter: str = ",",
    dtype: type | np.dtype = np.float64,
    max_bytes: int = MAX_CSV_BYTES,
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``(X, y)`` from a CSV file of feature columns followed by an integer label.

    Parameters
    ----------
    path : path-like or stream
        The file (read as UTF-8; a byte-order mark is ignored), or an open text or binary
        stream.
    delimiter : str, default ","
        One character separating the fields (``";"`` or ``"\\t"`` for other dialects).
    dtype : float dtype, default numpy.float64
        The dtype of ``X``.
    max_bytes : int, default :data:`MAX_CSV_BYTES` (64 MiB)
        The largest file read; a larger one is refused before parsing.

    Returns
    -------
    X : numpy.ndarray of shape (n_samples, n_features)
    y : numpy.ndarray of shape (n_samples,), int64

    Raises
    ------
    ValueError
        A row with the wrong number of fields, a field that is not a finite number in
        plain notation, a label that is not a whole number >= 0, bytes that are not
        UTF-8, a field over the csv module's limit, or a file without data rows; the
        message names the file and the line. A FIFO, a device or a file over
        ``max_bytes`` raises :class:`nnscratch.untrusted.UntrustedFileError` (a
        ``ValueError`` too).
    FileNotFoundError
        No such file.

    Examples
    --------
    >>> import io
    >>> X, y = load_csv(io.StringIO("x1,x2,label\\n0.5,-1,1\\n2,0.25,0\\n"))
    >>> X
    array([[ 0.5 , -1.  ],
           [ 2.  ,  0.25]])
    >>> y
    array([1, 0])
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValueError(f"delimiter must be a single character, got {delimiter!r}")
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating-point dtype, got {dt}")
    max_bytes = integer("max_bytes", max_bytes, low=0)

    if hasattr(path, "read"):
        name = str(getattr(path, "name", "<stream>"))
        content = path.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise ValueError(f"{name}: more than {max_bytes:,} bytes; at most {max_bytes:,}")
    else:
        name = str(Path(path))
        content = read_bytes(path, what="CSV file", max_bytes=max_bytes)
    rows = _rows(_decoded(_split_lines(content), name), name, delimiter)
    return _parse(rows, name, delimiter, dt)


def _parse(
    rows: Iterable[tuple[int, list[str]]], name: str, delimiter: str, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    features: list[list[float]] = []
    labels: list[int] = []
    width: int | None = None
    first = True
    for lineno, fields in rows:
        where = f"{name}, line {lineno}"
        if first:
            first = False
            if is_header(fields, where=where):
                if len(fields) < 2:
                    raise ValueError(
                        f"{where}: the header has {len(fields)} column; expected at least 2 "
                        f"(features then label), separated by {delimiter!r}"
                    )
                width = len(fields)
                continue
        if width is None:
            width = len(fields)
            if width < 2:
                raise ValueError(
                    f"{where}: expected at least 2 fields (features then label) separated by "
                    f"{delimiter!r}, got {len(fields)}: {_shown(delimiter.join(fields))}"
                )
        if len(fields) != width:
            expected = ", ".join([f"x{i + 1}" for i in range(width - 1)] + ["label"])
            raise ValueError(
                f"{where}: expected {width} fields ({expected}), got {len(fields)}: "
                f"{_shown(delimiter.join(fields))}"
            )
        features.append(_features(fields, where))
        labels.append(_label(fields, where))
    if not features:
        raise ValueError(f"{name}: no data rows (expected lines like '0.5,-1.2,1')")
    return np.asarray(features, dtype=dtype), np.asarray(labels, dtype=np.int64)


def _features(fields: Sequence[str], where: str) -> list[float]:
    row = []
    for column, text in enumerate(fields[:-1]):
        value = parse_number(text)
        if value is None:
            raise ValueError(_not_a_number(where, column, fields))
        if not math.isfinite(value):
            raise ValueError(
                f"{where}: field {column + 1} is {_shown(text)}; expected a finite number"
            )
        row.append(value)
    return row


def _label(fields: Sequence[str], where: str) -> int:
    text = fields[-1]
    value = parse_number(text)
    if value is None:
        raise ValueError(_not_a_number(where, len(fields) - 1, fields))
    if not math.isfinite(value) or value != int(value) or not 0 <= value < 2**31:
        raise ValueError(
            f"{where}: the label {_shown(text)} must be a whole number >= 0 (0, 1, 2 ...)"
        )
    return int(value)
