"""A sweep over several hyperparameters: every combination of the values given.

The article sweeps one thing, the hidden size. The natural next questions vary more:
does 3 units still win at half the learning rate? With another seed? A grid answers them
all at once: ``hidden=[1, 2, 3, 4]``, ``learning_rate=[0.01, 0.005]`` is 8 runs, one per
pair. :func:`grid_specs` builds them (hidden size outermost, then learning rate,
``reg_lambda`` and seed, as nested loops would); :func:`varied` says which parameters
take more than one value (the axes of a table or figure); :func:`sort_runs` orders
results by those parameters, and :func:`table_rows` makes the results table of them.

>>> specs = grid_specs("moons", [1, 3], learning_rate=[0.01, 0.005], passes=100)
>>> [(s.hidden, s.learning_rate) for s in specs]
[(1, 0.01), (1, 0.005), (3, 0.01), (3, 0.005)]
>>> varied(specs)
{'hidden': [1, 3], 'learning_rate': [0.005, 0.01]}
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from .memory import check_fits
from .network_runs import NetworkRun, NetworkSpec

__all__ = [
    "PARAMETERS",
    "as_values",
    "best_run",
    "fixed",
    "grid_specs",
    "is_grid",
    "parameter_label",
    "sort_key",
    "sort_runs",
    "table_rows",
    "varied",
]

#: the parameters a grid can vary, in the order of the product and of the sort
PARAMETERS: tuple[str, ...] = ("hidden", "learning_rate", "reg", "seed")

#: how each parameter is named in tables and figures
LABELS: dict[str, str] = {
    "hidden": "hidden",
    "learning_rate": "learning rate",
    "reg": "reg_lambda",
    "seed": "seed",
}


def parameter_label(name: str) -> str:
    """The words for a parameter in tables and figure axes (``"learning rate"``)."""
    return LABELS[name]


def as_values(name: str, value: Any) -> list[Any]:
    """``value`` as a list: a single number becomes ``[number]``; a sequence is checked.

    >>> as_values("seed", 0), as_values("learning_rate", (0.01, 0.005))
    ([0], [0.01, 0.005])
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {value!r}")
    values = list(value) if isinstance(value, Iterable) else [value]
    if not values:
        raise ValueError(f"{name} is empty; give at least one value")
    seen: set[Any] = set()
    for item in values:
        if item in seen:
            raise ValueError(f"{name} lists {item!r} twice; each value makes its own runs")
        seen.add(item)
    return values


def grid_specs(
    dataset: str,
    hidden: int | Sequence[int],
    *,
    learning_rate: float | Sequence[float] = 0.01,
    reg: float | Sequence[float] = 0.01,
    seed: int | Sequence[int] = 0,
    passes: int = 20000,
    print_every: int = 1000,
) -> list[NetworkSpec]:
    """One :class:`NetworkSpec` per combination of the values, in nested-loop order.

    Each parameter is a single value or a sequence of distinct values; every value is
    checked by :class:`NetworkSpec`. The results of the whole grid (each run keeps the
    loss of every pass) are checked to fit in memory before anything trains.
    """
    axes = [
        as_values(name, value)
        for name, value in zip(PARAMETERS, (hidden, learning_rate, reg, seed))
    ]
    specs = [
        NetworkSpec(dataset, h, passes, lr, r, s, print_every)
        for h, lr, r, s in itertools.product(*axes)
    ]
    # each run brings back its loss curve (8 bytes a pass) and its decision regions
    check_fits(len(specs) * (8.0 * passes + 200_000), f"the results of {len(specs)} runs")
    return specs


def varied(specs: Iterable[NetworkSpec]) -> dict[str, list[Any]]:
    """The parameters that take more than one value, each with its values sorted."""
    specs = list(specs)
    found = {}
    for name in PARAMETERS:
        values = sorted({getattr(spec, name) for spec in specs})
        if len(values) > 1:
            found[name] = values
    return found


def is_grid(specs: Iterable[NetworkSpec]) -> bool:
    """True when more than the hidden size varies (the article's sweep varies only it)."""
    return any(name != "hidden" for name in varied(specs))


def sort_key(spec: NetworkSpec) -> tuple[Any, ...]:
    """Hidden size, then learning rate, ``reg_lambda``, seed."""
    return tuple(getattr(spec, name) for name in PARAMETERS)


def sort_runs(runs: Iterable[NetworkRun]) -> list[NetworkRun]:
    """The runs ordered by hidden size, then learning rate, ``reg_lambda`` and seed."""
    return sorted(runs, key=lambda run: sort_key(run.spec))


def fixed(specs: Iterable[NetworkSpec]) -> dict[str, Any]:
    """The parameters that take one value across ``specs``, with that value."""
    specs = list(specs)
    return {
        name: getattr(specs[0], name)
        for name in PARAMETERS
        if specs and len({getattr(spec, name) for spec in specs}) == 1
    }


def table_rows(runs: Iterable[NetworkRun], columns: Sequence[str]) -> list[dict[str, Any]]:
    """One record per run: the ``columns`` parameters, then its final loss and accuracy.

    The records of the results table (``--json``'s ``"table"``), in the order of ``runs``.
    A diverged run has no result: its ``final_loss`` and ``train_accuracy`` are None;
    ``status`` says ``"complete"``, ``"interrupted"`` or ``"diverged"``.

    >>> from nnscratch.lab.network_runs import run_network
    >>> run = run_network(NetworkSpec("moons", 3, passes=10))
    >>> sorted(table_rows([run], ["hidden"])[0])
    ['final_loss', 'hidden', 'status', 'train_accuracy']
    """
    rows = []
    for run in runs:
        record = run.to_json()
        row = {name: getattr(run.spec, name) for name in columns}
        row["final_loss"] = record["final_loss"]
        row["train_accuracy"] = record["train_accuracy"]
        row["status"] = run.status
        rows.append(row)
    return rows


def best_run(runs: Iterable[NetworkRun]) -> NetworkRun | None:
    """The finished run with the lowest final loss (None if no run finished)."""
    finished = [run for run in runs if run.complete and math.isfinite(run.final_loss)]
    return min(finished, key=lambda run: (run.final_loss, sort_key(run.spec)), default=None)
