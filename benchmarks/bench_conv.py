"""One epoch of the book's convolutional network: nnscratch, PyTorch and Keras, in one run.

The network (Nielsen, chapter 6, with ReLU): conv 20x5x5 ReLU, max-pool 2, conv 40x5x5
ReLU, max-pool 2, Dense 100 ReLU, softmax 10, on 28x28 MNIST images, float32, the mean
cross-entropy of each mini-batch, plain SGD with learning rate 0.03, one epoch over the
50,000 training images at batch 10 and at batch 64. Every library starts from nnscratch's
initial weights (PyTorch's channels-first kernels and its flatten order are translated), so
the test accuracies after the epoch tell that everyone did the same arithmetic. Each library
shuffles with its own generator, so the accuracies agree closely only when the epoch has
left the steep start of training: after the 5,000 images of ``--quick`` at batch 64 (78
steps) they still depend on the order (PyTorch alone, with shuffle seeds 0-3, gave 23%,
11%, 51% and 50%); at batch 10 (500 steps) the three agreed within 0.1 point (92.6-92.7%).

Contestants
-----------
* nnscratch: ``nnscratch.Sequential.fit`` (the fast path, as users run it), and the
  plain path (``NNSCRATCH_PLAIN=1``'s code) once per batch size, for information;
* PyTorch on the CPU (``torch.nn``, ``F.cross_entropy``, ``optim.SGD``, the usual loop);
* Keras 3 on the PyTorch backend (``KERAS_BACKEND=torch``; ``pip install keras``),
  ``compile`` and ``fit`` with channels-last images, as Keras users write it.

Threads: each contestant runs once with 1 thread (threadpoolctl's ``threadpool_limits(1)``
for NumPy's BLAS, ``torch.set_num_threads(1)`` for PyTorch and Keras) and once with the
default threads (all cores). The target is about the one-core times: nnscratch at most
1.3x PyTorch's best CPU time per epoch, ideally at or below it.

The machine may be shared: the rounds interleave the contestants (one epoch of each per
round) and every time is the best of ``--repeat`` rounds; the load average is printed
before and after. The peak memory is that of a separate process running one nnscratch
epoch and the test-set evaluation (``VmHWM``: the largest resident set it ever had).
``--profile`` adds a cProfile of nnscratch's epoch and the time of its matrix products
alone, i.e. what im2col cannot avoid.

Run::

    NNSCRATCH_DATA=/path/to/data uv run python benchmarks/bench_conv.py            # 50,000 images
    NNSCRATCH_DATA=/path/to/data uv run python benchmarks/bench_conv.py --quick    # 5,000
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import gpu_column  # benchmarks/gpu_column.py: the --device gpu column
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import nnscratch
from nnscratch.data.mnist import load_mnist
from nnscratch.engine import backend
from nnscratch.engine.training import plain_path
from nnscratch.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nnscratch.optimizers import SGD

ETA = 0.03
BATCHES = (10, 64)


def book_net(seed: int = 0) -> nnscratch.Sequential:
    model = nnscratch.Sequential(
        [
            Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1)),
            MaxPooling2D(2),
            Conv2D(40, 5, activation="relu"),
            MaxPooling2D(2),
            Flatten(),
            Dense(100, activation="relu"),
            Dense(10, activation="softmax"),
        ],
        dtype="float32",
        seed=seed,
    )
    model.compile(SGD(ETA), "categorical_crossentropy")
    return model


# -- threads -------------------------------------------------------------------------------
@contextlib.contextmanager
def threads(count: int | None) -> Iterator[None]:
    """``count`` BLAS and PyTorch threads (``None``: the libraries' defaults)."""
    torch = sys.modules.get("torch")
    previous = torch.get_num_threads() if torch else None
    if torch and count:
        torch.set_num_threads(count)
    try:
        with threadpool_limits(count):
            yield
    finally:
        if torch:
            torch.set_num_threads(previous)


# -- contestants: each returns (seconds of the epoch, test accuracy after it) ----------------
def run_nnscratch(X, y, Xt, yt, batch, plain=False, device="cpu"):
    model = book_net()
    if device != "cpu":  # the same weights, moved to the GPU (CuPy)
        backend.move_model(model, device)
    context = plain_path() if plain else contextlib.nullcontext()
    with context:
        start = time.perf_counter()
        model.fit(X, y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
        seconds = time.perf_counter() - start
    return seconds, float(np.mean(model.predict(Xt, batch_size=1000).argmax(1) == yt))


def torch_weights(weights):
    """nnscratch's [K1, b1, K2, b2, W3, b3, W4, b4] in PyTorch's layouts."""
    k1, b1, k2, b2, w3, b3, w4, b4 = weights
    # PyTorch flattens (40, 4, 4) channels-first: reorder the rows of the first Dense kernel
    w3 = w3.reshape(4, 4, 40, 100).transpose(2, 0, 1, 3).reshape(640, 100)
    conv = [k.transpose(3, 2, 0, 1) for k in (k1, k2)]
    return [conv[0], b1, conv[1], b2, w3.T, b3, w4.T, b4]


def run_torch(X, y, Xt, yt, batch, device="cpu"):
    import torch

    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 40, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(640, 100), nn.ReLU(), nn.Linear(100, 10),
    ).to(device)  # fmt: skip
    with torch.no_grad():
        for p, w in zip(model.parameters(), torch_weights(book_net().get_weights())):
            p.copy_(torch.from_numpy(np.ascontiguousarray(w)))
    opt = torch.optim.SGD(model.parameters(), lr=ETA)
    Xs = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2))).to(device)
    ys = torch.from_numpy(y.astype(np.int64)).to(device)
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    order = torch.randperm(len(Xs), generator=generator).to(device)
    for s in range(0, len(Xs), batch):
        idx = order[s : s + batch]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(Xs[idx]), ys[idx])
        loss.backward()
        opt.step()
    if device != "cpu":  # the GPU's queued work, before the clock stops
        gpu_column.synchronize_torch()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred = model(torch.from_numpy(np.ascontiguousarray(Xt.transpose(0, 3, 1, 2))).to(device))
    return seconds, float(np.mean(pred.argmax(1).cpu().numpy() == yt))


