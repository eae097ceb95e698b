"""``nnscratch mnist`` and ``nnscratch predict``: the book's MNIST experiments.

``nnscratch mnist`` trains the network of chapter 1 (``--cost quadratic``, the default:
``[784, 30, 10]``, mini-batches of 10, eta 3.0) or of chapter 3 (``--cost cross-entropy
--sizes 784 100 10 --eta 0.5 --lmbda 5.0``), prints the test accuracy after every epoch as
the book does ("Epoch 0: 9129 / 10000"), and can save the network (``--save``, the
book's network2 JSON: sizes, weights, biases, cost) and write figures (``--out``).

``nnscratch predict --model net.json digit.png`` reads a digit from an image file, with
a dense network (784 inputs) or a convolutional one (28x28x1 images).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import numpy as np

from . import CommandError, add_command, add_device_option
from .output import check_output_folder, note

__all__ = ["register", "run_mnist", "run_predict"]

#: the texts of ``nnscratch mnist --help`` and ``nnscratch predict --help`` (argparse
#: refills the lines)
_DESCRIPTIONS = {
    "mnist": """Train a network of sigmoid neurons on MNIST by mini-batch SGD, as in Nielsen's book.
Chapter 1: the defaults. Chapter 3: --cost cross-entropy --sizes 784 100 10 --eta 0.5 --lmbda 5.0.
The data comes from --data, NNSCRATCH_DATA, the user cache, or a verified download.""",
    "predict": """Classify images of single digits (any size, light or dark background) with a
