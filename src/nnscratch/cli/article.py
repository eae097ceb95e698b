"""``nnscratch data | logreg | moons | demo``: the WildML article, step by step.

Each command runs one step of the article (see :mod:`nnscratch.lab.experiments`), writes
its figures as PNGs into ``--out`` (default ``./nnscratch-out``) and prints what a reader
of the article expects to see. ``--json`` prints one JSON object instead::

    {"dataset": "moons", "results": [{"hidden": 3, "losses": [...], "final_loss": ...,
     "train_accuracy": ...}], "figures": [...]}

``losses`` holds the values of the printed lines (``"%f"`` of each gives the line).

The article's sweep, ``nnscratch sweep``, has grown into grids of settings and Dask
clusters; it lives in :mod:`nnscratch.cli.sweep` and shares this module's options and
:func:`experiment`.

Every experiment command starts with :func:`prepare_experiment`, the one place for
process-wide set-up that must happen before any computing (and before worker processes
are started: they inherit the environment).
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import CommandError, add_command
from .output import (
    DEFAULT_OUT,
    Output,
    check_output_folder,
    note,
    run_loss,
    run_result,
    stop_status,
    unfinished_suffix,
)

DATASET_CHOICES = ("moons", "circles")
#: the sweep's default hidden sizes: ``nnscratch.lab.experiments.ARTICLE_HIDDEN_SIZES``,
#: written out so that declaring the options imports no lab module (a test checks both agree)
SWEEP_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)

Command = Callable[[argparse.Namespace], int]


# -- arguments ----------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    """Add the article's commands to the ``nnscratch`` parser."""
    # The two drawing steps take the same options: a data set, and where the figures go.
    drawings = (
        (
            "data",
            "Draw the data set: make_moons(200, noise=0.20) after seed 0, or "
            "make_circles(noise=0.2, factor=0.5, random_state=1).",
            run_data,
        ),
        (
            "logreg",
            "Fit scikit-learn's LogisticRegressionCV, as the article does, and "
            "draw its straight decision boundary.",
            run_logreg,
        ),
    )
    for name, description, run in drawings:
        p = add_command(subparsers, name, description)
        _dataset_option(p)
        _output_options(p)
        p.set_defaults(run=run)

    p = add_command(
        subparsers,
        "moons",
        "Train the 2-H-2 network (tanh hidden layer, softmax output) by "
        "full-batch gradient descent, printing 'Loss after iteration i: ...' every "
        "--print-every passes; draw its decision boundary and the loss of every pass "
        "next to the same run at half the learning rate.",
    )
    _dataset_option(p)
    p.add_argument("--hidden", type=int, default=3, metavar="H", help="hidden units (default: 3)")
    _training_options(p)
    _output_options(p)
    p.set_defaults(run=run_moons, portable_math=True)  # see nnscratch.cli.portable

    p = add_command(
        subparsers,
        "demo",
        "Reproduce the whole article on both data sets and write every "
        "figure plus an index.html page showing them into --out.",
    )
    p.add_argument(
        "--passes",
        type=int,
        default=20000,
        metavar="N",
        help="gradient-descent passes per network (default: 20000)",
    )
    _jobs_option(p)
    _output_options(p)
    p.set_defaults(run=run_demo, portable_math=True)  # see nnscratch.cli.portable


def _dataset_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dataset", choices=DATASET_CHOICES, default="moons", help="data set (default: moons)"
    )


#: the training options: flag, type, default, metavar, help, and whether a sweep takes
#: several values of it (then ``{more}`` in the help says so)
_TRAINING_OPTIONS: tuple[tuple[str, type, Any, str, str, bool], ...] = (
    ("--passes", int, 20000, "N", "passes (default: 20000)", False),
    (
        "--learning-rate",
        float,
        0.01,
        "R",
        "step on the summed gradient (default: 0.01, the article's epsilon{more})",
        True,
    ),
    (
        "--reg",
        float,
        0.01,
        "L",
        "L2 strength, the article's reg_lambda (default: 0.01, i.e. l2(0.005){more})",
        True,
    ),
    ("--seed", int, 0, "S", "seed of the initial weights (default: 0{more})", True),
    ("--print-every", int, 1000, "K", "a loss line every K passes (default: 1000)", False),
)


