"""Will it fit? A rough estimate of an experiment's memory, checked before allocating.

A typo such as ``--hidden 10000000000`` should be answered in a second with a sentence
("a hidden layer of 10000000000 units needs about 1.5 TiB ..."), not with a
``MemoryError`` traceback after a minute, or a machine swapping itself to a halt. The
estimates here are deliberately generous upper bounds of the arrays an experiment keeps;
the comparison is with the memory the operating system says is available now.
"""

from __future__ import annotations

from ..untrusted import format_bytes

__all__ = ["available_memory", "check_fits"]


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fits(needed: float, what: str, available: int | None = None) -> None:
    """Raise ``ValueError`` when ``needed`` bytes exceed what is available.

    ``what`` names the thing that needs it (``"a hidden layer of 10000000000 units"``).
    Where the operating system does not tell (no ``/proc/meminfo``), nothing is checked.

    >>> check_fits(2**50, "a huge network", available=2**33)
    Traceback (most recent call last):
    ...
    ValueError: a huge network needs about 1 PiB of memory; this machine has 8 GiB available
    """
    if available is None:
        available = available_memory()
    if available is None or needed <= available:
        return
    raise ValueError(
        f"{what} needs about {format_bytes(int(needed))} of memory; this machine has "
        f"{format_bytes(available)} available"
    )