def run_keras(X, y, Xt, yt, batch):
    keras = sys.modules["keras"]
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(20, 5, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(40, 5, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.set_weights(book_net().get_weights())
    model.compile(optimizer=keras.optimizers.SGD(ETA), loss="sparse_categorical_crossentropy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y, batch_size=batch, epochs=1, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        pred = np.asarray(model.predict(Xt, batch_size=1000, verbose=0))
    return seconds, float(np.mean(pred.argmax(1) == yt))


# -- where the time goes --------------------------------------------------------------------
def products_alone(batch: int, repeat: int = 30) -> float:
    """Seconds per training step of the matrix products alone, one thread: conv 1's
    forward and kernel gradient (its input gradient is not needed), conv 2's three, and the
    Dense layers' products. The floor of any im2col implementation."""
    rng = np.random.default_rng(0)

    def m(r, k):
        return rng.random((r, k), dtype=np.float32)

    shapes = [  # (a, b) such that a @ b is one product of the step
        (m(batch * 576, 25), m(25, 20)),  # conv 1: cols K
        (m(batch * 576, 25).T, m(batch * 576, 20)),  # conv 1: cols^T dz
        (m(batch * 64, 500), m(500, 40)),  # conv 2: cols K
        (m(batch * 64, 500).T, m(batch * 64, 40)),  # conv 2: cols^T dz
        (m(batch * 64, 40), m(500, 40).T),  # conv 2: dz K^T
        (m(batch, 640), m(640, 100)), (m(batch, 640).T, m(batch, 100)),
        (m(batch, 100), m(640, 100).T), (m(batch, 100), m(100, 10)),
        (m(batch, 100).T, m(batch, 10)), (m(batch, 10), m(100, 10).T),
    ]  # fmt: skip
    best = float("inf")
    with threadpool_limits(1):
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeat):
                for a, b in shapes:
                    a @ b
            best = min(best, (time.perf_counter() - start) / repeat)
    return best


def profile(X, y, batch: int, top: int = 14) -> str:
    model = book_net()
    with threadpool_limits(1):
        model.fit(X[:500], y[:500], batch_size=batch, verbose=0)  # buffers, caches
        prof = cProfile.Profile()
        prof.enable()
        model.fit(X, y, batch_size=batch, verbose=0)
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start - 1 :])


