"""Chapter 1 and 3 of Nielsen's book as experiments: train on MNIST, measure, explain.

:func:`build_network` and :func:`train` are what ``nnscratch mnist`` runs. Training goes
through the engine's ``fit`` on whole mini-batches (the engine shuffles with the
network's own seeded generator); after every epoch :class:`EpochMonitor` measures the
accuracy and cost on the training and test images, as network2's ``monitor_*`` options
do. :func:`load_digit_image` turns a photo or drawing of a digit into an MNIST-like
28x28 input for ``nnscratch predict``.

Nothing here prints: results come back as data, progress goes through callbacks.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..engine import backend, checks
from ..engine.callbacks import Callback
from ..engine.labels import one_hot
from ..engine.model import TrainingDiverged
from ..nielsen import CrossEntropyCost, Network
from .memory import check_fits

__all__ = [
    "COST_NAMES",
    "MAX_IMAGE_PIXELS",
    "EpochMonitor",
    "MnistHistory",
    "build_network",
    "check_memory",
    "confusion_matrix",
    "load_digit_image",
    "misclassified",
    "predict_digits",
    "prepare_digit",
    "train",
]

#: ``--cost`` names and the book's chapters they come from
COST_NAMES = ("quadratic", "cross-entropy")

#: the largest image :func:`load_digit_image` decodes (a 48-megapixel photo fits)
MAX_IMAGE_PIXELS = 64_000_000
#: the largest image file it reads
MAX_IMAGE_BYTES = 64 * 2**20


@dataclass
class MnistHistory:
    """What happened in a training run, one entry per finished epoch.

    Costs are per example and include the L2 penalty; accuracies are fractions.
    ``train_cost`` is the mean over the epoch's mini-batches (each measured just before
    its step); the others are measured after the epoch.
    """

    train_cost: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_cost: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    interrupted: bool = False
    diverged: str | None = None

    @property
    def epochs(self) -> int:
        return len(self.test_accuracy)

    @property
    def best_epoch(self) -> int | None:
        if not self.test_accuracy:
            return None
        return int(np.argmax(self.test_accuracy))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_network(
    sizes: Sequence[int] = (784, 30, 10),
    cost: str = "quadratic",
    *,
    dtype: str = "float32",
    seed: int | None = None,
    device: str = "cpu",
) -> Network:
    """The book's network for ``cost``: chapter 1's or chapter 3's.

    ``device="gpu"`` moves the engine model (``net.model``) to CuPy once its weights are
    drawn (:func:`nnscratch.engine.backend.move_model`): the same weights, trained on the GPU.

    ``"quadratic"`` is ``network.py`` (weights N(0, 1)); ``"cross-entropy"`` is
    ``network2.py`` with ``CrossEntropyCost`` (weights N(0, 1/n_in)). ``seed`` seeds a
    private ``RandomState`` that draws the weights, then shuffles the examples: the
    same seed gives the same run, and ``seed=s`` draws the weights that
    ``np.random.seed(s)`` draws in the book.

    Examples
    --------
    >>> net = build_network([784, 30, 10], "quadratic", seed=0)
    >>> net.sizes, net.cost.__name__
    ([784, 30, 10], 'QuadraticCost')
    """
    if cost not in COST_NAMES:
        raise ValueError(f"unknown cost {cost!r}; valid: {', '.join(COST_NAMES)}")
    if seed is not None:
        checks.integer("seed", seed, low=0, high=2**32 - 1)
    rs = np.random.RandomState(seed)
    chapter3 = CrossEntropyCost if cost == "cross-entropy" else None
    net = Network(list(sizes), cost=chapter3, dtype=dtype, random_state=rs, print_fn=None)
    if device != "cpu":
        backend.move_model(net.model, device)
    return net


def check_memory(
    sizes: Sequence[int], dtype: str = "float32", rows: int = 10_000, available: int | None = None
) -> None:
    """Refuse a network whose arrays would not fit in memory, before building it.

    Training keeps each weight about four times (the weights, their gradients, scratch),
    and measuring keeps the activations of ``rows`` images at once. Raises ``ValueError``
    naming the sizes and the estimate (see :func:`nnscratch.lab.memory.check_fits`).

    >>> check_memory([784, 30, 10])
    """
    itemsize = np.dtype(dtype).itemsize
    weights = sum(int(a) * int(b) + int(b) for a, b in itertools.pairwise(sizes))
    needed = itemsize * (4 * weights + 2 * rows * sum(int(s) for s in sizes))
    check_fits(needed, f"a network of sizes {list(sizes)} ({weights:,} weights)", available)


class EpochMonitor(Callback):
    """After every epoch, measure accuracy and cost on the training and test sets.

    ``on_epoch(epoch, history)`` (optional) is called with the updated
    :class:`MnistHistory`: the command line prints its "Epoch 0: 9129 / 10000" line
    from there.
    """

    def __init__(
        self,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        history: MnistHistory,
        on_epoch: Callable[[int, MnistHistory], None] | None = None,
    ) -> None:
        super().__init__()
        self.train, self.test = train, test
        self.history = history
        self.on_epoch = on_epoch
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = time.perf_counter() - self._start
        model = self.model
        h = self.history
        h.seconds.append(seconds)
        h.train_cost.append(float((logs or {}).get("loss", float("nan"))))
        h.train_accuracy.append(_accuracy(model, *self.train))
        h.test_cost.append(
            float(model.evaluate(self.test[0], self.test[1], batch_size=10_000, verbose=0))
        )
        h.test_accuracy.append(_accuracy(model, *self.test))
        if self.on_epoch is not None:
            self.on_epoch(epoch, h)


def _accuracy(model: Any, X: np.ndarray, Y: np.ndarray) -> float:
    out = model.predict(X, batch_size=10_000)
    return float(np.mean(out.argmax(axis=1) == Y.argmax(axis=1)))


def train(
    net: Network,
    train_data: tuple[np.ndarray, np.ndarray],
    test_data: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 30,
    batch_size: int = 10,
    eta: float = 3.0,
    lmbda: float = 0.0,
    callbacks: Sequence[Callback] = (),
    on_epoch: Callable[[int, MnistHistory], None] | None = None,
    blas_threads: int | None = 1,
) -> MnistHistory:
    """Train ``net`` by mini-batch SGD for ``epochs`` epochs, as the book does.

    ``train_data`` and ``test_data`` are ``(X, y)`` pairs, batch-first: ``X`` of shape
    ``(n, 784)``, ``y`` digit labels. The update is network2's (see
    :meth:`Network.compile`). A Ctrl-C stops after the current mini-batch and a diverging
    cost stops at once; either way the network keeps what it learnt and the history
    says so (``interrupted``, ``diverged``) instead of raising.

    ``blas_threads`` caps the BLAS threads while training (``None``: the library's
    default). The book's matrices are small (10 x 784 times 784 x 30): splitting them
    between threads costs more than it saves, and on a busy machine threads that wait
    for each other make an epoch several times slower. ``benchmarks/bench_mnist.py``
    measures both.
    """
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    dtype = net.dtype
    X = np.ascontiguousarray(train_data[0], dtype=dtype)
    Y = one_hot(np.asarray(train_data[1]), net.sizes[-1], dtype)
    Xt = np.ascontiguousarray(test_data[0], dtype=dtype)
    Yt = one_hot(np.asarray(test_data[1]), net.sizes[-1], dtype)
    net.compile(eta, lmbda, X.shape[0])
    history = MnistHistory()
    monitor = EpochMonitor((X, Y), (Xt, Yt), history, on_epoch)
    with threadpool_limits(blas_threads):
        try:
            net.model.fit(
                X,
                Y,
                epochs=epochs,
                batch_size=batch_size,
                shuffle=True,
                callbacks=[monitor, *callbacks],
                verbose=0,
            )
        except KeyboardInterrupt:
            history.interrupted = True
        except TrainingDiverged as exc:
            history.diverged = str(exc)
    return history


def predict_digits(net: Network, X: np.ndarray, batch_size: int = 10_000) -> np.ndarray:
    """The digit each row of ``X`` is read as: the most active output neuron."""
    return net.model.predict(np.asarray(X, dtype=net.dtype), batch_size=batch_size).argmax(1)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int = 10) -> np.ndarray:
    """``cm[i, j]`` counts the images of digit ``i`` read as ``j``."""
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


def misclassified(y_true: np.ndarray, y_pred: np.ndarray, limit: int = 36) -> np.ndarray:
    """Indices of the first ``limit`` images read wrongly."""
    return np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:limit]


# -- an image of a digit, prepared like MNIST's ---------------------------------------------
def load_digit_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image of one handwritten digit and prepare it the way MNIST was prepared.

    MNIST's digits are white on black, scaled to fit a 20x20 box (keeping the aspect
    ratio, anti-aliased) and pasted into a 28x28 field so that their centre of mass is
    at the centre. This function does the same to any image:

    1. convert to grey (transparent parts count as white paper);
    2. invert when the background (the border pixels) is light: ink on paper becomes
       MNIST's white on black; stretch so that background is 0 and the ink 1;
    3. crop to the bounding box of the ink;
    4. scale the longer side to 20 pixels;
    5. paste into 28x28 with the centre of mass at the centre.

    Returns
    -------
    ndarray of shape (784,), float32 in [0, 1]

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        It is not a regular file, not an image Pillow can read, larger than
        :data:`MAX_IMAGE_PIXELS` (checked from the header, before decoding), or blank (no
        digit to see). :class:`nnscratch.untrusted.UntrustedFileError` is a ``ValueError``.
    """
    from PIL import Image  # Pillow comes with matplotlib

    from ..untrusted import open_image

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    # The header first: a file declaring 100000 x 100000 pixels is refused before decoding.
    img = open_image(path, what="image", max_pixels=MAX_IMAGE_PIXELS, max_bytes=MAX_IMAGE_BYTES)
    try:
        with img:
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                rgba = img.convert("RGBA")
                paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                paper.alpha_composite(rgba)
                grey = paper.convert("L")
            else:
                grey = img.convert("L")
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValueError(f"{path}: the image cannot be read ({exc})") from None
    return prepare_digit(np.asarray(grey, dtype=np.float64) / 255.0, name=path)