def _training_options(p: argparse.ArgumentParser, lists: bool = False) -> None:
    """``--passes``, ``--learning-rate``, ``--reg``, ``--seed``, ``--print-every``; with
    ``lists`` the middle three take several values (a sweep trains every combination)."""
    for flag, kind, value, metavar, text, swept in _TRAINING_OPTIONS:
        several = lists and swept
        p.add_argument(
            flag,
            type=kind,
            default=[value] if several else value,
            metavar=metavar,
            help=text.format(more="; several values sweep them" if several else ""),
            **({"nargs": "+"} if several else {}),
        )


def _jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: all cores)",
    )


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"directory for the figures (default: ./{DEFAULT_OUT})",
    )
    p.add_argument("--show", action="store_true", help="also open the figures in windows")
    p.add_argument(
        "--json", action="store_true", help="print the results as one JSON object, nothing else"
    )


def _check_arguments(args: argparse.Namespace) -> None:
    """The options' values, checked by :mod:`nnscratch.engine.checks` (its messages).

    An option may hold one value or, in ``nnscratch sweep``, a list of distinct values.
    A command declares checks of its own options with ``set_defaults(check=function)``.
    """
    from ..engine import checks

    for attr in ("hidden", "passes", "print_every", "jobs"):
        for value in _values(args, attr):
            if value is not None:
                checks.positive_int(_option(attr), value)
    for value in _values(args, "seed"):
        checks.integer("--seed", value, low=0, high=2**32 - 1)
    for value in _values(args, "learning_rate"):
        checks.number("--learning-rate", value, low=0, low_open=True)
    for value in _values(args, "reg"):
        checks.number("--reg", value, low=0)
    for attr in ("hidden", "learning_rate", "reg", "seed"):
        values = getattr(args, attr, None)
        if isinstance(values, list) and len(set(values)) != len(values):
            what = "a size" if attr == "hidden" else "a value"
            raise CommandError(
                f"{_option(attr)} lists {what} twice: {' '.join(f'{v:g}' for v in values)}"
            )
    check = getattr(args, "check", None)
    if check is not None:
        check(args)


def _values(args: argparse.Namespace, attr: str) -> list[Any]:
    """The option ``attr``'s values as a list (none when the command has no such option)."""
    value = getattr(args, attr, None)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _option(attr: str) -> str:
    return "--" + attr.replace("_", "-")


def prepare_experiment(args: argparse.Namespace) -> int | None:
    """Set up the process before an experiment command computes anything.

    Called first by every command of this module and of :mod:`nnscratch.cli.sweep`
    (:func:`experiment`), before data is loaded, NumPy does any arithmetic or worker
    processes are started (they inherit ``os.environ`` as it is then). It checks the
    arguments (raising :class:`~nnscratch.cli.CommandError`) and makes the output
    directory.

    Returns None to let the command go on in this process, or an exit status to end the
    command with at once (for set-up that runs the command some other way, such as in a
    child process with different NumPy settings).
    """
    _check_arguments(args)
    check_output_folder(args.out)
    return None