# -- peak memory of one epoch, in its own process ----------------------------------------------
_MEMORY_RUN = """
import sys, numpy as np
from threadpoolctl import threadpool_limits
sys.path.insert(0, {here!r})
from bench_conv import book_net, images
X, y, Xt, yt = images({n})
model = book_net()
with threadpool_limits(1):
    model.fit(X, y, batch_size={batch}, epochs=1, verbose=0)
    accuracy = float(np.mean(model.predict(Xt).argmax(1) == yt))
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(peak, accuracy)
"""


def peak_memory(n: int, batch: int) -> tuple[float, float]:
    """(peak resident MiB, test accuracy) of a child that trains one epoch and predicts
    the test set in one call (the convolutions bound their patch matrices)."""
    code = _MEMORY_RUN.format(here=str(Path(__file__).parent), n=n, batch=batch)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the memory run failed: {proc.stderr.strip()[-800:]}")
    peak_kib, accuracy = proc.stdout.split()
    return int(peak_kib) / 1024, float(accuracy)


def images(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first ``n`` training images and the 10,000 test images, ``(n, 28, 28, 1)``."""
    data = load_mnist(download=False, progress=False)
    (X, y), _, (Xt, yt) = data
    X = np.ascontiguousarray(X[:n].reshape(-1, 28, 28, 1), dtype=np.float32)
    Xt = np.ascontiguousarray(Xt.reshape(-1, 28, 28, 1), dtype=np.float32)
    return X, np.asarray(y[:n]), Xt, np.asarray(yt)


# -- the run -----------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 images, 2 rounds")
    parser.add_argument("--images", type=int, help="training images (default 50,000)")
    parser.add_argument("--repeat", type=int, help="rounds; each time is the best (default 3)")
    parser.add_argument("--profile", action="store_true", help="profile nnscratch's epoch")
    parser.add_argument("--no-keras", action="store_true", help="leave Keras out")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu", help="gpu: a GPU column")
    args = parser.parse_args()
    n = args.images or (5000 if args.quick else 50000)
    repeat = args.repeat or (2 if args.quick else 3)

    try:
        X, y, Xt, yt = images(n)
    except FileNotFoundError as exc:
        print(f"bench_conv: {exc}; set NNSCRATCH_DATA to the folder of mnist.pkl.gz")
        return 2
    load_before = os.getloadavg()
    versions = {"nnscratch": nnscratch.__version__, "numpy": np.__version__}
    try:
        import torch

        versions["torch"] = torch.__version__
    except ImportError:
        print("PyTorch is not installed: pip install 'nnscratch[compare]'")
    if "torch" in versions and not args.no_keras:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import keras

            versions["keras"] = f"{keras.__version__} ({keras.backend.backend()})"
        except ImportError:
            print("Keras is not installed: pip install keras")
    cores = os.cpu_count() or 1
    blas = [(p["internal_api"], p.get("version"), p["num_threads"]) for p in threadpool_info()]
    default_threads = sys.modules["torch"].get_num_threads() if "torch" in versions else cores
    print(f"versions: {versions}")
    print(f"BLAS: {blas}; CPUs: {cores}; PyTorch default threads: {default_threads}")
    print(f"load average before: {', '.join(f'{v:.2f}' for v in load_before)}")
    print(
        f"one epoch of conv20x5x5-pool-conv40x5x5-pool-dense100-softmax10 (ReLU), float32, "
        f"SGD {ETA}, {n:,} images; best of {repeat} interleaved rounds\n"
    )

    # (name, batch, threads, run, in every round?): Keras with all threads and the plain
    # path run in the first round only (for information; they are not the targets)
    Run = Callable[[], tuple[float, float]]
    contestants: list[tuple[str, int, int | None, Run, bool]] = []
    for batch in BATCHES:
        ours: Run = lambda b=batch: run_nnscratch(X, y, Xt, yt, b)  # noqa: E731
        plain: Run = lambda b=batch: run_nnscratch(X, y, Xt, yt, b, plain=True)  # noqa: E731
        pytorch: Run = lambda b=batch: run_torch(X, y, Xt, yt, b)  # noqa: E731
        keras_run: Run = lambda b=batch: run_keras(X, y, Xt, yt, b)  # noqa: E731
        for count in (1, None):
            contestants.append(("nnscratch", batch, count, ours, True))
            if "torch" in versions:
                contestants.append(("PyTorch", batch, count, pytorch, True))
            if "keras" in versions:
                contestants.append(("Keras 3", batch, count, keras_run, count == 1))
        contestants.append(("nnscratch plain path", batch, 1, plain, False))

    timings: dict[tuple[str, int, int | None], list[float]] = {}
    accuracy: dict[tuple[str, int, int | None], float] = {}
    for r in range(repeat):
        print(f"round {r + 1}/{repeat} ...", flush=True)
        for name, batch, count, fn, every in contestants:
            if r == 0 or every:
                with threads(count):
                    seconds, acc = fn()
                timings.setdefault((name, batch, count), []).append(seconds)
                accuracy[(name, batch, count)] = acc
    load_after = os.getloadavg()

    rows = []
    print(f"\n{'contestant':<22} {'batch':>5} {'threads':>7} {'s/epoch':>8} {'ms/step':>8} "
          f"{'runs':>4} {'test acc':>8}")  # fmt: skip
    for key, times in timings.items():
        name, batch, count = key
        best = min(times)
        steps = -(-n // batch)
        rows.append(
            {
                "contestant": name,
                "batch": batch,
                "threads": count or default_threads,
                "seconds": best,
                "ms_per_step": 1000 * best / steps,
                "all": times,
                "test_accuracy": accuracy[key],
            }
        )
        print(
            f"{name:<22} {batch:>5} {count or default_threads:>7} {best:8.2f} "
            f"{1000 * best / steps:8.3f} {len(times):>4} {100 * accuracy[key]:7.2f}%"
        )

    def best(name, batch, count=None):
        """The best time of ``name`` at ``batch``, with ``count`` threads or any."""
        times = [
            r["seconds"]
            for r in rows
            if (r["contestant"], r["batch"]) == (name, batch) and count in (None, r["threads"])
        ]
        return min(times) if times else None

    print("\nratios (nnscratch's time / the other's; below 1 means nnscratch is faster):")
    ratios = {}
    for batch in BATCHES:
        ours1 = best("nnscratch", batch, 1)
        for other in ("PyTorch", "Keras 3"):
            theirs1, theirs = best(other, batch, 1), best(other, batch)
            if theirs1 is None:
                continue
            ratios[f"{other} b{batch} 1 thread"] = ours1 / theirs1
            ratios[f"{other} b{batch} best"] = best("nnscratch", batch) / theirs
            target = "  (target <= 1.3, goal <= 1.0)" if other == "PyTorch" else ""
            print(
                f"  batch {batch:>2} vs {other:<8} one thread {ours1 / theirs1:5.2f}x{target}; "
                f"each at its best threads {best('nnscratch', batch) / theirs:5.2f}x"
            )
    print(
        f"\nload average after: {', '.join(f'{v:.2f}' for v in load_after)} "
        f"(before: {', '.join(f'{v:.2f}' for v in load_before)})"
    )

    memory = {}
    print("\npeak memory of one nnscratch epoch and the test-set prediction (own process):")
    for batch in BATCHES:
        peak, acc = peak_memory(n, batch)
        memory[batch] = peak
        verdict = "ok" if peak < 1536 else "ABOVE 1.5 GB"
        print(f"  batch {batch:>2}: {peak:.0f} MiB (target < 1536 MiB: {verdict})")

    floors = {}
    print("\nthe matrix products alone (one thread), against nnscratch's one-thread step:")
    for batch in BATCHES:
        floor = products_alone(batch)
        step = best("nnscratch", batch, 1) / -(-n // batch)
        floors[batch] = floor
        print(
            f"  batch {batch:>2}: products {1000 * floor:.3f} ms of {1000 * step:.3f} ms per "
            f"step ({100 * floor / step:.0f}%)"
        )
    if args.profile:
        for batch in BATCHES:
            print(f"\ncProfile of nnscratch's epoch, batch {batch}, one thread (by own time):")
            print(profile(X, y, batch))

    gpu_rows = []
    if args.device == "gpu":  # nnscratch on CuPy against PyTorch on CUDA, or why not
        ours = lambda b: run_nnscratch(X, y, Xt, yt, b, device="gpu")  # noqa: E731
        theirs = lambda b: run_torch(X, y, Xt, yt, b, device="cuda")  # noqa: E731
        gpu_rows = gpu_column.section("the book's step-3 network", ours, theirs, BATCHES)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "images": n,
                    "versions": versions,
                    "blas": blas,
                    "load": {"before": load_before, "after": load_after},
                    "results": rows,
                    "ratios": ratios,
                    "peak_mib": memory,
                    "products_seconds_per_step": floors,
                    "gpu": gpu_rows,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
