"""``nnscratch sweep``: the article's hidden-size sweep, and grids of settings, anywhere.

The article trains one network per hidden size and draws a grid of decision boundaries,
"Hidden Layer size N" (``nnscratch sweep``, the default sizes 1 2 3 4 10 20 50 200). Give
several values to ``--learning-rate``, ``--reg`` or ``--seed`` as well and the runs are
every combination (their product, :func:`nnscratch.lab.grid.grid_specs`)::

    nnscratch sweep --hidden 1 2 3 4 --learning-rate 0.01 0.005 --seed 0 1 2

trains 24 networks. A grid prints a results table with one column per parameter that
varies (rows sorted by those values, then the lowest final loss), and draws a heatmap of
the final loss (:func:`nnscratch.lab.grid_plots.grid_figure`, ``sweep-moons-grid.png``)
that stays readable at hundreds of runs, instead of hundreds of tiny boundaries. With
``--json`` the grid's payload adds ``"varied"`` (each varying parameter's values) and
``"table"`` (the table's rows as records). When only the hidden size varies, everything
is the article's: its table, its figure ``sweep-moons.png``, the runs in the order given.

The runs train in local worker processes (``--jobs``) or on a Dask cluster
(``--scheduler local`` or ``--scheduler tcp://host:8786``, the ``[dask]`` extra; see
``docs/dask.md``), with the same numbers to the last bit either way.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from . import CommandError, add_command
from .article import (
    SWEEP_SIZES,
    _dataset_option,
    _jobs_option,
    _output_options,
    _training_options,
    experiment,
)
from .output import (
    Output,
    RunsProgress,
    note,
    run_accuracy,
    run_loss,
    stop_status,
    table,
    unfinished_suffix,
)

__all__ = ["grid_table", "register", "run_sweep"]

#: the text of ``nnscratch sweep --help`` (argparse refills the lines)
_DESCRIPTION = """Train one network per hidden size, in parallel, and draw the article's grid
'Hidden Layer size N' with each run's final loss and accuracy. Several values of --learning-rate,
--reg or --seed train every combination: a table with one column per varied setting, and a heatmap
of the final loss."""


def register(subparsers: Any) -> None:
    """Add ``nnscratch sweep`` to the ``nnscratch`` parser."""
    p = add_command(subparsers, "sweep", _DESCRIPTION)
    _dataset_option(p)
    p.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=list(SWEEP_SIZES),
        metavar="H",
        help="hidden sizes (default: 1 2 3 4 10 20 50 200)",
    )
    _training_options(p, lists=True)
    _jobs_option(p)
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="train on a Dask cluster: a running scheduler's address (tcp://host:8786), "
        "or 'local' for a cluster of --jobs worker processes on this machine (needs "
        'pip install "nnscratch[dask]"; see docs/dask.md)',
    )
    _output_options(p)
    # portable_math: see nnscratch.cli.portable; check: run by prepare_experiment
    p.set_defaults(run=run_sweep, portable_math=True, check=_check_scheduler)


def _check_scheduler(args: argparse.Namespace) -> None:
    """``--scheduler``: a valid value, with ``dask.distributed`` installed, before any work."""
    scheduler = args.scheduler
    if scheduler is None:
        return
    from ..lab import runs_dask

    try:
        runs_dask.check_scheduler(scheduler)
    except ValueError as exc:
        raise CommandError(f"--scheduler {exc}") from None
    if args.jobs is not None and scheduler != "local":
        raise CommandError(
            f"--jobs counts the worker processes of this machine (or of --scheduler local); "
            f"the scheduler at {scheduler} has its own workers"
        )
    try:
        runs_dask.require_distributed()
    except runs_dask.DaskMissing as exc:
        raise CommandError(f"--scheduler: {exc}") from None


def _specs(args: argparse.Namespace) -> list[Any]:
    """Every combination of the options' values, each checked to fit in memory."""
    from ..lab.grid import grid_specs
    from ..lab.network_runs import check_memory

    specs = grid_specs(
        args.dataset,
        args.hidden,
        learning_rate=args.learning_rate,
        reg=args.reg,
        seed=args.seed,
        passes=args.passes,
        print_every=args.print_every,
    )
    for spec in {spec.hidden: spec for spec in specs}.values():
        check_memory(spec)
    return specs


#: what the settings line counts: "4 hidden sizes x 2 learning rates"
_PLURALS = {
    "hidden": "hidden sizes",
    "learning_rate": "learning rates",
    "reg": "reg_lambda values",
    "seed": "seeds",
}


def _settings(args: argparse.Namespace, specs: list[Any], varied: dict[str, Any]) -> str:
    """The first line: the data set and the settings all the runs share.

    The article's sweep: ``moons: 20000 full-batch passes, learning rate 0.01, reg_lambda
    0.01, seed 0``; a grid names the fixed settings and what varies.
    """
    from ..lab.grid import fixed, parameter_label
    from ..lab.grid_plots import value_text

    head = f"{args.dataset}: {args.passes} full-batch passes"
    shared = {name: value for name, value in fixed(specs).items() if name != "hidden"}
    words = [f"{parameter_label(name)} {value_text(name, v)}" for name, v in shared.items()]
    text = ", ".join([head, *words])
    if any(name != "hidden" for name in varied):
        axes = " x ".join(f"{len(values)} {_PLURALS[n]}" for n, values in varied.items())
        text += f"; {len(specs)} networks ({axes})"
    return text