def experiment(command: Command) -> Command:
    """Decorate a command so that it starts with :func:`prepare_experiment`."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        status = prepare_experiment(args)
        if status is not None:
            return status
        return command(args)

    return run


# -- commands -----------------------------------------------------------------------------
@experiment
def run_data(args: argparse.Namespace) -> int:
    """``nnscratch data``: the scatter plot of the data set."""
    import numpy as np

    from ..lab import experiments, plots

    X, y = experiments.load_dataset(args.dataset)
    out = Output(args)
    counts = np.bincount(y).tolist()
    out.say(f"{args.dataset}: {len(X)} points, classes 0 and 1 ({counts[0]} + {counts[1]})")
    fig = plots.data_figure(X, y, f"{args.dataset}: {len(X)} points", fig=out.new_figure())
    out.save(fig, f"data-{args.dataset}.png")
    return out.finish(
        {
            "dataset": args.dataset,
            "results": [{"n_samples": len(X), "n_features": X.shape[1], "class_counts": counts}],
        }
    )


@experiment
def run_logreg(args: argparse.Namespace) -> int:
    """``nnscratch logreg``: the logistic-regression baseline."""
    from ..lab import experiments

    result = experiments.logistic_regression(args.dataset)
    X, y = experiments.load_dataset(args.dataset)
    out = Output(args)
    out.say(
        f"Logistic regression (LogisticRegressionCV) on {args.dataset}: "
        f"training accuracy {result.train_accuracy:.1%}"
    )
    _draw_logreg(out, result, X, y)
    return out.finish({"dataset": args.dataset, "results": [result.to_json()]})


def _draw_logreg(out: Output, result: Any, X: Any, y: Any) -> None:
    from ..lab import plots

    title = f"Logistic Regression (accuracy {result.train_accuracy:.1%})"
    fig = plots.boundary_figure(result.predict, X, y, title, fig=out.new_figure())
    out.save(fig, f"logreg-{result.dataset}.png")


def _spec(args: argparse.Namespace, hidden: int) -> Any:
    """The run of ``hidden`` units the options ask for, checked to fit in memory."""
    from ..lab.network_runs import NetworkSpec, check_memory

    spec = NetworkSpec(
        args.dataset,
        hidden,
        args.passes,
        args.learning_rate,
        args.reg,
        args.seed,
        args.print_every,
    )
    check_memory(spec)
    return spec


@experiment
def run_moons(args: argparse.Namespace) -> int:
    """``nnscratch moons``: the article's network, its lines, boundary and loss curve."""
    import concurrent.futures as cf

    from ..lab import experiments, parallel
    from ..progress import progress_bar

    spec = _spec(args, args.hidden)
    comparison_spec = replace(spec, learning_rate=spec.learning_rate / 2)
    out = Output(args)
    on_line = None if args.json else (lambda line: print(line, flush=True))
    # Under --json no line is printed as training goes: a progress bar (on stderr) is.
    bar = progress_bar(spec.passes, args.command, "pass") if args.json else None
    # The comparison run trains in a worker while this process prints the main run live.
    pool = parallel.worker_pool(1) if (os.cpu_count() or 1) > 1 else None
    try:
        data = experiments.load_dataset(spec.dataset)
        pending: list[cf.Future[Any]] = []
        if pool is not None:
            queued = parallel.submit_runs(pool, [comparison_spec], True, {spec.dataset: data})
            pending = list(queued)
        run = experiments.run_network(
            spec, on_line, data, regions=True, on_passes=bar.update if bar else None
        )
        if run.interrupted and pool is not None:
            pool.drop_queued()  # Ctrl-C: the comparison run stops after its current pass
        if pending:
            comparison = pending[0].result()
        else:
            comparison = experiments.run_network(comparison_spec, data=data, regions=True)
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.drop_queued()
            pool.shutdown(wait=True, cancel_futures=True)
    line = run_result(run)
    if comparison is not None:
        other = comparison.label or f"final loss {run_loss(comparison)}"
        line += f"; at learning rate {comparison.spec.learning_rate:g}: {other}"
    out.say(line)
    _draw_network(out, run, comparison, data)
    written = out.finish(
        {
            "dataset": spec.dataset,
            "results": [run.to_json()],
            "comparison": None if comparison is None else comparison.to_json(),
        }
    )
    return stop_status([run, comparison], args.command) or written


def _draw_network(out: Output, run: Any, comparison: Any, data: Any) -> None:
    from ..lab import plots

    X, y = data
    title = plots.run_title(run)
    fig = plots.boundary_figure(run.regions or run.predict, X, y, title, fig=out.new_figure())
    out.save(fig, f"boundary-{run.dataset}-h{run.hidden}{unfinished_suffix([run])}.png")
    fig = plots.loss_curve_figure(run, comparison, fig=out.new_figure())
    runs = [run] if comparison is None else [run, comparison]
    out.save(fig, f"loss-{run.dataset}-h{run.hidden}{unfinished_suffix(runs)}.png")


# -- demo ---------------------------------------------------------------------------------
@experiment
def run_demo(args: argparse.Namespace) -> int:
    """``nnscratch demo``: the whole article on both data sets, and an index page."""
    from . import article_demo

    count = len(article_demo.demo_specs(args.passes))
    workers = min(args.jobs or os.cpu_count() or 1, count)
    note(
        args.command,
        f"the whole article: {count} networks, {args.passes} passes each, in {workers} "
        f"worker processes; figures and index.html into {args.out}",
    )
    return article_demo.run(args)


__all__ = [
    "SWEEP_SIZES",
    "experiment",
    "prepare_experiment",
    "register",
    "run_data",
    "run_demo",
    "run_logreg",
    "run_moons",
]
