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

__all__ = [
    "DEFAULT_OUT",
    "Output",
    "RunsProgress",
    "check_output_folder",
    "note",
    "run_accuracy",
    "run_loss",
    "run_result",
    "stop_status",
    "table",
    "unfinished_suffix",
]

DEFAULT_OUT = "nnscratch-out"


class Output:
    """Where a command's figures go, and how its results are printed.

    A figure or page that cannot be written (a full disk, a folder removed meanwhile)
    does not stop the command: the error is kept, the results are still printed, and
    :meth:`finish` reports every such error in one line each and returns exit status 1.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.dir = args.out
        self.show = args.show
        self.json = args.json
        self.command = args.command
        self.figures: list[str] = []
        self.errors: list[str] = []
        self._pyplot: Any = None

    def new_figure(self) -> Any:
        """None (plots make an off-screen Figure) or, with --show, a pyplot window."""
        if not self.show:
            return None
        if self._pyplot is None:
            import matplotlib.pyplot as plt

            self._pyplot = plt
        return self._pyplot.figure()

    def save(self, fig: Any, name: str) -> str | None:
        """Write ``fig`` as ``name`` in the output folder; its path, or None if it failed."""
        from ..lab.style import save_figure

        path = os.path.join(self.dir, name)
        try:
            save_figure(fig, path)
        except OSError as exc:  # disk full, directory removed meanwhile, ...
            self.errors.append(f"cannot write {path}: {exc.strerror or exc}")
            return None
        finally:
            if not self.show:
                fig.clear()
        self.figures.append(path)
        return path

    def write_page(self, name: str, text: str) -> str | None:
        """Write a text file (the index page) atomically; its path, or None if it failed."""
        from ..files import atomic_write

        path = os.path.join(self.dir, name)
        try:
            atomic_write(path, lambda handle: handle.write(text), text=True)
        except OSError as exc:
            self.errors.append(f"cannot write {path}: {exc.strerror or exc}")
            return None
        return path

    def say(self, text: str = "") -> None:
        if not self.json:
            print(text, flush=True)

    def finish(self, payload: dict[str, Any]) -> int:
        """Print the JSON (or the files written), then the write errors; the exit status
        so far: 1 if anything could not be written, else 0."""
        if self.json:
            payload["figures"] = self.figures
            if self.errors:
                payload["errors"] = self.errors
            print(json.dumps(payload, allow_nan=False), flush=True)
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
        return self.report_errors()

    def report_errors(self) -> int:
        """One line on stderr per file that could not be written; 1 if any, else 0."""
        for error in self.errors:
            note(self.command, f"error: {error}")
        return 1 if self.errors else 0

    def written(self) -> set[str]:
        """The names (in the output folder) of the figures written so far."""
        return {os.path.basename(path) for path in self.figures}


def check_output_folder(folder: str, option: str = "--out", what: str = "--out folder") -> None:
    """Fail at once (one line, exit status 2) when ``folder`` cannot take the results.

    Made if missing; a file in the way, a read-only disk or a missing permission is
    reported before any work starts (see :func:`nnscratch.files.writable_folder`).
    """
    from ..files import writable_folder

    try:
        writable_folder(folder, what)
    except OSError as exc:
        raise CommandError(f"{option} {folder}: {exc.strerror}") from None


def note(command: str, text: str) -> None:
    """One line about the work on stderr (never stdout: ``--json`` keeps it clean)."""
    print(f"nnscratch {command}: {text}", file=sys.stderr, flush=True)


class RunsProgress:
    """Live progress of several networks training at once, with nnscratch's one bar.

    The bar counts the work done in percent (each pass weighted by its cost: a pass of
    200 hidden units takes longer than a pass of 1, see ``NetworkSpec.cost``) and says
    how many networks are done; on a terminal it is a live ``tqdm`` bar with a time
    estimate, elsewhere a plain line on stderr every few seconds (see
    :func:`nnscratch.progress.progress_bar`).

    Feed it as ``on_progress(work, runs_done)``. With ``pool`` (an
    :class:`~nnscratch.lab.parallel.ExperimentPool`) a small thread also reads the
    workers' counter four times a second, so the bar moves while this process is busy
    with something else (drawing a figure, fitting the logistic regression).
    """

    def __init__(
        self, specs: Sequence[Any], desc: str, pool: Any = None, every: float = 5.0
    ) -> None:
        import threading

        from ..progress import progress_bar

        self.total = float(sum(spec.cost for spec in specs)) or 1.0
        self.networks = len(specs)
        self.work = 0.0
        self.finished = 0
        self._shown = 0
        self._finished_shown = -1
        self._lock = threading.Lock()
        self._pool = pool
        self.bar = progress_bar(100, desc, "%", every=every)
        self._draw()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if pool is not None:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def __call__(self, work: float, runs_done: int) -> None:
        self.work = max(self.work, work)
        self.finished = max(self.finished, runs_done)
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self.work = max(self.work, self._pool.work_done())
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            if self.finished != self._finished_shown:
                self._finished_shown = self.finished
                self.bar.set_postfix_str(
                    f"{self.finished}/{self.networks} networks done", refresh=False
                )
            # 100 only when every network is done (the cost model is an estimate)
            percent = min(int(100 * self.work / self.total), 99)
            if self.finished == self.networks:
                percent = 100
            if percent > self._shown:
                self.bar.update(percent - self._shown)
                self._shown = percent

    def close(self) -> None:
        """Stop the thread and close the bar (its last line shows where training ended)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self.bar.close()


