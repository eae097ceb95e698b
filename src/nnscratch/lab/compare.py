"""The same network trained by nnscratch, scikit-learn, Keras and PyTorch, side by side.

The WildML article ends by asking how its hand-written network compares with the
libraries. This module answers with one experiment: the *same* architecture (a tanh hidden
layer and a softmax output), the *same* initial weights (the article's
``randn(n_in, n_out) / sqrt(n_in)``, zero biases, drawn from ``seed``), the same data split
and the same hyperparameters, trained by each library as its users would train it. It
returns, for every library, the train and test accuracy, the final loss, the wall time of
the training and the number of parameters, plus a function to draw its decision boundary.

How the article's hyperparameters are spoken in each library
-------------------------------------------------------------
The article takes gradient steps on the *summed* loss of a batch with
``W <- W - epsilon * (dW + reg_lambda * W)``, i.e. on the objective

    sum_i -log p[i, y_i]  +  reg_lambda / 2 * (||W1||^2 + ||W2||^2)

* nnscratch: ``loss reduction="sum"``, ``l2(reg_lambda / 2)`` on each kernel,
  ``SGD(epsilon)``: the article's arithmetic, step for step.
* PyTorch: ``cross_entropy(logits, y, reduction="sum")`` plus the same penalty,
  ``torch.optim.SGD(lr=epsilon)``, in float64, on one thread (its fastest setting for
  networks this small; Keras on the PyTorch backend too).
* Keras 3: ``SparseCategoricalCrossentropy(reduction="sum")``,
  ``regularizers.l2(reg_lambda / 2)``, ``optimizers.SGD(epsilon)``, float64 layers.
  Keras runs on the PyTorch backend unless ``KERAS_BACKEND`` says otherwise. (On that
  backend Keras 3 still multiplies matrices in float32, so it agrees with the others to
  float32 rounding only.)
* scikit-learn's ``MLPClassifier`` averages over the batch (``B`` samples) and divides its
  ``alpha`` by ``B`` too, so ``solver="sgd"``, ``momentum=0``, ``alpha=reg_lambda`` and
  ``learning_rate_init = epsilon * B`` give exactly the article's step. For two classes it
  uses one logistic output unit instead of a two-way softmax (the same function:
  ``softmax([a, b])[1] = sigmoid(b - a)``), started from ``W2[:, 1] - W2[:, 0]``; that
  layer then trains at a different pace, so its numbers differ a little.

With a full batch (the default for the toy data) one step of nnscratch and one of PyTorch
give the same float64 weights to 1e-12. Over thousands of steps rounding differences can
grow (the article's step size is large: the loss oscillates a little), so the libraries end
close in accuracy and loss rather than equal in every bit; the table shows mostly how fast
each one gets there. Mini-batches
(``batch_size``) are shuffled by each library's own generator, so then the runs differ
like any two runs with different shuffles.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import compare_setup
from .compare_libraries import (
    TRAINERS,
    library_status,
    train_keras,
    train_nnscratch,
    train_pytorch,
    train_sklearn,
)
from .compare_setup import *  # noqa: F403  (the settings, data and records, re-exported)
from .compare_setup import (
    LIBRARIES,
    CompareSettings,
    Comparison,
    check_libraries,
    initial_weights,
    load_split,
    make_settings,
    run_libraries,
)
from .style import save_figure

# compare_setup's names but its building blocks (the convolutional defaults, the model,
# finish_run and run_libraries), then the comparison itself, the libraries and the picture.
_BUILDING_BLOCKS = ("CONV_DEFAULTS", "article_model", "finish_run", "run_libraries")
__all__ = [
    *(name for name in compare_setup.__all__ if name not in _BUILDING_BLOCKS),
    "boundary_figure",
    "compare",
    "library_status",
    "save_figure",
    "train_keras",
    "train_nnscratch",
    "train_pytorch",
    "train_sklearn",
]


def compare(
    dataset: str | CompareSettings = "moons",
    *,
    libraries: Sequence[str] | None = None,
    data_path: str | os.PathLike[str] | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[str], None] | None = None,
    **settings: Any,
) -> Comparison:
    """Train the same network with each library and collect the results.

    Parameters
    ----------
    dataset : {"moons", "circles", "mnist"} or CompareSettings
        A name (then ``settings`` adjust its defaults) or complete settings.
    libraries : sequence of str, optional
        Among ``LIBRARIES``; default all of them. A library that is not installed is
        reported in ``Comparison.skipped`` (asking for it by name too: the table still
        shows the others).
    data_path : path-like, optional
        MNIST file or folder (see :func:`nnscratch.data.load_mnist`).
    on_start, on_done : callable, optional
        Called with a library's name before it trains and once it is done (trained or
        skipped), for a progress bar.
    **settings
        Fields of :class:`CompareSettings` (``hidden``, ``epochs``, ``learning_rate``,
        ``l2``, ``batch_size``, ``seed``, ``test_size``, ``n_samples``, ``conv``); ``None``
        keeps the data set's default. ``conv=True`` with MNIST trains the book's
        convolutional network instead (:mod:`nnscratch.lab.compare_conv`).

    Examples
    --------
    >>> from nnscratch.lab.compare import compare
    >>> result = compare("moons", libraries=["nnscratch", "scikit-learn"], epochs=200)
    >>> [run.library for run in result.runs]
    ['nnscratch', 'scikit-learn']
    """
    if isinstance(dataset, CompareSettings):
        if settings:
            raise TypeError("pass either CompareSettings or keyword settings, not both")
        config = dataset
    else:
        config = make_settings(dataset, **settings)
    wanted = check_libraries(LIBRARIES if libraries is None else libraries)
    if config.conv:  # the book's convolutional network: its own module
        from .compare_conv import compare_conv

        return compare_conv(config, wanted, data_path, on_start, on_done)
    split = load_split(config, data_path)
    start = initial_weights(config, split.X_train.shape[1], split.n_classes)
    reasons = library_status(wanted)
    return run_libraries(config, split, start, TRAINERS, reasons, on_start, on_done)


# -- the picture ---------------------------------------------------------------------------
def boundary_figure(comparison: Comparison, resolution: int = 200) -> Any:
    """One row of panels, one per library: its decision regions with the data on top.

    Training points are circles, test points triangles, in nnscratch's one style (see
    :mod:`nnscratch.lab.style`); one legend above the row. Only for 2-D data (the toy
    sets); raises ``ValueError`` for MNIST. ``resolution`` is the number of grid steps
    along each axis. Returns a matplotlib ``Figure`` (made without pyplot, so no window
    opens).
    """
    from . import style
    from .boundary import Regions, plot_decision_boundary

    split = comparison.split
    if split.X_train.shape[1] != 2:
        raise ValueError(
            f"decision boundaries need 2-D inputs; {comparison.settings.dataset} has "
            f"{split.X_train.shape[1]} features"
        )
    X = np.vstack([split.X_train, split.X_test])
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    runs = [r for r in comparison.runs if r.predict_proba is not None]
    count = max(len(runs), 1)
    fig = style.new_figure(4.6 if count > 2 else 5.2, width=max(style.WIDTH, 3.4 * count))
    axes = fig.subplots(1, count, squeeze=False, sharey=True)[0]
    for i, (ax, run) in enumerate(zip(axes, runs)):
        assert run.predict_proba is not None
        classes = run.predict_proba(grid).argmax(axis=1).reshape(xx.shape)
        plot_decision_boundary(
            Regions(xs, ys, classes),
            split.X_train,
            split.y_train,
            ax=ax,
            X_test=split.X_test,
            y_test=split.y_test,
            n_classes=split.n_classes,
            point_size=20,
            legend=False,
        )
        ax.set_title(
            f"{run.library}\ntest accuracy {run.test_accuracy:.1%}, {run.wall_time:.2f} s",
            fontsize=style.FONT_SIZE,
        )
        if i:
            ax.set_ylabel("")
    style.figure_legend(fig, split.n_classes, test=True)
    s = comparison.settings
    fig.suptitle(
        f"{s.dataset}: {s.hidden} tanh units, {s.passes}, learning rate "
        f"{s.learning_rate:g}, L2 {s.l2:g}",
        fontsize=style.FONT_SIZE + 1,
    )
    return fig