@experiment
def run_sweep(args: argparse.Namespace) -> int:
    """``nnscratch sweep``: one network per combination, in parallel; the table, a figure."""
    from ..lab import experiments, grid

    specs = _specs(args)
    varied = grid.varied(specs)
    is_grid = grid.is_grid(specs)
    runs, failure = _train(args, specs, "sweep", regions=not is_grid)
    if is_grid:
        runs = grid.sort_runs(runs)
    out = Output(args)
    settings = _settings(args, specs, varied)
    finished = sum(run.complete for run in runs)
    if finished < len(specs):
        settings += f"; {finished} of {len(specs)} networks finished"
    out.say(settings)
    columns = list(varied) or ["hidden"]
    for row in grid_table(runs, columns) if is_grid else table(runs):
        out.say(row)
    payload: dict[str, Any] = {"dataset": args.dataset, "complete": finished == len(specs)}
    if runs and is_grid:
        from ..lab.grid_plots import grid_figure

        fig = grid_figure(runs, specs, settings, fig=out.new_figure())
        out.save(fig, f"sweep-{args.dataset}-grid{unfinished_suffix(runs)}.png")
    elif runs:
        from ..lab import plots

        X, y = experiments.load_dataset(args.dataset)
        fig = plots.sweep_figure(runs, X, y, settings, fig=out.new_figure())
        out.save(fig, f"sweep-{args.dataset}{unfinished_suffix(runs)}.png")
    if is_grid:
        payload["varied"] = varied
        payload["table"] = grid.table_rows(runs, columns)
    payload["results"] = [run.to_json() for run in runs]
    written = out.finish(payload)
    status = stop_status(runs, args.command)
    if failure:
        note(args.command, f"error: {failure}")
        return 1
    if len(runs) < len(specs) and status != 1:
        status = 130
    return status or written


def grid_table(runs: list[Any], columns: list[str]) -> list[str]:
    """A grid's table: a column per varied setting, the final loss and accuracy, in the
    order of ``runs``, then the run with the lowest final loss.

    A run that did not finish has its state at the end of its row, as in the article's
    table (:func:`nnscratch.cli.output.table`).
    """
    from ..lab.grid import best_run, parameter_label
    from ..lab.grid_plots import value_text

    heads = [parameter_label(name) for name in columns]
    cells = [[value_text(name, getattr(run.spec, name)) for name in columns] for run in runs]
    widths = [max([len(head), *(len(row[k]) for row in cells)]) for k, head in enumerate(heads)]
    rows = ["  ".join(f"{head:>{w}}" for head, w in zip(heads, widths))]
    rows[0] += f"  {'final loss':>10}  {'train accuracy':>14}"
    for run, row in zip(runs, cells):
        line = "  ".join(f"{cell:>{w}}" for cell, w in zip(row, widths))
        line += f"  {run_loss(run):>10}  {run_accuracy(run):>14}"
        rows.append(f"{line}  ({run.label})" if run.label else line)
    best = best_run(runs)
    if best is not None:
        where = ", ".join(
            f"{parameter_label(n)} {value_text(n, getattr(best.spec, n))}" for n in columns
        )
        rows.append(f"lowest final loss: {run_loss(best)} ({where})")
    return rows


def _train(
    args: argparse.Namespace, specs: list[Any], desc: str, regions: bool = True
) -> tuple[list[Any], str]:
    """Train ``specs`` where the options say (local worker processes or a Dask cluster),
    with a progress bar; the runs that came back, and what failed ("" if nothing).

    Ctrl-C keeps the runs that finished or stopped; so does a run failing on a Dask
    worker (its error is returned). A cluster that cannot be used (no scheduler at the
    address, no workers, workers computing other numbers) is a :class:`CommandError`.
    ``regions`` asks each run for its decision regions (the article's figure needs them).
    """
    from ..lab import experiments, parallel, runs_dask
    from .portable import OPT_OUT

    bars: list[RunsProgress] = []

    def start(where: str) -> None:
        count = len(specs)
        note(args.command, f"training {count} networks, {args.passes} passes each, {where}")
        bars.append(RunsProgress(specs, desc))

    def progress(work: float, runs_done: int) -> None:
        bars[0](work, runs_done)

    failure = ""
    try:
        runs = experiments.train_runs(
            specs,
            jobs=args.jobs,
            scheduler=args.scheduler,
            regions=regions,
            on_progress=progress,
            same_numbers=os.environ.get(OPT_OUT) != "1",
            on_start=start,
        )
    except parallel.RunsInterrupted as exc:
        runs = [run for run in exc.results if run is not None]
    except runs_dask.RunsFailed as exc:
        runs, failure = [run for run in exc.results if run is not None], str(exc)
    except (runs_dask.SchedulerError, runs_dask.WorkersDiffer) as exc:
        raise CommandError(f"--scheduler {args.scheduler}: {exc}") from None
    finally:
        for bar in bars:
            bar.close()
    return runs, failure
