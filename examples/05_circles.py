"""Step 5: the same network on a second data set, two noisy concentric circles.

After the moons the article tries ``make_circles(noise=0.2, factor=0.5,
random_state=1)``: 100 points, an inner ring of one class inside an outer ring of the
other. A straight line is hopeless here (logistic regression gets about half of the points
right); the 3-unit tanh network closes a curve around the inner ring. The script trains
both and shows their boundaries side by side.

Run::

    python examples/05_circles.py
    python examples/05_circles.py --hidden 5 --epochs 5000
"""

from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np

from nnscratch import SGD, Sequential, l2
from nnscratch.data import circles
from nnscratch.lab.boundary import plot_decision_boundary
from nnscratch.layers import Dense

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=3, help="hidden units (default 3)")
    p.add_argument("--epochs", type=int, default=20000, help="passes (default 20000)")
    p.add_argument("--learning-rate", type=float, default=0.01, help="epsilon (default 0.01)")
    p.add_argument("--reg-lambda", type=float, default=0.01, help="L2 (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="initial weights (default 0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def build_model(hidden: int | None, learning_rate: float, reg_lambda: float, seed: int):
    """``hidden=None``: no hidden layer (logistic regression); else the article's network."""
    reg = l2(reg_lambda / 2)
    layers = []
    if hidden is not None:
        layers.append(
            Dense(hidden, "tanh", kernel_initializer="scaled_normal", kernel_regularizer=reg)
        )
    layers.append(Dense(2, "softmax", kernel_initializer="scaled_normal", kernel_regularizer=reg))
    model = Sequential(layers, seed=seed)
    model.compile(SGD(learning_rate), "categorical_crossentropy", reduction="sum")
    return model


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = circles()
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, hidden in zip(axes, (None, args.hidden)):
        model = build_model(hidden, args.learning_rate, args.reg_lambda, args.seed)
        model.fit(X, y, epochs=args.epochs, verbose=0)
        accuracy = float(np.mean(model.predict(X).argmax(axis=1) == y))
        name = "logistic regression" if hidden is None else f"{hidden} tanh hidden units"
        print(f"{name}: training accuracy {accuracy:.3f}")
        plot_decision_boundary(
            lambda x, m=model: m.predict(x).argmax(axis=1), X, y, ax=ax, title=f"circles: {name}"
        )
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "05_circles.png")
    fig.savefig(path)
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
