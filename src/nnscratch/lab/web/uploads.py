"""Uploaded points: a CSV of ``x1,x2,label`` lines, parsed without ``eval``.

The parser is strict where it matters and lenient where people differ: any of ``,``, ``;``,
tab or spaces separate the values, and ``#`` comments are skipped. The first line is a
header only when none of its fields is a number (``x1,x2,label``), as
:func:`nnscratch.data.csvdata.load_csv` decides (with the same ``is_header`` and
``parse_number``): a first row with a typo is reported, not silently dropped. Numbers are
plain decimal notation only (ASCII digits, one optional sign, a decimal point, an
exponent: no ``1_000``, no other scripts' digits) and finite, and every bad line is
reported by its number. Size limits (1 MB, 10,000 points) come from
:data:`~nnscratch.lab.web.schema.LIMITS`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...data.csvdata import is_header, parse_number
from .schema import LIMITS, PlaygroundError

__all__ = ["parse_csv", "points_to_dataset"]


def parse_csv(text: Any) -> tuple[np.ndarray, np.ndarray, str, list[float] | None]:
    """Parse an uploaded CSV of points ``x1,x2,label``, without ``eval``.

    Accepts ``,``, ``;`` or tab separators, an optional header line, blank lines and
    ``#`` comments. Integer labels with 2 to 5 distinct values make a classification set
    (the values, sorted, become classes 0..k-1); any other labels make a regression set.

    Returns
    -------
    X : (n, 2) float array
    y : (n,) int (classes) or float (regression) array
    task : "classification" or "regression"
    label_values : the original label of each class (classification), else None

    Raises
    ------
    PlaygroundError
        Naming the line: ``"line 7: expected 3 values (x1, x2, label), got 2"``.

    Examples
    --------
    >>> X, y, task, labels = parse_csv("x1,x2,label\\n0,0,0\\n1,1,1\\n0,1,1\\n1,0,0\\n")
    >>> X.shape, task, labels
    ((4, 2), 'classification', [0.0, 1.0])
    """
    field = "text"
    if not isinstance(text, str):
        raise PlaygroundError(f"the CSV must be text, got {type(text).__name__}", field)
    size = len(text.encode("utf-8", errors="replace"))
    if size > LIMITS["max_upload_bytes"]:
        raise PlaygroundError(
            f"the CSV is {size:,} bytes; uploads are limited to "
            f"{LIMITS['max_upload_bytes']:,} bytes",
            field,
        )
    text = text.lstrip("\ufeff")
    rows: list[tuple[float, float, float]] = []
    header_allowed = True
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        sep = next((s for s in (",", ";", "\t") if s in line), None)
        parts = [
            p.strip().strip('"').strip("'").strip()
            for p in (line.split(sep) if sep else line.split())
        ]
        if header_allowed:
            header_allowed = False
            try:
                if is_header(parts, where=f"line {lineno}"):
                    continue  # a header line such as "x1,x2,label"
            except ValueError:
                pass  # numbers and words mixed: a mistyped data row, reported below
        values = [parse_number(p) for p in parts]
        if len(parts) != 3:
            raise PlaygroundError(
                f"line {lineno}: expected 3 values (x1, x2, label), got {len(parts)}", field
            )
        for name, part, value in zip(("x1", "x2", "label"), parts, values):
            if value is None:
                raise PlaygroundError(
                    f"line {lineno}: {name} must be a number, got {part[:40]!r}", field
                )
            if value is None or not math.isfinite(value):
                raise PlaygroundError(
                    f"line {lineno}: {name} must be a finite number, got {part[:40]!r}", field
                )
        rows.append((values[0], values[1], values[2]))  # type: ignore[arg-type]
        if len(rows) > LIMITS["max_points"]:
            raise PlaygroundError(
                f"line {lineno}: more than {LIMITS['max_points']:,} points; uploads are "
                f"limited to {LIMITS['max_points']:,}",
                field,
            )
    if len(rows) < LIMITS["min_points"]:
        raise PlaygroundError(
            f"the CSV has {len(rows)} point(s); at least {LIMITS['min_points']} are needed "
            "(one per line: x1,x2,label)",
            field,
        )
    data = np.array(rows, dtype=np.float64)
    return points_to_dataset(data)


def points_to_dataset(
    data: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, str, list[float] | None]:
    X = np.ascontiguousarray(data[:, :2])
    labels = data[:, 2]
    distinct = np.unique(labels)
    integer = bool(np.all(labels == np.round(labels)))
    if integer and len(distinct) == 1:
        raise PlaygroundError(
            f"every label is {distinct[0]:g}; a classification set needs 2 to 5 different labels",
            "text",
        )
    if integer and 2 <= len(distinct) <= 5:
        y = np.searchsorted(distinct, labels).astype(np.int64)
        return X, y, "classification", [float(v) for v in distinct]
    return X, labels.astype(np.float64), "regression", None


def check_points(points: Any) -> np.ndarray:
    if (
        not isinstance(points, list)
        or not LIMITS["min_points"] <= len(points) <= LIMITS["max_points"]
    ):
        raise PlaygroundError(
            f"csv points must be a list of {LIMITS['min_points']}..{LIMITS['max_points']} "
            "[x1, x2, label] rows",
            "state",
        )
    for i, row in enumerate(points):
        if (
            not isinstance(row, list)
            or len(row) != 3
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
        ):
            raise PlaygroundError(f"csv point {i} must be [x1, x2, label] numbers", "state")
    data = np.array(points, dtype=np.float64)
    if not np.all(np.isfinite(data)):
        raise PlaygroundError("csv points must be finite numbers", "state")
    return data
