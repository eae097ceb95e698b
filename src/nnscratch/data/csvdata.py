"""Points and labels from a CSV file: ``x1, x2, label`` per line, header optional.

The 2-D tutorials work on points in the plane with a class label; this reads your own
points in the same shape as :func:`nnscratch.data.moons` returns them. A file looks like::

    x1,x2,label
    0.52,-0.31,1
    -1.20,0.88,0

Rules, so that a mistake in the file is reported where it is:

* the first non-blank line is a header when none of its fields is a number (a first row
  mixing numbers and text is an error, not a header, so a typo is never skipped);
* blank lines and lines starting with ``#`` are skipped;
* every row has the same number of fields (at least 2): the features, then the label;
* features are finite numbers; the label is a whole number >= 0 (``1`` or ``1.0``).

A broken row raises ``ValueError`` naming the file, the line number and the row.

(The module is called ``csvdata`` rather than ``csv`` so that it can never be mistaken
for the standard library's :mod:`csv`, which it uses.)
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import numpy as np

__all__ = ["load_csv"]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _rows(lines: Iterable[str], delimiter: str) -> Iterable[tuple[int, list[str]]]:
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = next(csv.reader([stripped], delimiter=delimiter))
        yield lineno, [f.strip() for f in fields]


def load_csv(
    path: str | os.PathLike[str] | TextIO,
    *,
    delimiter: str = ",",
    dtype: type | np.dtype = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``(X, y)`` from a CSV file of feature columns followed by an integer label.

    Parameters
    ----------
    path : path-like or text stream
        The file (read as UTF-8; a byte-order mark is ignored), or an open text stream.
    delimiter : str, default ","
        One character separating the fields (``";"`` or ``"\\t"`` for other dialects).
    dtype : float dtype, default numpy.float64
        The dtype of ``X``.

    Returns
    -------
    X : numpy.ndarray of shape (n_samples, n_features)
    y : numpy.ndarray of shape (n_samples,), int64

    Raises
    ------
    ValueError
        A row with the wrong number of fields, a field that is not a finite number, a label
        that is not a whole number >= 0, or a file without data rows; the message names the
        line.

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

    if hasattr(path, "read"):
        name = getattr(path, "name", "<stream>")
        return _parse(path, str(name), delimiter, dt)  # type: ignore[arg-type]
    file = Path(path)
    with file.open(encoding="utf-8-sig", newline="") as f:
        return _parse(f, str(file), delimiter, dt)


def _parse(
    lines: Iterable[str], name: str, delimiter: str, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    features: list[list[float]] = []
    labels: list[int] = []
    width: int | None = None
    first = True
    for lineno, fields in _rows(lines, delimiter):
        where = f"{name}, line {lineno}"
        if first:
            first = False
            if not any(_is_number(f) for f in fields):
                if len(fields) < 2:
                    raise ValueError(
                        f"{where}: the header has {len(fields)} column; expected at least 2 "
                        f"(features then label), separated by {delimiter!r}"
                    )
                width = len(fields)
                continue  # a header
        if width is None:
            width = len(fields)
            if width < 2:
                raise ValueError(
                    f"{where}: expected at least 2 fields (features then label) separated by "
                    f"{delimiter!r}, got {len(fields)}: {delimiter.join(fields)!r}"
                )
        if len(fields) != width:
            expected = ", ".join([f"x{i + 1}" for i in range(width - 1)] + ["label"])
            raise ValueError(
                f"{where}: expected {width} fields ({expected}), got {len(fields)}: "
                f"{delimiter.join(fields)!r}"
            )
        row = []
        for column, text in enumerate(fields[:-1], start=1):
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{where}: field {column} ({text!r}) is not a number") from None
            if not math.isfinite(value):
                raise ValueError(f"{where}: field {column} is {text!r}; expected a finite number")
            row.append(value)
        labels.append(_label(fields[-1], where))
        features.append(row)
    if not features:
        raise ValueError(f"{name}: no data rows (expected lines like '0.5,-1.2,1')")
    return np.asarray(features, dtype=dtype), np.asarray(labels, dtype=np.int64)


def _label(text: str, where: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: the label {text!r} is not a number") from None
    if not math.isfinite(value) or value != int(value) or not 0 <= value < 2**31:
        raise ValueError(f"{where}: the label {text!r} must be a whole number >= 0 (0, 1, 2 ...)")
    return int(value)
