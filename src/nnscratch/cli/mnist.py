"""``nnscratch mnist`` and ``nnscratch predict``: the book's MNIST experiments.

``nnscratch mnist`` trains the network of chapter 1 (``--cost quadratic``, the default:
``[784, 30, 10]``, mini-batches of 10, eta 3.0) or of chapter 3 (``--cost cross-entropy
--sizes 784 100 10 --eta 0.5 --lmbda 5.0``), prints the test accuracy after every epoch as
the book does ("Epoch 0: 9129 / 10000"), and can save the network (``--save``, the
book's network2 JSON: sizes, weights, biases, cost) and write figures (``--out``).

``nnscratch predict --model net.json digit.png`` reads a digit from an image file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import numpy as np

from . import CommandError, command_help
from .output import note

__all__ = ["register", "run_mnist", "run_predict"]


def register(subparsers: Any) -> None:
    """Add the ``mnist`` and ``predict`` commands."""
    p = subparsers.add_parser(
        "mnist",
        help=command_help("mnist"),
        description=(
            "Train a network of sigmoid neurons on MNIST by mini-batch SGD, as in "
            "Nielsen's book. Chapter 1: the defaults. Chapter 3: --cost cross-entropy "
            "--sizes 784 100 10 --eta 0.5 --lmbda 5.0. The data comes from --data, "
            "NNSCRATCH_DATA, the user cache, or a verified download."
        ),
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[784, 30, 10],
        metavar="N",
        help="neurons per layer, 784 first and 10 last (default: 784 30 10)",
    )
    p.add_argument("--epochs", type=int, default=30, help="passes over the data (default 30)")
    p.add_argument("--batch-size", type=int, default=10, help="mini-batch size m (default 10)")
    p.add_argument(
        "--eta",
        type=float,
        default=None,
        help="learning rate (default 3.0 with the quadratic cost, 0.5 with cross-entropy)",
    )
    p.add_argument(
        "--cost",
        choices=["quadratic", "cross-entropy"],
        default="quadratic",
        help="quadratic: network.py, weights N(0,1); cross-entropy: network2.py, "
        "weights N(0,1/n_in) (default quadratic)",
    )
    p.add_argument(
        "--lmbda", type=float, default=0.0, help="L2 regularization parameter (default 0.0)"
    )
    p.add_argument(
        "--dtype", choices=["float32", "float64"], default="float32", help="default float32"
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one)")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads while training; 0 = the library's default (default 1: fastest "
        "for these small matrices)",
    )
    p.add_argument("--data", metavar="PATH", help="mnist.pkl.gz, a .npz, or a folder of IDX files")
    p.add_argument(
        "--train-size",
        type=int,
        default=None,
        metavar="N",
        help="train on the first N training images only (default: all 50,000)",
    )
    p.add_argument("--out", metavar="DIR", help="write the figures (PNG) into DIR")
    p.add_argument("--save", metavar="PATH", help="save the trained network (JSON) to PATH")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")
    p.add_argument("--show", action="store_true", help="show the figures in windows")
    p.set_defaults(run=run_mnist)

    q = subparsers.add_parser(
        "predict",
        help=command_help("predict"),
        description=(
            "Classify images of single digits (any size, light or dark background) with a "
            "network saved by `nnscratch mnist --save`. Each image is prepared like MNIST: "
            "grey, cropped, scaled into 20x20 and centred by its centre of mass in 28x28."
        ),
    )
    q.add_argument("--model", required=True, metavar="PATH", help="a saved network (JSON)")
    q.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    q.add_argument("--json", action="store_true", help="print one JSON object with the results")
    q.set_defaults(run=run_predict)


# -- nnscratch mnist ----------------------------------------------------------------------
def _check_args(args: argparse.Namespace) -> None:
    from ..engine import checks

    sizes = args.sizes
    if len(sizes) < 2:
        raise CommandError(f"--sizes must be at least two positive integers, got {sizes}")
    for size in sizes:
        checks.positive_int("--sizes", size)
    if sizes[0] != 784 or sizes[-1] != 10:
        raise CommandError(
            f"--sizes must start with 784 (28x28 pixels) and end with 10 (digits), got {sizes}"
        )
    checks.positive_int("--epochs", args.epochs)
    checks.positive_int("--batch-size", args.batch_size)
    if args.eta is not None:
        checks.number("--eta", args.eta, low=0, low_open=True)
    checks.number("--lmbda", args.lmbda, low=0)
    if args.seed is not None:
        checks.integer("--seed", args.seed, low=0, high=2**32 - 1)
    checks.integer("--threads", args.threads, low=0)
    if args.train_size is not None:
        checks.positive_int("--train-size", args.train_size)
    if args.out and os.path.exists(args.out) and not os.path.isdir(args.out):
        raise CommandError(f"--out {args.out} exists and is not a folder")
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if not os.path.isdir(folder):
            raise CommandError(f"--save {args.save}: the folder {folder} does not exist")
        if os.path.isdir(args.save):
            raise CommandError(f"--save {args.save} is a folder; give a file name")


def _load_data(path: str | None) -> Any:
    from ..data.mnist import load_mnist

    try:
        return load_mnist(path)
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CommandError(f"cannot load MNIST: {exc}") from None


def run_mnist(args: argparse.Namespace) -> int:
    """Train, report each epoch, save and draw; exit status 130 after Ctrl-C."""
    from ..lab import mnist as lab

    _check_args(args)
    eta = args.eta if args.eta is not None else (0.5 if args.cost == "cross-entropy" else 3.0)
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % 2**31)
    data = _load_data(args.data)  # errors in the data come before any other line
    X, y = data.train
    if args.train_size is not None:
        X, y = X[: args.train_size], y[: args.train_size]
    note(
        "mnist",
        f"training {args.sizes}, {args.cost} cost, eta {eta:g}, lmbda {args.lmbda:g}, "
        f"{args.epochs} epochs of mini-batches of {args.batch_size} on {len(y)} images, "
        f"seed {seed}",
    )
    Xt, yt = data.test
    net = lab.build_network(args.sizes, args.cost, dtype=args.dtype, seed=seed)

    out = sys.stderr if args.json else sys.stdout
    n_test = len(yt)

    def on_epoch(epoch: int, h: lab.MnistHistory) -> None:
        correct = round(h.test_accuracy[-1] * n_test)
        print(
            f"Epoch {epoch}: {correct} / {n_test} ({100 * h.test_accuracy[-1]:.2f}%)"
            f"  cost {h.train_cost[-1]:.4f} / test {h.test_cost[-1]:.4f}"
            f"  train acc {100 * h.train_accuracy[-1]:.2f}%  [{h.seconds[-1]:.1f} s]",
            file=out,
            flush=True,
        )

    from ..progress import ProgressBar

    callbacks = [ProgressBar(per_batch=True)] if sys.stderr.isatty() else []
    history = lab.train(
        net,
        (X, y),
        (Xt, yt),
        epochs=args.epochs,
        batch_size=args.batch_size,
        eta=eta,
        lmbda=args.lmbda,
        callbacks=callbacks,
        on_epoch=on_epoch,
        blas_threads=args.threads or None,
    )
    if history.interrupted:
        print(f"interrupted after {history.epochs} complete epoch(s)", file=sys.stderr)
    if history.diverged:
        print(f"stopped: {history.diverged}", file=sys.stderr)

    saved = None
    if args.save:
        try:
            net.save(args.save)
        except OSError as exc:
            raise CommandError(f"cannot save to {args.save}: {exc.strerror or exc}") from None
        saved = args.save
        print(f"saved the network to {args.save}", file=sys.stderr)

    figures: list[str] = []
    if args.out or args.show:
        figures = _figures(net, history, Xt, yt, args.out, args.show)

    best = history.best_epoch
    result = {
        "sizes": args.sizes,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "eta": eta,
        "cost": args.cost,
        "lmbda": args.lmbda,
        "dtype": args.dtype,
        "seed": seed,
        "threads": args.threads,
        "train_size": len(y),
        "test_size": int(n_test),
        "epochs_completed": history.epochs,
        "best_test_accuracy": None if best is None else history.test_accuracy[best],
        "best_epoch": best,
        "final_test_accuracy": history.test_accuracy[-1] if history.epochs else None,
        "seconds": float(sum(history.seconds)),
        "interrupted": history.interrupted,
        "diverged": history.diverged,
        "history": {k: v for k, v in history.to_dict().items() if isinstance(v, list)},
        "model": saved,
        "figures": figures,
    }
    if args.json:
        print(json.dumps(result))
    elif best is not None:
        print(
            f"best test accuracy {100 * history.test_accuracy[best]:.2f}% at epoch {best} "
            f"({sum(history.seconds):.1f} s of training)"
        )
    if history.interrupted:
        return 130
    return 2 if history.diverged else 0


def _figures(
    net: Any, history: Any, Xt: np.ndarray, yt: np.ndarray, out: str | None, show: bool
) -> list[str]:
    from ..lab import mnist as lab
    from ..lab import mnist_plots as plots

    pred = lab.predict_digits(net, Xt)
    wrong = lab.misclassified(yt, pred, limit=40)
    makers = {
        "curves.png": lambda fig: plots.plot_history(history, fig=fig),
        "hidden_weights.png": lambda fig: plots.plot_hidden_weights(
            net.model.layers[0].params["kernel"], fig=fig
        ),
        "confusion_matrix.png": lambda fig: plots.plot_confusion_matrix(
            lab.confusion_matrix(yt, pred), fig=fig
        ),
        "misclassified.png": lambda fig: plots.plot_misclassified(
            Xt[wrong], yt[wrong], pred[wrong], fig=fig
        ),
    }
    written = []
    if out:
        os.makedirs(out, exist_ok=True)
        for name, make in makers.items():
            written.append(plots.save_figure(make(None), os.path.join(out, name)))
    if show:
        import matplotlib.pyplot as plt

        sizes = {"curves.png": (10, 4), "confusion_matrix.png": (6.5, 5.5)}
        for name, make in makers.items():
            make(plt.figure(figsize=sizes.get(name, (10, 8)), layout="constrained"))
        plt.show()
    return written


# -- nnscratch predict --------------------------------------------------------------------
def run_predict(args: argparse.Namespace) -> int:
    """Print the digit read from each image."""
    from ..lab.mnist import load_digit_image
    from ..nielsen import load

    try:
        net = load(args.model)
    except FileNotFoundError:
        raise CommandError(f"--model {args.model}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"--model {args.model} is a folder, not a saved network") from None
    except OSError as exc:
        raise CommandError(f"--model {args.model}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise CommandError(f"--model: {exc}") from None
    if net.sizes[0] != 784:
        raise CommandError(
            f"--model {args.model} takes {net.sizes[0]} inputs, not 784 (28x28 pixels)"
        )
    results = []
    for path in args.images:
        x = load_digit_image(path)
        out = net.feedforward(x.reshape(784, 1)).ravel()
        digit = int(out.argmax())
        results.append({"image": path, "digit": digit, "outputs": [float(v) for v in out]})
    if args.json:
        print(json.dumps({"model": args.model, "predictions": results}))
    else:
        for r in results:
            confidence = r["outputs"][r["digit"]]
            print(f"{r['image']}: {r['digit']}  (output {confidence:.3f})")
    return 0
