"""``nnscratch compare``: the same network in nnscratch, scikit-learn, Keras and PyTorch.

::

    nnscratch compare --dataset moons --hidden 3
    nnscratch compare --dataset circles --epochs 5000 --json
    nnscratch compare --dataset mnist --data /path/to/mnist.pkl.gz
    nnscratch compare --dataset mnist --conv

Every library starts from the same weights and trains with the same hyperparameters (the
article's by default: 20,000 full-batch gradient steps, learning rate 0.01, L2 0.01; see
:mod:`nnscratch.lab.compare` for how each library is set up). The command prints one
table row per library and writes the decision boundaries side by side into ``--out``.
``--conv`` trains the book's chapter-6 step-3 convolutional network on MNIST instead (one
epoch, eta 0.03, lmbda 0.1, mini-batches of 10; :mod:`nnscratch.lab.compare_conv`).
Keras and PyTorch take part when installed (``pip install 'nnscratch[compare]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from . import CommandError, add_command, add_device_option
from .output import check_output_folder

__all__ = ["format_table", "register", "run_compare"]

#: the options that override a setting of the comparison, named as ``make_settings`` names
#: them (``None``, an option not given: the data set's default)
_SETTINGS = "hidden epochs learning_rate l2 batch_size seed test_size n_samples device".split()

#: the option that sets each of them, for the error messages (``n_samples`` is ``--samples``)
_OPTIONS = {name: "--" + name.replace("_", "-") for name in _SETTINGS} | {"n_samples": "--samples"}


def _description() -> str:
    """The text of ``nnscratch compare --help``, with each data set's defaults."""
    from ..lab.compare_setup import CONV_DEFAULTS, DATASETS

    defaults = "; ".join(
        f"{name}: hidden {d['hidden']}, {d['epochs']} epochs, learning rate "
        f"{d['learning_rate']}, L2 {d['l2']}, "
        + ("full batch" if d["batch_size"] is None else f"batch {d['batch_size']}")
        for name, d in DATASETS.items()
    )
    conv = CONV_DEFAULTS
    return (
        "Train one architecture (a tanh hidden layer, a softmax output) from the same "
        "initial weights with nnscratch, scikit-learn's MLPClassifier and, when "
        "installed, Keras 3 and PyTorch; print accuracy, loss, wall time and parameter "
        f"count, and draw the decision boundaries side by side. Defaults per dataset: {defaults}"
        ". With --conv (MNIST): the book's step-3 convolutional network (conv 20x5x5, "
        "max-pool 2, conv 40x5x5, max-pool 2, FC 100, softmax 10; ReLU) by nnscratch, "
        f"PyTorch and Keras from the same initial weights: {conv['epochs']} epoch, eta "
        f"{conv['learning_rate']}, lmbda {conv['l2']}, batch {conv['batch_size']}, "
        f"{conv['n_samples']:,} images."
    )