def stop_status(runs: Sequence[Any], command: str) -> int:
    """Report diverged or interrupted runs on stderr; the exit status.

    0 when every run finished, 1 when one diverged, 130 when Ctrl-C stopped some (one
    line names them all). A run is named by its data set, hidden size and learning rate,
    and by its ``reg_lambda`` and seed when the runs differ in them (a grid).
    """
    from ..lab.grid import parameter_label, varied
    from ..lab.grid_plots import value_text

    status = 0
    stopped = []
    named = [n for n in varied(r.spec for r in runs if r is not None) if n in ("reg", "seed")]
    for run in runs:
        if run is None or run.stopped is None:
            continue
        where = f"{run.dataset}, hidden {run.hidden}, learning rate {run.spec.learning_rate:g}"
        where += "".join(
            f", {parameter_label(name)} {value_text(name, getattr(run.spec, name))}"
            for name in named
        )
        if run.diverged:
            note(command, f"training diverged ({where}): {run.stopped}")
            status = 1
        else:
            stopped.append(f"{where}: {run.label}")
    if stopped:
        note(command, "interrupted by Ctrl-C; not finished: " + "; ".join(stopped))
        status = status or 130
    return status


def run_loss(run: Any) -> str:
    """A run's final loss as printed: six decimals, "diverged" or "not finite"."""
    if run.diverged:
        return "diverged"
    return f"{run.final_loss:.6f}" if math.isfinite(run.final_loss) else "not finite"


def run_accuracy(run: Any) -> str:
    """A run's training accuracy as printed; a diverged run has none ("-")."""
    return "-" if run.diverged else f"{run.train_accuracy:.1%}"


def run_result(run: Any) -> str:
    """One run's result in words; an unfinished run says so before its numbers.

    ``final loss 0.070758, training accuracy 97.5%``, or ``interrupted after 1234 of 20000
    passes (loss then 0.071316, training accuracy 97.5%)``, or ``diverged after 57 of 200
    passes: no final loss or accuracy``.
    """
    if run.diverged:
        return f"{run.label}: no final loss or accuracy"
    if run.interrupted:
        return f"{run.label} (loss then {run_loss(run)}, training accuracy {run_accuracy(run)})"
    return f"final loss {run_loss(run)}, training accuracy {run_accuracy(run)}"


def table(runs: Sequence[Any]) -> list[str]:
    """The sweep's table: one row per run, hidden size, final loss, training accuracy;
    a run that did not finish has its state at the end of the row."""
    rows = [f"{'hidden':>6}  {'final loss':>10}  {'train accuracy':>14}"]
    for run in runs:
        row = f"{run.hidden:>6}  {run_loss(run):>10}  {run_accuracy(run):>14}"
        rows.append(f"{row}  ({run.label})" if run.label else row)
    return rows


def unfinished_suffix(runs: Sequence[Any]) -> str:
    """``""`` when every run finished, else ``"-interrupted"`` or ``"-diverged"``.

    Figures of unfinished runs get it in their file name, so they never replace the
    figure of a complete run.
    """
    if any(run.diverged for run in runs):
        return "-diverged"
    return "-interrupted" if any(run.interrupted for run in runs) else ""
