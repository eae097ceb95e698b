"""``nnscratch chapter6 --step N``: the book's ladder of convolutional networks (chapter 6).

Each step builds the book's network (``nnscratch.nielsen.network3`` on the engine's
convolution layers), trains it with the book's settings (mini-batches of 10, its eta,
lmbda and epochs) and prints the book's own lines ("Epoch 0: validation accuracy
97.50%", "This is the best validation accuracy to date.", ...) on stdout, with one
progress line per epoch on stderr. The result is the test accuracy at the epoch of the
best validation accuracy, shown beside the book's.

Ctrl-C stops after the current mini-batch, keeps the weights of the best validation epoch
(and saves them with ``--save``), prints what was reached and exits with status 130.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from . import CommandError, add_command, add_device_option
from .output import check_output_folder, note

__all__ = ["register", "run_chapter6"]

#: the text of ``nnscratch chapter6 --help`` (argparse refills the lines)
_DESCRIPTION = """Run one step of the accuracy ladder of Nielsen's chapter 6 with the book's
settings: 1 one conv-pool, sigmoid (book 98.78%); 2 two conv-pools (99.06%); 3 ReLU, lmbda 0.1
(99.23%); 4 the expanded data (99.37%); 5 two FC 1000 with dropout (99.60%); 6 five step-5
networks voting (99.67%). The data comes from --data, NNSCRATCH_DATA, the user cache, or a
verified download."""


def register(subparsers: Any) -> None:
    """Add the ``chapter6`` command."""
    p = add_command(subparsers, "chapter6", _DESCRIPTION)
    p.add_argument(
        "--step",
        type=int,
        required=True,
        choices=range(1, 7),
        metavar="N",
        help="the step of the ladder, 1-6",
    )
    p.add_argument(
        "--epochs", type=int, default=None, help="epochs to train (default: the book's, 60 or 40)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="np.random.seed before the layers draw their weights (default 0)",
    )
    add_device_option(p)
    p.add_argument("--data", metavar="PATH", help="mnist.pkl.gz, a .npz, or a folder")
    p.add_argument("--out", metavar="DIR", help="write the accuracy curves (PNG and JSON) into DIR")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="save the network of the best validation epoch (a .nnscratch file; "
        "step 6 adds -1 ... -5 to the name)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object with the results (the book's lines then go to stderr)",
    )
    p.set_defaults(run=run_chapter6)


def _check_args(args: argparse.Namespace) -> None:
    from ..engine import checks

    if args.epochs is not None:
        checks.positive_int("--epochs", args.epochs)
    checks.integer("--seed", args.seed, low=0, high=2**32 - 1)
    if args.out:
        check_output_folder(args.out)
    if args.save:
        if not args.save.endswith(".nnscratch"):
            raise CommandError(f"--save {args.save}: the file name must end in .nnscratch")
        if os.path.isdir(args.save):
            raise CommandError(f"--save {args.save}: is a folder; give a file name")
        folder = os.path.dirname(os.path.abspath(args.save))
        check_output_folder(folder, "--save", "folder of --save")


def _save_names(path: str, count: int) -> list[str]:
    if count == 1:
        return [path]
    stem = path[: -len(".nnscratch")]
    return [f"{stem}-{k}.nnscratch" for k in range(1, count + 1)]


class _EpochLine:
    """One line per epoch on stderr (through nnscratch.progress), with its time."""

    def __init__(self, step: int, run: str, epochs: int) -> None:
        from ..progress import progress_bar

        self.bar = progress_bar(epochs, f"step {step}{run}", "epoch", every=0.0)

    def __call__(self, epoch: int, record: Any) -> None:
        best = record.best_test_accuracy
        best_text = "" if best is None else f", test at best {100 * best:.2f}%"
        self.bar.set_postfix_str(
            f"validation {100 * record.validation_accuracy[-1]:.2f}%{best_text}, "
            f"{record.seconds[-1]:.1f} s this epoch"
        )
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def run_chapter6(args: argparse.Namespace) -> int:
    """Train the step's network(s), print the result beside the book's, save and draw.

    Exit status: 0 done, 1 a write failed, 130 after Ctrl-C (the best weights kept).
    """
    from ..lab import chapter6 as lab

    _check_args(args)
    if args.device != "cpu":  # no CuPy, no GPU, or a layer that cannot move: before the data
        lab.build_network(args.step, args.seed, print_fn=None, device=args.device)
    step = lab.STEPS[args.step]
    epochs = args.epochs or step.epochs
    data = lab.load_step_data(args.step, args.data)
    out = sys.stderr if args.json else sys.stdout
    say = lambda line: print(line, file=out, flush=True)  # noqa: E731
    note(
        "chapter6",
        f"step {args.step}: {step.description}; {_epochs(epochs)}, eta {step.eta:g}, lmbda "
        f"{step.lmbda:g}, mini-batches of {lab.MINI_BATCH_SIZE} on {len(data[0][1]):,} images, "
        f"seed {args.seed}"
        + (f" (networks {step.ensemble}, seeds from {args.seed})" if step.ensemble > 1 else ""),
    )
    from ..progress import ProgressBar

    batches = [ProgressBar(per_batch=True)] if sys.stderr.isatty() else []
    nets, records, interrupted = [], [], False
    start = time.perf_counter()
    for k in range(step.ensemble):
        net = lab.build_network(args.step, args.seed + k, print_fn=say, device=args.device)
        nets.append(net)
        tag = f", network {k + 1}/{step.ensemble}" if step.ensemble > 1 else ""
        line = _EpochLine(args.step, tag, epochs)
        try:
            lab.run_step(net, args.step, data, epochs=epochs, callbacks=batches, on_epoch=line)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            line.close()
        records.append(net.history)
        if interrupted:
            break
    seconds = time.perf_counter() - start
    result = _result(args, step, epochs, records, seconds, interrupted)
    if step.ensemble > 1 and not interrupted:
        for net in nets:
            net.use_best_weights()
        test_x, test_y = data[2]
        result["ensemble_test_accuracy"] = float((lab.vote(nets, test_x) == test_y).mean())
        result["best_test_accuracy"] = result["ensemble_test_accuracy"]
    if not args.json:
        print(_summary(args.step, step, result))
    errors: list[str] = []
    result["models"] = _save(nets, args.save, errors) if args.save else []
    result["figures"] = _write_curves(args, step, records, result, errors) if args.out else []
    if args.json:
        print(json.dumps(result))
    for error in errors:
        print(f"nnscratch chapter6: error: {error}", file=sys.stderr)
    if interrupted:
        note("chapter6", "interrupted: the weights of the best validation epoch are kept")
        return 130
    return 1 if errors else 0


def _result(
    args: argparse.Namespace,
    step: Any,
    epochs: int,
    records: list[Any],
    seconds: float,
    interrupted: bool,
) -> dict[str, Any]:
    times = [t for r in records for t in r.seconds]
    best = [r.best_test_accuracy for r in records]
    return {
        "step": args.step,
        "description": step.description,
        "book_accuracy": step.book_accuracy,
        "epochs": epochs,
        "eta": step.eta,
        "lmbda": step.lmbda,
        "mini_batch_size": 10,
        "seed": args.seed,
        "status": "interrupted" if interrupted else "complete",
        "epochs_completed": [r.epochs for r in records],
        "best_test_accuracy": best[0] if len(best) == 1 else None,
        "network_test_accuracy": best,
        "best_epoch": [r.best_epoch for r in records],
        "seconds": seconds,
        "seconds_per_epoch": sum(times) / len(times) if times else None,
        "runs": [r.to_dict() for r in records],
    }


def _epochs(count: int) -> str:
    """``"1 epoch"``, ``"5 epochs"``."""
    return f"{count} epoch" + ("" if count == 1 else "s")


def _summary(number: int, step: Any, result: dict[str, Any]) -> str:
    best = result["best_test_accuracy"]
    if best is None:
        return f"step {number}: no epoch finished"
    done = list(result["epochs_completed"])  # one count per network (step 6 has five)
    epochs = "+".join(str(e) for e in done) + (" epoch" if done == [1] else " epochs")
    gap = 100 * (best - step.book_accuracy)
    per_epoch = result["seconds_per_epoch"] or 0.0
    return (
        f"step {number}: test accuracy {100 * best:.2f}% at the best validation epoch "
        f"(book {100 * step.book_accuracy:.2f}%, {gap:+.2f} points); {epochs}, "
        f"{per_epoch:.1f} s per epoch, seed {result['seed']}"
        + ("" if result["status"] == "complete" else f" [{result['status']}]")
    )


def _save(nets: list[Any], path: str, errors: list[str]) -> list[str]:
    from ..saving import save_model

    written = []
    for net, name in zip(nets, _save_names(path, len(nets))):
        if net.best_weights is None:
            continue
        net.use_best_weights()
        try:
            save_model(net.model, name)
        except OSError as exc:
            errors.append(f"--save {name}: {exc.strerror or exc}")
            continue
        written.append(name)
    return written


def _write_curves(
    args: argparse.Namespace,
    step: Any,
    records: list[Any],
    result: dict[str, Any],
    errors: list[str],
) -> list[str]:
    from ..files import atomic_write
    from ..lab.mnist_plots import plot_accuracy_curves, save_figure

    written = []
    base = os.path.join(args.out, f"chapter6-step{args.step}")
    try:
        atomic_write(f"{base}.json", lambda f: json.dump(result, f, indent=1), text=True)
        written.append(f"{base}.json")
        for k, record in enumerate(records):
            suffix = f"-{k + 1}" if len(records) > 1 else ""
            title = f"Chapter 6, step {args.step}: {step.description} (seed {args.seed + k})"
            fig = plot_accuracy_curves(
                record.validation_accuracy, record.test_accuracy, step.book_accuracy, title
            )
            written.append(save_figure(fig, f"{base}{suffix}.png"))
    except OSError as exc:
        errors.append(f"--out {args.out}: {exc.strerror or exc}")
    return written
