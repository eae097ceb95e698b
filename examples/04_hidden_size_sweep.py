"""Step 4 of the article: how the hidden layer's size changes what the network learns.

The tutorial trains the 3-unit network again with 1, 2, 3, 4, 5, 20 and 50 hidden units
and plots the decision boundaries in a grid::

    hidden_layer_dimensions = [1, 2, 3, 4, 5, 20, 50]
    for i, nn_hdim in enumerate(hidden_layer_dimensions):
        plt.subplot(5, 2, i+1)
        plt.title('Hidden Layer size %d' % nn_hdim)
        model = build_model(nn_hdim)
        plot_decision_boundary(lambda x: predict(model, x))

One unit draws a line; a few units already bend around the moons; 50 units start to
carve out single noisy points (overfitting, held back only by the L2 penalty).

Run::

    python examples/04_hidden_size_sweep.py
    python examples/04_hidden_size_sweep.py --sizes 1 3 50 --epochs 5000
"""

from __future__ import annotations

import argparse
import math
import os

import matplotlib
import numpy as np

from nnscratch import SGD, Sequential, l2
from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.lab import style
from nnscratch.lab.boundary import plot_decision_boundary
from nnscratch.layers import Dense

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1, 2, 3, 4, 5, 20, 50],
        help="hidden sizes (default 1 2 3 4 5 20 50)",
    )
    p.add_argument("--epochs", type=int, default=20000, help="passes (default 20000)")
    p.add_argument("--learning-rate", type=float, default=0.01, help="epsilon (default 0.01)")
    p.add_argument("--reg-lambda", type=float, default=0.01, help="L2 (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="np.random.seed of the article (0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def build_model(hidden: int, learning_rate: float, reg_lambda: float, seed: int) -> Sequential:
    """The article's network with ``hidden`` tanh units (see 03_three_unit_network.py)."""
    reg = l2(reg_lambda / 2)
    model = Sequential(
        [
            Dense(
                hidden,
                "tanh",
                kernel_initializer="scaled_normal",
                kernel_regularizer=reg,
                input_dim=2,
            ),
            Dense(2, "softmax", kernel_initializer="scaled_normal", kernel_regularizer=reg),
        ],
        seed=seed,
    )
    model.compile(SGD(learning_rate), "categorical_crossentropy", reduction="sum")
    return model


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    writable_folder(args.out, "--out folder")  # before training, not after it
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = moons()
    print(
        f"settings: moons, {args.epochs} full-batch passes, learning rate {args.learning_rate:g}, "
        f"reg_lambda {args.reg_lambda:g}, seed {args.seed} (nnscratch sweep --hidden "
        f"{' '.join(map(str, args.sizes))} --passes {args.epochs} prints the same numbers)"
    )
    rows = math.ceil(len(args.sizes) / 2)
    fig, axes = plt.subplots(
        rows, 2, figsize=(style.WIDTH, 0.6 + 4.2 * rows), squeeze=False, layout="constrained"
    )
    for ax, hidden in zip(axes.ravel(), args.sizes):
        model = build_model(hidden, args.learning_rate, args.reg_lambda, args.seed)
        model.fit(X, y, batch_size=len(X), epochs=args.epochs, verbose=0)
        # After the last pass (history.history["loss"][-1] is the loss *before* it).
        loss = model.evaluate(X, y)
        accuracy = float(np.mean(model.predict(X).argmax(axis=1) == y))
        print(f"hidden {hidden:3d}: final loss {loss:.6f}, training accuracy {accuracy:.1%}")
        plot_decision_boundary(
            lambda x, m=model: m.predict(x).argmax(axis=1),
            X,
            y,
            ax=ax,
            title=f"Hidden Layer size {hidden}",
            point_size=16,
            legend=False,
        )
    for ax in axes.ravel()[len(args.sizes) :]:
        ax.set_visible(False)
    style.figure_legend(fig, 2)
    path = style.save_figure(fig, os.path.join(args.out, "04_hidden_size_sweep.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
