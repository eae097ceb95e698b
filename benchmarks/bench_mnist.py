"""One epoch of the book's MNIST network, nnscratch against its peers, in one run.

The task (Nielsen, chapter 1): ``[784, 30, 10]`` sigmoid network, quadratic cost
``1/2 ||a - y||^2``, plain SGD with eta = 3.0, one epoch over the 50,000 training images,
float32. Every contestant does the same arithmetic: the book's update
``w <- w - (eta / m) * sum of per-example gradients`` is SGD with learning rate eta on the
*mean* cost over the mini-batch (PyTorch below computes that cost explicitly;
``MSELoss`` would average over the 10 outputs and drop the 1/2, needing lr = 5 * eta).

Contestants
-----------
* nnscratch: the engine's ``fit`` on whole mini-batches (what ``nnscratch mnist`` runs),
  and the Nielsen facades ``network.Network.SGD`` (chapter 1) and
  ``network2.Network.SGD`` (chapter 3: cross-entropy, eta 0.5, lmbda 5.0), in float64 as
  a reader gets them, with the BLAS threads they choose themselves (one, for these small
  matrices; they also turn the book's list of column vectors into matrices each call);
* the book's per-example algorithm for both chapters (``update_mini_batch`` /
  ``backprop``, written out below, in the book's float64 weights), at 1 BLAS thread and
  at the library's default;
* PyTorch on the CPU, same model, batch size and learning rate (optional: skipped when
  torch is not installed: ``pip install 'nnscratch[compare]'``);
* scikit-learn's ``MLPClassifier`` (logistic hidden layer, one epoch of SGD) for
  reference: its output layer is softmax with cross-entropy, so not the same arithmetic.

Targets: batch 10 at least 6x faster than the per-example loop and than PyTorch; batch
128 faster than PyTorch; each Nielsen facade at least 5x faster than the book's code for
its chapter; peak memory of the 30-epoch ``nnscratch mnist`` run under 1 GiB.

It also prints epoch 0's test count of network.py for seeds 0, 1 and 2, from the facade
and from the book's code at two thread counts (``--no-spread`` skips it): over 50,000
images the chapter-1 network amplifies rounding differences, so even the book's own code
changes its count with the BLAS threads.

Each timing is the best of ``--repeat`` rounds, every contestant once per round, so that a
busy machine hurts everyone alike. All contestants run with one BLAS/torch thread (set
with threadpoolctl and ``torch.set_num_threads``), which is fastest for matrices this
small; nnscratch and PyTorch are also timed once with their default threads, for
information. The ratios take each at its best.

Run::

    uv run python benchmarks/bench_mnist.py                 # everything (a few minutes)
    uv run python benchmarks/bench_mnist.py --quick         # skip the 30-epoch memory run
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import gpu_column  # benchmarks/gpu_column.py: the --device gpu column
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from nnscratch.data.mnist import load_mnist
from nnscratch.engine.losses import one_hot
from nnscratch.lab.mnist import build_network
from nnscratch.nielsen import network, network2

ROOT = Path(__file__).resolve().parents[1]
ETA = 3.0
#: chapter 3's run: network2, cross-entropy, eta 0.5, lmbda 5.0
CH3_ETA, CH3_LMBDA = 0.5, 5.0


class Stopwatch:
    """Wall time and this process's CPU time (all its threads) of the timed region.

    On a machine shared with other work the wall time also counts the waits for a core;
    the CPU time does not, so the two together tell the work from the waiting."""

    wall = cpu = 0.0

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self) -> float:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        return self.wall


WATCH = Stopwatch()


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- contestants: each returns (seconds, test accuracy) --------------------------------------
def run_engine(X, Y, Xt, yt, batch, threads, device="cpu"):
    net = build_network([784, 30, 10], "quadratic", dtype="float32", seed=0, device=device)
    net.compile(ETA)
    with threadpool_limits(threads):
        WATCH.start()
        net.model.fit(X, Y, epochs=1, batch_size=batch, shuffle=True, verbose=0)
        seconds = WATCH.stop()
    return seconds, float(np.mean(net.model.predict(Xt).argmax(1) == yt))


def run_facade(training_data, test_data, batch, threads, chapter=1, seed=0, dtype="float32"):
    """The Nielsen facade's SGD. ``threads=None``: the facade's own choice (1 thread for
    these sizes, see nnscratch/nielsen/_threads.py); otherwise a limit set around it."""
    np.random.seed(seed)  # noqa: NPY002  (the facade draws from the book's global generator)
    random.seed(seed)
    if chapter == 1:
        net = network.Network([784, 30, 10], dtype=dtype, print_fn=None)
        args = (ETA,)
        kwargs = {}
    else:
        net = network2.Network([784, 30, 10], dtype=dtype, print_fn=None)
        args, kwargs = (CH3_ETA,), {"lmbda": CH3_LMBDA}
    limit = threadpool_limits(threads) if threads is not None else contextlib.nullcontext()
    with limit:
        WATCH.start()
        net.SGD(training_data, 1, batch, *args, **kwargs)
        seconds = WATCH.stop()
    return seconds, net.evaluate(test_data) / len(test_data)


def run_book(training_data, test_data, batch, threads, chapter=1, seed=0):
    """network.py (chapter 1) or network2.py (chapter 3, cross-entropy, lmbda), as in the
    book: one example at a time inside each mini-batch, float64, ``np.random.seed(seed)``
    draws and ``random.seed(seed)`` shuffles. ``threads=None``: the BLAS default."""
    rs = np.random.RandomState(seed)
    sizes = [784, 30, 10]
    biases = [rs.randn(y, 1) for y in sizes[1:]]
    scale = (lambda x: 1.0) if chapter == 1 else np.sqrt
    weights = [rs.randn(y, x) / scale(x) for x, y in itertools.pairwise(sizes)]
    eta, lmbda = (ETA, 0.0) if chapter == 1 else (CH3_ETA, CH3_LMBDA)

    def backprop(x, y):
        nabla_b = [None] * 2
        nabla_w = [None] * 2
        activation, activations, zs = x, [x], []
        for b, w in zip(biases, weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = activations[-1] - y
        if chapter == 1:  # QuadraticCost.delta; CrossEntropyCost.delta is a - y
            delta = delta * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        sp = sigmoid(zs[-2]) * (1 - sigmoid(zs[-2]))
        delta = np.dot(weights[-1].transpose(), delta) * sp
        nabla_b[-2] = delta
        nabla_w[-2] = np.dot(delta, activations[-3].transpose())
        return nabla_b, nabla_w

    data = list(training_data)
    n = len(data)
    limit = threadpool_limits(threads) if threads is not None else contextlib.nullcontext()
    with limit:
        WATCH.start()
        random.Random(seed).shuffle(data)
        for k in range(0, n, batch):
            mini_batch = data[k : k + batch]
            nabla_b = [np.zeros(b.shape) for b in biases]
            nabla_w = [np.zeros(w.shape) for w in weights]
            for x, y in mini_batch:
                dnb, dnw = backprop(x, y)
                nabla_b = [nb + d for nb, d in zip(nabla_b, dnb)]
                nabla_w = [nw + d for nw, d in zip(nabla_w, dnw)]
            step = eta / len(mini_batch)
            decay = 1 - eta * (lmbda / n)
            weights[:] = [decay * w - step * nw for w, nw in zip(weights, nabla_w)]
            biases[:] = [b - step * nb for b, nb in zip(biases, nabla_b)]
        seconds = WATCH.stop()
        correct = 0
        for x, y in test_data:
            a = x
            for b, w in zip(biases, weights):
                a = sigmoid(np.dot(w, a) + b)
            correct += int(np.argmax(a) == y)
    return seconds, correct / len(test_data)


def spread(training_data, test_data, seeds=(0, 1, 2)):
    """Epoch 0's count of correct test images for each seed: nnscratch's network.py
    (float64, as the README's session) against the book's own code at 1 BLAS thread and
    at the library's default threads. The book's code differs from itself across thread
    counts (and BLAS builds) by rounding alone; the facade differs from it the same way."""
    rows = []
    for seed in seeds:
        _, ours = run_facade(training_data, test_data, 10, None, 1, seed, "float64")
        _, book1 = run_book(training_data, test_data, 10, 1, 1, seed)
        _, book_default = run_book(training_data, test_data, 10, None, 1, seed)
        n = len(test_data)
        rows.append((seed, round(ours * n), round(book1 * n), round(book_default * n)))
    return rows


def run_torch(X, Y, Xt, yt, batch, threads, device="cpu"):
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads or previous)
    try:
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 30),
            torch.nn.Sigmoid(),
            torch.nn.Linear(30, 10),
            torch.nn.Sigmoid(),
        ).to(device)
        # the same initial weights as nnscratch's run (Linear.weight is the book's (y, x) w)
        start_net = build_network([784, 30, 10], "quadratic", dtype="float32", seed=0)
        with torch.no_grad():
            for linear, w, b in zip(model[::2], start_net.weights, start_net.biases):
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
                linear.bias.copy_(torch.from_numpy(b.ravel().copy()))
        opt = torch.optim.SGD(model.parameters(), lr=ETA)
        Xs, Ys = torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device)
        WATCH.start()
        order = torch.randperm(len(Xs), device=device)
        Xs, Ys = Xs[order], Ys[order]
        for s in range(0, len(Xs), batch):
            xb, yb = Xs[s : s + batch], Ys[s : s + batch]
            opt.zero_grad()
            # the book's cost: mean over the batch of 1/2 ||a - y||^2
            loss = 0.5 * ((model(xb) - yb) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()
        if device != "cpu":  # the GPU's queued work, before the clock stops
            gpu_column.synchronize_torch()
        seconds = WATCH.stop()
        with torch.no_grad():
            pred = model(torch.from_numpy(Xt).to(device)).argmax(1).cpu().numpy()
    finally:
        torch.set_num_threads(previous)
    return seconds, float(np.mean(pred == yt))


def run_sklearn(X, y, Xt, yt, batch, threads):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(30,),
        activation="logistic",
        solver="sgd",
        batch_size=batch,
        learning_rate_init=0.5,
        momentum=0.0,
        alpha=0.0,
        max_iter=1,
        random_state=0,
    )
    with threadpool_limits(threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        WATCH.start()
        clf.fit(X, y)
        seconds = WATCH.stop()
    return seconds, float(clf.score(Xt, yt))


# -- memory of the full run -----------------------------------------------------------------
# The child runs the command line and then reports its own peak resident memory. Linux's
# VmHWM belongs to the process's address space, which exec replaces; getrusage's ru_maxrss
# would also count what the child inherited from this (large) benchmark process at fork.
_MEASURED_RUN = """
import resource, sys
from nnscratch.cli import main
code = main(sys.argv[1:])
peak_kib = None
try:
    with open("/proc/self/status") as f:
        peak_kib = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"peak_kib={peak_kib}", file=sys.stderr)
