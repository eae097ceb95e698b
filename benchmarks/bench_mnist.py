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
  and the Nielsen facade ``Network.SGD`` (which also turns the book's list of column
  vectors into matrices each call);
* the book's per-example algorithm (network.py's ``update_mini_batch`` / ``backprop``,
  written out below, in the book's float64 weights);
* PyTorch on the CPU, same model, batch size and learning rate (optional: skipped when
  torch is not installed: ``pip install 'nnscratch[compare]'``);
* scikit-learn's ``MLPClassifier`` (logistic hidden layer, one epoch of SGD) for
  reference: its output layer is softmax with cross-entropy, so not the same arithmetic.

Targets: batch 10 at least 6x faster than the per-example loop and than PyTorch; batch
128 faster than PyTorch; peak memory of the 30-epoch ``nnscratch mnist`` run under 1 GiB.

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

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from nnscratch.data.mnist import load_mnist
from nnscratch.engine.losses import one_hot
from nnscratch.lab.mnist import build_network
from nnscratch.nielsen import Network

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "mnist.pkl.gz"
ETA = 3.0


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- contestants: each returns (seconds, test accuracy) --------------------------------------
def run_engine(X, Y, Xt, yt, batch, threads):
    net = build_network([784, 30, 10], "quadratic", dtype="float32", seed=0)
    net.compile(ETA)
    with threadpool_limits(threads):
        start = time.perf_counter()
        net.model.fit(X, Y, epochs=1, batch_size=batch, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
    return seconds, float(np.mean(net.model.predict(Xt).argmax(1) == yt))


def run_facade(training_data, test_data, batch, threads):
    np.random.seed(0)  # noqa: NPY002  (the facade draws from the book's global generator)
    random.seed(0)
    net = Network([784, 30, 10], dtype="float32", print_fn=None)
    with threadpool_limits(threads):
        start = time.perf_counter()
        net.SGD(training_data, 1, batch, ETA)
        seconds = time.perf_counter() - start
    return seconds, net.evaluate(test_data) / len(test_data)


def run_book(training_data, test_data, batch, threads):
    """network.py, as in the book: one example at a time inside each mini-batch."""
    rs = np.random.RandomState(0)
    sizes = [784, 30, 10]
    biases = [rs.randn(y, 1) for y in sizes[1:]]
    weights = [rs.randn(y, x) for x, y in itertools.pairwise(sizes)]

    def backprop(x, y):
        nabla_b = [None] * 2
        nabla_w = [None] * 2
        activation, activations, zs = x, [x], []
        for b, w in zip(biases, weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        sp = sigmoid(zs[-2]) * (1 - sigmoid(zs[-2]))
        delta = np.dot(weights[-1].transpose(), delta) * sp
        nabla_b[-2] = delta
        nabla_w[-2] = np.dot(delta, activations[-3].transpose())
        return nabla_b, nabla_w

    data = list(training_data)
    with threadpool_limits(threads):
        start = time.perf_counter()
        random.Random(0).shuffle(data)
        for k in range(0, len(data), batch):
            mini_batch = data[k : k + batch]
            nabla_b = [np.zeros(b.shape) for b in biases]
            nabla_w = [np.zeros(w.shape) for w in weights]
            for x, y in mini_batch:
                dnb, dnw = backprop(x, y)
                nabla_b = [nb + d for nb, d in zip(nabla_b, dnb)]
                nabla_w = [nw + d for nw, d in zip(nabla_w, dnw)]
            scale = ETA / len(mini_batch)
            weights[:] = [w - scale * nw for w, nw in zip(weights, nabla_w)]
            biases[:] = [b - scale * nb for b, nb in zip(biases, nabla_b)]
        seconds = time.perf_counter() - start
    correct = 0
    for x, y in test_data:
        a = x
        for b, w in zip(biases, weights):
            a = sigmoid(np.dot(w, a) + b)
        correct += int(np.argmax(a) == y)
    return seconds, correct / len(test_data)


def run_torch(X, Y, Xt, yt, batch, threads):
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
        )
        # the same initial weights as nnscratch's run (Linear.weight is the book's (y, x) w)
        start_net = build_network([784, 30, 10], "quadratic", dtype="float32", seed=0)
        with torch.no_grad():
            for linear, w, b in zip(model[::2], start_net.weights, start_net.biases):
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
                linear.bias.copy_(torch.from_numpy(b.ravel().copy()))
        opt = torch.optim.SGD(model.parameters(), lr=ETA)
        Xs, Ys = torch.from_numpy(X), torch.from_numpy(Y)
        start = time.perf_counter()
        order = torch.randperm(len(Xs))
        Xs, Ys = Xs[order], Ys[order]
        for s in range(0, len(Xs), batch):
            xb, yb = Xs[s : s + batch], Ys[s : s + batch]
            opt.zero_grad()
            # the book's cost: mean over the batch of 1/2 ||a - y||^2
            loss = 0.5 * ((model(xb) - yb) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            pred = model(torch.from_numpy(Xt)).argmax(1).numpy()
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
        start = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - start
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
    parser.add_argument("--data", help="MNIST file (default: NNSCRATCH_DATA or ../shared/data)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per contestant (best)")
    parser.add_argument("--memory-epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="skip the 30-epoch memory run")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()

    data_path = args.data or os.environ.get("NNSCRATCH_DATA") or str(SHARED)
    mnist = load_mnist(data_path)
    X, y = mnist.train
    Xt, yt = mnist.test
    Y = one_hot(y, 10, np.float32)
    training_data = [(x.reshape(784, 1), Y[i].reshape(10, 1)) for i, x in enumerate(X)]
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
    print(f"BLAS: {blas}; CPUs: {os.cpu_count()}; torch: {torch_version}")
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
            contestants.append(
                (
                    "nnscratch Nielsen facade, b10, 1 thread",
                    lambda: run_facade(training_data, test_data, 10, 1),
                    True,
                )
            )
            contestants.append(
                (
                    "book per-example (network.py), b10",
                    lambda: run_book(training_data, test_data, 10, 1),
                    True,
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
    accuracy: dict[str, float] = {}
    for r in range(args.repeat):
        print(f"round {r + 1}/{args.repeat} ...", flush=True)
        for name, fn, every in contestants:
            if r == 0 or every:
                seconds, acc = fn()
                timings.setdefault(name, []).append(seconds)
                accuracy[name] = acc
    results = {
        name: {"seconds": min(t), "all": t, "accuracy": accuracy[name]}
        for name, t in timings.items()
    }
    print()
    for name, r in results.items():
        runs = len(r["all"])
        print(
            f"  {name:<42} {r['seconds']:8.3f} s  (best of {runs})  "
            f"test accuracy after the epoch {100 * r['accuracy']:5.2f}%"
        )
    print()

    def best(prefix):
        times = [r["seconds"] for k, r in results.items() if k.startswith(prefix)]
        return min(times) if times else None

    ours10, ours128 = best("nnscratch engine, b10"), best("nnscratch engine, b128")
    print("ratios (how many times faster nnscratch's engine is, each at its best threads):")
    checks = []
    book = best("book per-example")
    checks.append(("b10 vs the book's per-example loop", book / ours10, 6.0))
    if have_torch:
        checks.append(("b10 vs PyTorch", best("PyTorch, b10") / ours10, 6.0))
        checks.append(("b128 vs PyTorch", best("PyTorch, b128") / ours128, 1.0))
    checks.append(("b10 vs scikit-learn", best("scikit-learn MLPClassifier, b10") / ours10, None))
    checks.append(
        ("b128 vs scikit-learn", best("scikit-learn MLPClassifier, b128") / ours128, None)
    )
    facade = best("nnscratch Nielsen facade")
    checks.append(("b10 Nielsen facade vs the per-example loop", book / facade, None))
    for name, ratio, target in checks:
        verdict = "" if target is None else ("  ok" if ratio >= target else f"  BELOW {target}x")
        goal = "" if target is None else f" (target >= {target:g}x)"
        print(f"  {name:<44} {ratio:6.2f}x{goal}{verdict}")
    ratios = {name: ratio for name, ratio, _ in checks}

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

    if args.json:
        Path(args.json).write_text(
            json.dumps({"results": results, "ratios": ratios, "memory": memory, "blas": blas})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
