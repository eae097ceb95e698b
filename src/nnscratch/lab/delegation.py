"""Attributes that read through to an attribute of a part: ``run.hidden`` is ``run.spec.hidden``.

An object made of parts often shows a few of its parts' attributes as its own: a
:class:`~nnscratch.lab.network_runs.NetworkRun` answers ``hidden`` and ``dataset`` from its
spec, a playground session ``model`` and ``epoch`` from its run. Written out, each is a
four-line ``@property`` that only returns ``self.part.name``; :func:`delegated` says the
same in one line, with the docstring ``help()`` shows::

    class Run:
        hidden = delegated("spec.hidden", "Units of the hidden layer.")
"""

from __future__ import annotations

import operator
from typing import Any

__all__ = ["delegated"]


def delegated(path: str, doc: str, settable: bool = False) -> property:
    """A property that reads ``self.<path>`` (a dotted path such as ``"spec.hidden"``).

    Parameters
    ----------
    path : str
        The attribute to read, from the instance: ``"run.epoch"`` reads
        ``self.run.epoch``.
    doc : str
        The property's docstring.
    settable : bool
        Whether assigning to the property sets the attribute at the end of ``path``
        (``session.epoch = 0`` sets ``session.run.epoch``); otherwise it is read-only.

    >>> class Box:
    ...     def __init__(self, inner):
    ...         self.inner = inner
    ...     size = delegated("inner.size", "The inner object's size.", settable=True)
    >>> class Inner:
    ...     size = 3
    >>> box = Box(Inner())
    >>> box.size
    3
    >>> box.size = 4
    >>> box.inner.size
    4
    """
    if not path or "" in path.split("."):
        raise ValueError(f"path must be a dotted attribute path like 'spec.hidden', got {path!r}")
    getter = operator.attrgetter(path)
    if not settable:
        return property(getter, doc=doc)
    owner, _, name = path.rpartition(".")
    get_owner = operator.attrgetter(owner) if owner else (lambda self: self)

    def setter(self: Any, value: Any) -> None:
        setattr(get_owner(self), name, value)

    return property(getter, setter, doc=doc)
