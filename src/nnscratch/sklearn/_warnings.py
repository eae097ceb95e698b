"""Warnings that the filters written for ``MLPClassifier`` match.

scikit-learn's examples silence the warnings of short training runs with::

    warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")

A filter's ``module`` is a pattern matched against the start of the name of the module a
warning is *attributed to*: the module of the frame that ``stacklevel`` points at.
``MLPClassifier``'s warnings are attributed to ``sklearn.neural_network``; warnings raised
in this package would be attributed to ``nnscratch.sklearn``, and that filter would let
them through (or, under ``simplefilter("error")``, turn them into errors). So every
warning of these estimators is attributed to the first caller outside this package,
which for ``fit`` and ``partial_fit`` is scikit-learn's own fit wrapper (``sklearn.base``):
the same filters match, and the message and category are unchanged.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["relay", "warn"]

_Result = TypeVar("_Result")


def warn(message: str | Warning, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)``, attributed to the first frame outside
    ``nnscratch.sklearn``."""
    frame, level = sys._getframe(1), 2  # level 2: the caller of this function
    while frame.f_back is not None and _ours(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def relay(function: Callable[..., _Result], *args: Any, **kwargs: Any) -> _Result:
    """``function(*args, **kwargs)``, its warnings re-raised by :func:`warn`.

    For scikit-learn helpers that warn on behalf of their caller (``column_or_1d``,
    ``_check_optimize_result``): their caller is in this package.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    for record in caught:
        warn(record.message, record.category)
    return result


def _ours(frame: Any) -> bool:
    name = frame.f_globals.get("__name__", "")
    return name == __package__ or name.startswith(f"{__package__}.")