network saved by `nnscratch mnist --save` (the book's JSON) or by `model.save` (a .nnscratch file)
that takes 784 inputs (or 28x28x1 images: a convolutional network) and gives 10 outputs. Each
image is prepared like MNIST: grey, cropped, scaled into 20x20 and centred by its centre of mass in
28x28.""",
}


def register(subparsers: Any) -> None:
    """Add the ``mnist`` and ``predict`` commands."""
    p = add_command(subparsers, "mnist", _DESCRIPTIONS["mnist"])
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
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the initial weights and the shuffling (default 0: the same run every time)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads while training; 0 = the library's default (default 1: fastest "
        "for these small matrices)",
    )
    add_device_option(p)
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

    q = add_command(subparsers, "predict", _DESCRIPTIONS["predict"])
    q.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a saved network: a .nnscratch file (model.save) or JSON (nnscratch mnist --save)",
    )
    q.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    q.add_argument("--json", action="store_true", help="print one JSON object with the results")
    q.set_defaults(run=run_predict)


# -- nnscratch mnist ----------------------------------------------------------------------
def _check_args(args: argparse.Namespace) -> None:
    from ..engine import backend, checks

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
    checks.integer("--seed", args.seed, low=0, high=2**32 - 1)
    checks.integer("--threads", args.threads, low=0)
    backend.namespace(args.device)  # no CuPy or no GPU: one line, before any work
    if args.train_size is not None:
        checks.positive_int("--train-size", args.train_size)
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise CommandError(f"--save {args.save}: {folder} is a file, not a folder")
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


def _check_outputs(args: argparse.Namespace) -> None:
    """Make sure ``--out`` and the folder of ``--save`` can be written, before training."""
    if args.out:
        check_output_folder(args.out)
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        check_output_folder(folder, f"--save {args.save}: the folder", "folder of --save")


def run_mnist(args: argparse.Namespace) -> int:
    """Train, report each epoch, then save and draw.

    The outputs are checked before anything else; the result is printed before the
    network and figures are written, so a late write error (a full disk) loses no result.
    Exit status: 0, 1 if training diverged or a write failed, 130 after Ctrl-C.
    """
    from ..lab import mnist as lab

    _check_args(args)
    _check_outputs(args)
    lab.check_memory(args.sizes, args.dtype)
    eta = args.eta if args.eta is not None else (0.5 if args.cost == "cross-entropy" else 3.0)
    seed = args.seed
    data = _load_data(args.data)  # errors in the data come before any other line
    X, y = data.train
    if args.train_size is not None:
        X, y = X[: args.train_size], y[: args.train_size]
    note(
        "mnist",
        f"training {args.sizes}, {args.cost} cost, eta {eta:g}, lmbda {args.lmbda:g}, "
        f"{args.epochs} epoch{'s' if args.epochs != 1 else ''} of mini-batches of "
        f"{args.batch_size} on {len(y)} images, "
        f"seed {seed}",
    )
    Xt, yt = data.test
    net = lab.build_network(args.sizes, args.cost, dtype=args.dtype, seed=seed, device=args.device)

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
        note("mnist", f"interrupted after {history.epochs} complete epoch(s)")
    if history.diverged:
        note("mnist", f"training diverged in epoch {history.epochs}: {history.diverged}")

    best = history.best_epoch
    result: dict[str, Any] = {
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
        "status": _status(history),
        "epochs_completed": history.epochs,
        "best_test_accuracy": None if best is None else history.test_accuracy[best],
        "best_epoch": best,
        "final_test_accuracy": history.test_accuracy[-1] if history.epochs else None,
        "seconds": float(sum(history.seconds)),
        "interrupted": history.interrupted,
        "diverged": history.diverged,
        "history": {k: v for k, v in history.to_dict().items() if isinstance(v, list)},
    }
    if not args.json and best is not None:
        print(_best_line(history, seed))
    errors: list[str] = []
    result["model"] = _save(net, args.save, errors) if args.save else None
    result["figures"] = []
    if args.out or args.show:
        result["figures"] = _figures(net, history, Xt, yt, args.out, args.show, errors)
    if args.json:
        print(json.dumps(result))
    for error in errors:
        print(f"nnscratch mnist: error: {error}", file=sys.stderr)
    if history.interrupted:
        return 130
    return 1 if history.diverged or errors else 0


def _status(history: Any) -> str:
    if history.diverged:
        return "diverged"
    return "interrupted" if history.interrupted else "complete"


def _best_line(history: Any, seed: int) -> str:
    """``best test accuracy 95.36% at epoch 27 (seed 0, 212.3 s of training)``, saying when
    the run did not finish."""
    best = history.best_epoch
    where = f"seed {seed}, {sum(history.seconds):.1f} s of training"
    if history.diverged:
        where += f"; training diverged in epoch {history.epochs}"
    elif history.interrupted:
        where += f"; interrupted after {history.epochs} complete epoch(s)"
    return f"best test accuracy {100 * history.test_accuracy[best]:.2f}% at epoch {best} ({where})"


def _save(net: Any, path: str, errors: list[str]) -> str | None:
    """Save the network; on failure, add the reason to ``errors`` and return None."""
    try:
        net.save(path)
    except OSError as exc:
        errors.append(f"cannot save the network to {path}: {exc.strerror or exc}")
        return None
    note("mnist", f"saved the network to {path}")
    return path


def _figures(
    net: Any,
    history: Any,
    Xt: np.ndarray,
    yt: np.ndarray,
    out: str | None,
    show: bool,
    errors: list[str],
) -> list[str]:
    """Draw the run's figures into ``out`` (and windows with ``show``); the paths written.

    A figure that cannot be written adds its reason to ``errors``; the others still are.
    """
    from ..lab import mnist as lab
    from ..lab import mnist_plots as plots

    pred = lab.predict_digits(net, Xt)
    wrong = lab.misclassified(yt, pred, limit=40)
    kernel = net.model.parameters()["0.kernel"]
    makers = {
        "curves.png": lambda fig: plots.plot_history(history, fig=fig),
        "hidden_weights.png": lambda fig: plots.plot_hidden_weights(kernel, fig=fig),
        "confusion_matrix.png": lambda fig: plots.plot_confusion_matrix(
            lab.confusion_matrix(yt, pred), fig=fig
        ),
        "misclassified.png": lambda fig: plots.plot_misclassified(
            Xt[wrong], yt[wrong], pred[wrong], fig=fig
        ),
    }
    written = []
    if out:
        for name, make in makers.items():
            path = os.path.join(out, name)
            try:
                written.append(plots.save_figure(make(None), path))
            except OSError as exc:
                errors.append(f"cannot write {path}: {exc.strerror or exc}")
    if show:
        import matplotlib.pyplot as plt

        sizes = {"curves.png": (10, 4), "confusion_matrix.png": (6.5, 5.5)}
        for name, make in makers.items():
            make(plt.figure(figsize=sizes.get(name, (10, 8)), layout="constrained"))
        plt.show()
    return written


# -- nnscratch predict --------------------------------------------------------------------
#: the largest model file ``predict`` opens (a [784, 1000, 10] network is about 30 MB)
MAX_MODEL_BYTES = 512 * 2**20


def load_digit_reader(path: str) -> Any:
    """A function from ``(n, 784)`` images to ``(n, 10)`` outputs, read from ``path``.

    Two formats: a ``.nnscratch`` file (``model.save``, ``nnscratch.load_model``), or the
    book's JSON network (``nnscratch mnist --save``, ``nnscratch.nielsen.load``). The
    format is told from the file's first bytes (a zip, or a JSON object), not its name.
    Every problem is a :class:`~nnscratch.cli.CommandError` naming ``--model``.
    """
    from ..untrusted import open_regular

    try:
        with open_regular(path, what="--model", max_bytes=MAX_MODEL_BYTES) as handle:
            head = handle.read(64)
    except FileNotFoundError:
        raise CommandError(f"--model {path}: no such file") from None
    except OSError as exc:
        raise CommandError(f"--model {path}: cannot read it ({exc.strerror or exc})") from None
    except ValueError as exc:  # not a regular file, or too large
        raise CommandError(str(exc)) from None
    try:
        if head.startswith(b"PK\x03\x04"):
            reader, inputs = _keras_style_reader(path)
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            reader, inputs = _book_reader(path)
        else:
            raise CommandError(
                f"--model {path}: not a saved network; expected a .nnscratch file "
                "(model.save) or a JSON network (nnscratch mnist --save)"
            )
    except RecursionError:
        raise CommandError(f"--model {path}: nested too deeply to be a saved network") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        text = " ".join(str(exc).split())
        raise CommandError(f"--model {path}: cannot load it: {text}") from None
    if inputs != 784:
        raise CommandError(f"--model {path} takes {inputs} inputs, not 784 (28x28 pixels)")
    return reader


#: the inputs a digit can be given as: 784 pixels, or a 28x28 grey image (a convolution)
DIGIT_SHAPES = ((784,), (28, 28, 1))


def _keras_style_reader(path: str) -> tuple[Any, int]:
    import nnscratch

    model = nnscratch.load_model(path, compile=False)
    if not model.built:
        raise CommandError(f"--model {path} has no input shape (it was saved before training)")
    shape = tuple(model.input_shape[1:])
    if shape not in DIGIT_SHAPES:
        if len(shape) == 1:
            return model.predict, int(shape[0])
        raise CommandError(
            f"--model {path} takes inputs of shape {shape}, not 784 pixels or 28x28x1 images"
        )
    outputs = np.asarray(model.predict(np.zeros((1, *shape), dtype=np.float32)))
    if outputs.shape != (1, 10):
        raise CommandError(f"--model {path} gives {outputs.shape[-1]} outputs, not 10 (digits)")
    return (lambda X: np.asarray(model.predict(X.reshape(-1, *shape)))), 784


def _book_reader(path: str) -> tuple[Any, int]:
    from ..nielsen import load

    net = load(path)
    if net.sizes[-1] != 10:
        raise CommandError(f"--model {path} gives {net.sizes[-1]} outputs, not 10 (digits)")

    def read(X: np.ndarray) -> np.ndarray:
        return np.stack([net.feedforward(x.reshape(-1, 1)).ravel() for x in X])

    return read, net.sizes[0]


def run_predict(args: argparse.Namespace) -> int:
    """Print the digit read from each image."""
    from ..lab.mnist import load_digit_image

    reader = load_digit_reader(args.model)
    results = []
    for path in args.images:
        x = load_digit_image(path)
        out = reader(x.reshape(1, 784))[0]
        digit = int(np.argmax(out))
        results.append({"image": path, "digit": digit, "outputs": [float(v) for v in out]})
    if args.json:
        print(json.dumps({"model": args.model, "predictions": results}))
    else:
        for r in results:
            confidence = r["outputs"][r["digit"]]
            print(f"{r['image']}: {r['digit']}  (output {confidence:.3f})")
    return 0