def register(subparsers: Any) -> None:
    """Add the ``compare`` command."""
    from ..lab.compare_setup import DATASETS, LIBRARIES

    p = add_command(subparsers, "compare", _description())
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="default moons")
    p.add_argument(
        "--conv",
        action="store_true",
        help="MNIST: the book's step-3 convolutional network instead of the tanh MLP",
    )
    p.add_argument(
        "--hidden",
        type=int,
        metavar="N",
        help="units of the tanh hidden layer (with --conv: of the fully connected layer)",
    )
    p.add_argument("--epochs", type=int, metavar="N", help="passes over the training data")
    p.add_argument(
        "--learning-rate",
        type=float,
        metavar="EPS",
        help="step size on the summed gradient of a batch (the article's epsilon; with "
        "--conv the book's eta, on the batch's mean cost)",
    )
    p.add_argument(
        "--l2",
        type=float,
        metavar="LAMBDA",
        help="L2 strength, the article's reg_lambda: penalty LAMBDA/2 * sum of squared weights "
        "(with --conv the book's lmbda: LAMBDA/2 * sum of squares / number of batches)",
    )
    p.add_argument(
        "--batch-size", type=int, metavar="N", help="examples per step; 0 for the full batch"
    )
    p.add_argument("--seed", type=int, default=0, help="initial weights and split (default 0)")
    p.add_argument(
        "--test-size",
        type=float,
        default=0.3,
        metavar="FRACTION",
        help="toy data held out for testing (default 0.3)",
    )
    p.add_argument(
        "--samples",
        type=int,
        dest="n_samples",
        metavar="N",
        help="toy points to generate, or MNIST training images to use",
    )
    p.add_argument(
        "--libraries",
        default=",".join(LIBRARIES),
        metavar="LIST",
        help=f"comma-separated, among {', '.join(LIBRARIES)} (default: all)",
    )
    add_device_option(
        p, 'where nnscratch trains: cpu (NumPy, default) or gpu (CuPy: "nnscratch[gpu]")'
    )
    p.add_argument("--data", metavar="PATH", help="MNIST: mnist.pkl.gz, a .npz or an IDX folder")
    p.add_argument(
        "--out",
        default=os.path.join("nnscratch-out", "compare"),
        metavar="DIR",
        help="folder for the decision-boundary PNG (default ./nnscratch-out/compare)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(run=run_compare)


def format_table(result: dict[str, Any]) -> str:
    """The results (``Comparison.to_dict()``) as an aligned text table."""
    header = ("library", "version", "train acc", "test acc", "final loss", "wall time", "params")
    rows = [header]
    for r in result["results"]:
        rows.append(
            (
                r["library"],
                r["version"],
                f"{100 * r['train_accuracy']:.2f}%",
                f"{100 * r['test_accuracy']:.2f}%",
                f"{r['final_loss']:.6f}",
                f"{r['wall_time']:.3f} s",
                str(r["n_params"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for i, row in enumerate(rows):
        cells = [
            cell.ljust(w) if j < 2 else cell.rjust(w)
            for j, (cell, w) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in result["results"]:
        if r["note"]:
            lines.append(f"note: {r['library']}: {r['note']}")
    for name, reason in result["skipped"].items():
        lines.append(f"skipped: {name}: {reason}")
    return "\n".join(lines)


def run_compare(args: argparse.Namespace) -> int:
    """Train, print the table (or JSON), then write the figure.

    The output folder is checked before any training; the table is printed before the
    figure is written, so a late write error (a full disk) loses no result.
    """
    from ..engine import checks
    from ..lab import compare as lab
    from ..progress import progress_bar

    libraries = lab.check_libraries(
        [name.strip() for name in args.libraries.split(",") if name.strip()]
    )
    if args.batch_size is not None:
        checks.integer("--batch-size", args.batch_size, low=0)  # 0: the full batch
    if args.n_samples is not None:  # before the data is made (the bar has started by then)
        checks.integer("--samples", args.n_samples, low=2)
    overrides = {name: getattr(args, name) for name in _SETTINGS}
    try:
        settings = lab.make_settings(args.dataset, conv=args.conv, **overrides)
    except ValueError as exc:  # "learning_rate must be ...": say it with the option's name
        name, _, rest = str(exc).partition(" ")
        if name not in _OPTIONS:
            raise
        raise CommandError(f"{_OPTIONS[name]} {rest}") from None
    if args.device != "cpu":
        from ..engine import backend

        backend.namespace(args.device)  # no CuPy or no GPU: one line, before any work
    draws = args.dataset != "mnist"
    if draws:
        check_output_folder(args.out)
    bar = progress_bar(len(libraries), "compare", "library", every=0)
    bar.set_postfix_str("loading the data and the libraries")
    bar.update(0)

    def starting(library: str) -> None:
        bar.set_postfix_str(f"training {library}")
        bar.update(0)

    def finished(library: str) -> None:
        bar.set_postfix_str(f"{library} done", refresh=False)
        bar.update(1)

    try:
        comparison = lab.compare(
            settings, libraries=libraries, data_path=args.data, on_start=starting, on_done=finished
        )
    finally:
        bar.close()
    result = comparison.to_dict()
    figure_path = None
    if draws and comparison.runs:
        figure_path = os.path.join(args.out, f"compare-{args.dataset}.png")
    status = 130 if comparison.interrupted else 0
    if args.json:
        error = _write_figure(lab, comparison, figure_path)
        result["figure"] = None if error else figure_path
        print(json.dumps(result, indent=2))
    else:
        print(comparison.settings.describe().replace(": ", f": {_sizes(result)}; ", 1))
        print(format_table(result))
        error = _write_figure(lab, comparison, figure_path)
        if figure_path is not None and not error:
            print(f"decision boundaries: {figure_path}")
    if comparison.interrupted:
        print(
            f"nnscratch compare: interrupted while training {comparison.interrupted}; "
            "the table shows the libraries that finished",
            file=sys.stderr,
        )
    if error:
        print(f"nnscratch compare: error: {error}", file=sys.stderr)
        status = status or 1
    return status


def _sizes(result: dict[str, Any]) -> str:
    return f"{result['n_train']} training / {result['n_test']} test examples"


def _write_figure(lab: Any, comparison: Any, path: str | None) -> str | None:
    """Draw and write the figure; the error in words if it could not be written."""
    if path is None:
        return None
    try:
        lab.save_figure(lab.boundary_figure(comparison), path)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None