sys.exit(code)
"""


def peak_memory_of_full_run(data_path: str, epochs: int) -> tuple[float, float, dict]:
    """Run ``nnscratch mnist`` in a child process; return (peak MiB, seconds, result)."""
    cmd = [
        sys.executable, "-c", _MEASURED_RUN, "mnist", "--data", data_path,
        "--epochs", str(epochs), "--seed", "0", "--json",
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"nnscratch mnist failed: {proc.stderr.strip()[-500:]}")
    peak_kib = int(proc.stderr.strip().splitlines()[-1].split("=")[1])
    return peak_kib / 1024, seconds, json.loads(proc.stdout)


# -- the run --------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST file (default: NNSCRATCH_DATA, then load_mnist's)")
    parser.add_argument(
        "--no-spread", action="store_true", help="skip epoch 0 over seeds 0-2 (about a minute)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timings per contestant (best)")
    parser.add_argument("--memory-epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="skip the 30-epoch memory run")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu", help="gpu: a GPU column")
    args = parser.parse_args()

    data_path = args.data or os.environ.get("NNSCRATCH_DATA")
    mnist = load_mnist(data_path)
    X, y = mnist.train
    Xt, yt = mnist.test
    Y = one_hot(y, 10, np.float32)
    eye = np.eye(10)  # the book's vectorized_result: float64 columns
    training_data = [(x.reshape(784, 1), eye[:, [int(t)]]) for x, t in zip(X, y)]
    test_data = [(x.reshape(784, 1), int(t)) for x, t in zip(Xt, yt)]

    try:
        import torch

        have_torch = True
        torch_version = torch.__version__
    except ImportError:
        have_torch = False
        torch_version = None
        print("PyTorch is not installed: skipping it (pip install 'nnscratch[compare]')")

    blas = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"BLAS: {blas}; CPUs: {os.cpu_count()}; load average: {load}; torch: {torch_version}")
    print(f"one epoch of [784, 30, 10], quadratic cost, eta {ETA}, 50,000 images, float32\n")

    # (name, function, run in every round?) -- the slow or informative ones run once
    contestants: list[tuple[str, Callable[[], tuple[float, float]], bool]] = []
    for batch in (10, 128):
        for threads in (1, None):
            tag = "1 thread" if threads == 1 else "default threads"
            every = threads == 1
            contestants.append(
                (
                    f"nnscratch engine, b{batch}, {tag}",
                    lambda b=batch, t=threads: run_engine(X, Y, Xt, yt, b, t),
                    every,
                )
            )
            if have_torch:
                contestants.append(
                    (
                        f"PyTorch, b{batch}, {tag}",
                        lambda b=batch, t=threads: run_torch(X, Y, Xt, yt, b, t),
                        every,
                    )
                )
        if batch == 10:
            for chapter, name in ((1, "network.py"), (3, "network2.py lmbda 5")):
                contestants.append(
                    (
                        f"Nielsen facade {name}, b10, float64, its threads",
                        lambda c=chapter: run_facade(
                            training_data, test_data, 10, None, c, 0, "float64"
                        ),
                        True,
                    )
                )
                for threads in (1, None):
                    tag = "1 thread" if threads == 1 else "default threads"
                    contestants.append(
                        (
                            f"book per-example {name}, b10, {tag}",
                            lambda c=chapter, t=threads: run_book(
                                training_data, test_data, 10, t, c
                            ),
                            threads == 1,
                        )
                    )
        contestants.append(
            (
                f"scikit-learn MLPClassifier, b{batch}",
                lambda b=batch: run_sklearn(X, y, Xt, yt, b, 1),
                False,
            )
        )

    # Rounds: every contestant once per round, so a busy spell hurts all alike.
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    accuracy: dict[str, float] = {}
    for r in range(args.repeat):
        print(f"round {r + 1}/{args.repeat} ...", flush=True)
        for name, fn, every in contestants:
            if r == 0 or every:
                seconds, acc = fn()
                timings.setdefault(name, []).append(seconds)
                cpu.setdefault(name, []).append(WATCH.cpu)
                accuracy[name] = acc
    results = {
        name: {"seconds": min(t), "all": t, "cpu": min(cpu[name]), "accuracy": accuracy[name]}
        for name, t in timings.items()
    }
    print()
    for name, r in results.items():
        runs = len(r["all"])
        print(
            f"  {name:<58} {r['seconds']:8.3f} s (CPU {r['cpu']:7.3f} s, best of {runs})  "
            f"test accuracy after the epoch {100 * r['accuracy']:5.2f}%"
        )
    print()

    def best(prefix):
        times = [r["seconds"] for k, r in results.items() if k.startswith(prefix)]
        return min(times) if times else None

    ours10, ours128 = best("nnscratch engine, b10"), best("nnscratch engine, b128")
    print("ratios (how many times faster nnscratch's engine is, each at its best threads):")
    checks = []
    book = best("book per-example network.py")
    checks.append(("b10 vs the book's per-example loop", book / ours10, 6.0))
    if have_torch:
        checks.append(("b10 vs PyTorch", best("PyTorch, b10") / ours10, 6.0))
        checks.append(("b128 vs PyTorch", best("PyTorch, b128") / ours128, 1.0))
    checks.append(("b10 vs scikit-learn", best("scikit-learn MLPClassifier, b10") / ours10, None))
    checks.append(
        ("b128 vs scikit-learn", best("scikit-learn MLPClassifier, b128") / ours128, None)
    )

    def best_cpu(prefix):
        return min(r["cpu"] for k, r in results.items() if k.startswith(prefix))

    for name in ("network.py", "network2.py lmbda 5"):
        facade = best(f"Nielsen facade {name}")
        theirs = best(f"book per-example {name}")
        checks.append((f"Nielsen facade {name} vs the book's code", theirs / facade, 5.0))
        cpu_ratio = best_cpu(f"book per-example {name}") / best_cpu(f"Nielsen facade {name}")
        checks.append(("  the same in CPU time", cpu_ratio, None))
    for name, ratio, target in checks:
        verdict = "" if target is None else ("  ok" if ratio >= target else f"  BELOW {target}x")
        goal = "" if target is None else f" (target >= {target:g}x)"
        print(f"  {name:<44} {ratio:6.2f}x{goal}{verdict}")
    ratios = {name: ratio for name, ratio, _ in checks}

    rows = None
    if not args.no_spread:
        print("\nepoch 0 of network.py, correct test images out of 10,000, by seed:")
        print("  seed  nnscratch  book (1 thread)  book (default threads)")
        rows = spread(training_data, test_data)
        for seed, ours, book1, book_default in rows:
            print(f"  {seed:>4}  {ours:>9}  {book1:>15}  {book_default:>22}")
        print(
            f"the README's line (np.random.seed(0), random.seed(0)): Epoch 0: {rows[0][1]} / 10000"
        )

    memory = None
    if not args.quick:
        print(f"\npeak memory of `nnscratch mnist --epochs {args.memory_epochs}` (child process):")
        peak, seconds, run = peak_memory_of_full_run(data_path, args.memory_epochs)
        verdict = "ok" if peak < 1024 else "ABOVE 1 GiB"
        print(
            f"  {peak:.0f} MiB (target < 1024 MiB: {verdict}); {seconds:.0f} s; "
            f"best test accuracy {100 * run['best_test_accuracy']:.2f}%"
        )
        memory = {
            "peak_mib": peak,
            "seconds": seconds,
            "best_test_accuracy": run["best_test_accuracy"],
        }

    if args.device == "gpu":  # nnscratch on CuPy against PyTorch on CUDA, or why not
        ours = lambda b: run_engine(X, Y, Xt, yt, b, None, "gpu")  # noqa: E731
        theirs = lambda b: run_torch(X, Y, Xt, yt, b, None, "cuda")  # noqa: E731
        results["gpu"] = gpu_column.section("784-30-10 sigmoid", ours, theirs, (10, 100))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "results": results,
                    "ratios": ratios,
                    "memory": memory,
                    "blas": blas,
                    "spread": rows,
                    "load": os.getloadavg(),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
