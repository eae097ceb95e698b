"""How the article's commands write their figures and pages and print their results.

Shared by ``data``, ``logreg``, ``moons``, ``sweep`` (:mod:`nnscratch.cli.article`) and
``demo`` (:mod:`nnscratch.cli.article_demo`). Light to import: matplotlib and the lab
are loaded only when a figure is drawn.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import CommandError

__all__ = ["DEFAULT_OUT", "Output", "run_loss", "stop_status", "table", "write_page"]

DEFAULT_OUT = "nnscratch-out"


class Output:
    """Where a command's figures go, and how its results are printed."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.dir = args.out
        self.show = args.show
        self.json = args.json
        self.figures: list[str] = []
        self._pyplot: Any = None

    def new_figure(self) -> Any:
        """None (plots make an off-screen Figure) or, with --show, a pyplot window."""
        if not self.show:
            return None
        if self._pyplot is None:
            import matplotlib.pyplot as plt

            self._pyplot = plt
        return self._pyplot.figure()

    def save(self, fig: Any, name: str) -> str:
        from ..lab.style import save_figure

        path = os.path.join(self.dir, name)
        try:
            save_figure(fig, path)
        except OSError as exc:  # disk full, directory removed meanwhile, ...
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        self.figures.append(path)
        if not self.show:
            fig.clear()
        return path

    def say(self, text: str = "") -> None:
        if not self.json:
            print(text, flush=True)

    def finish(self, payload: dict[str, Any]) -> None:
        if self.json:
            payload["figures"] = self.figures
            print(json.dumps(payload, allow_nan=False))
        else:
            for path in self.figures:
                print(f"wrote {path}")
        if self.show and self._pyplot is not None:
            plt = self._pyplot
            if plt.get_backend().lower() in ("agg", "pdf", "svg", "ps", "cairo", "template"):
                print(
                    "nnscratch: --show: no window system here; the figures are saved only",
                    file=sys.stderr,
                )
                plt.close("all")
            else:
                plt.show()


def write_page(path: str, text: str) -> None:
    """Write the text file ``path`` atomically; a failure is one line (CommandError)."""
    from ..files import atomic_write

    try:
        atomic_write(path, lambda handle: handle.write(text), text=True)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def stop_status(runs: Sequence[Any], command: str) -> int:
    """Report diverged or interrupted runs on stderr; the exit status (0 if none)."""
    status = 0
    for run in runs:
        if run is None or run.stopped is None:
            continue
        where = f"{run.dataset}, hidden {run.hidden}, learning rate {run.spec.learning_rate:g}"
        if run.diverged:
            print(
                f"nnscratch {command}: training diverged ({where}): {run.stopped}", file=sys.stderr
            )
            status = status or 1
        else:
            print(f"nnscratch {command}: {run.stopped} ({where})", file=sys.stderr)
            status = 130
    return status


def run_loss(run: Any) -> str:
    """A run's final loss as printed: six decimals, or "not finite"."""
    return f"{run.final_loss:.6f}" if math.isfinite(run.final_loss) else "not finite"


def table(runs: Sequence[Any]) -> list[str]:
    """The sweep's table: one row per run, hidden size, final loss, training accuracy."""
    rows = [f"{'hidden':>6}  {'final loss':>10}  {'train accuracy':>14}"]
    for run in runs:
        rows.append(f"{run.hidden:>6}  {run_loss(run):>10}  {run.train_accuracy:>14.1%}")
    return rows
