"""The error every refusal raises, and the small helpers the checks share."""

from __future__ import annotations

import os
from typing import Any

from ..engine.checks import integer

__all__ = ["UntrustedFileError", "format_bytes"]


class UntrustedFileError(ValueError):
    """An input file was refused: not a regular file, too large, too deep, malformed.

    The message is one line: ``"<what>: <problem>; <what is accepted>"``.

    Attributes
    ----------
    what : str
        The input, as the user knows it (``"MNIST file /data/mnist.pkl.gz"``).
    problem : str
        What is wrong with it (``"is a FIFO (named pipe)"``).
    accepted : str
        What would have been accepted (``"expected a regular file"``); may be empty.

    Examples
    --------
    >>> str(UntrustedFileError("CSV file a.csv", "is a directory", "expected a regular file"))
    'CSV file a.csv: is a directory; expected a regular file'
    """

    def __init__(self, what: str, problem: str, accepted: str = "") -> None:
        self.what, self.problem, self.accepted = what, problem, accepted
        super().__init__(f"{what}: {problem}" + (f"; {accepted}" if accepted else ""))

    def __reduce__(self) -> tuple[Any, ...]:  # so it crosses process pools intact
        return (type(self), (self.what, self.problem, self.accepted))


def format_bytes(n: int) -> str:
    """A byte count for people: ``"812 bytes"``, ``"64 MiB"``, ``"256 TiB"``.

    >>> format_bytes(1000), format_bytes(64 * 2**20), format_bytes(3 * 2**40 // 2)
    ('1,000 bytes', '64 MiB', '1.5 TiB')
    """
    if n < 1024:
        return f"{n:,} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        value /= 1024
        if value < 1024 or unit == "EiB":
            break
    return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"


def named(what: str, path: str | os.PathLike[str]) -> str:
    """``what`` and the path together, as messages name a file: ``"CSV file a.csv"``."""
    return f"{what} {os.fspath(path)}" if what else os.fspath(path)


def limit(name: str, value: int) -> int:
    """A size cap given by a caller, checked: an integer >= 0."""
    return integer(name, value, low=0)