def prepare_digit(image: np.ndarray, name: str = "the image") -> np.ndarray:
    """Steps 2-5 of :func:`load_digit_image` on a grey ``(h, w)`` array in [0, 1].

    Returns the ``(784,)`` float32 MNIST-like input; raises ``ValueError`` when no digit
    stands out from the background.

    Examples
    --------
    >>> import numpy as np
    >>> paper = np.ones((90, 60))          # white paper ...
    >>> paper[10:80, 28:34] = 0.0          # ... with a black vertical stroke: a "1"
    >>> x = prepare_digit(paper)
    >>> x.shape, float(x.max())
    ((784,), 1.0)
    """
    from PIL import Image

    a = np.asarray(image, dtype=np.float64)
    path = name
    if a.ndim != 2 or min(a.shape) < 1:
        raise ValueError(f"{path}: expected a non-empty grey (h, w) image, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{path}: the image contains NaN or infinite values")
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        a, background = 1.0 - a, 1.0 - background
    ink = float(a.max())
    if ink - background < 0.15:
        raise ValueError(f"{path}: the image is blank: no digit stands out from the background")
    a = np.clip((a - background) / (ink - background), 0.0, 1.0)
    rows = np.flatnonzero((a > 0.2).any(axis=1))
    cols = np.flatnonzero((a > 0.2).any(axis=0))
    a = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = a.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    patch = Image.fromarray(np.round(a * 255).astype(np.uint8)).resize(
        size, Image.Resampling.LANCZOS
    )
    p = np.asarray(patch, dtype=np.float64) / 255.0
    total = p.sum()
    if total <= 0:
        raise ValueError(f"{path}: the image is blank: no digit stands out from the background")
    ys, xs = np.indices(p.shape)
    cy, cx = (ys * p).sum() / total, (xs * p).sum() / total
    top = int(np.clip(round(13.5 - cy), 0, 28 - p.shape[0]))
    left = int(np.clip(round(13.5 - cx), 0, 28 - p.shape[1]))
    field_ = np.zeros((28, 28))
    field_[top : top + p.shape[0], left : left + p.shape[1]] = p
    return field_.reshape(784).astype(np.float32)
