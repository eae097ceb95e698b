"""Step 5: the same network on a second data set, two noisy concentric circles.

After the moons the article tries ``make_circles(noise=0.2, factor=0.5,
random_state=1)``: 100 points, an inner ring of one class inside an outer ring of the
other. A straight line is hopeless here: any line leaves about half of the points on the
wrong side, and which half depends only on where the model happens to put its line. Two
linear models show it:

* scikit-learn's ``LogisticRegressionCV``, the article's baseline (``nnscratch logreg
  --dataset circles`` fits the same): 56.0% of the training points;
* the network with no hidden layer (a softmax of ``X W + b``, also logistic regression),
  trained like the network below: 48.0%. The two draw different lines because they are
  fitted differently (``LogisticRegressionCV`` chooses a strong penalty by
  cross-validation, so its line hardly depends on the data), and both are chance level.

The 3-unit tanh network closes a curve around the inner ring: 92.0%, the number
``nnscratch sweep --dataset circles --hidden 3`` prints. The script draws all three.

Run::

    python examples/05_circles.py
    python examples/05_circles.py --hidden 5 --epochs 5000
"""

from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np
from sklearn.linear_model import LogisticRegressionCV

from nnscratch import SGD, Sequential, l2
from nnscratch.data import circles
from nnscratch.files import writable_folder
from nnscratch.lab import style
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
    if args.epochs < 1:  # fit(epochs=0) trains nothing, as in Keras: here it is a slip
        raise ValueError(f"--epochs must be a positive integer, got {args.epochs}")
    writable_folder(args.out, "--out folder")  # before training, not after it
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = circles()
    print(
        f"settings: circles, {args.epochs} full-batch passes, learning rate "
        f"{args.learning_rate:g}, reg_lambda {args.reg_lambda:g}, seed {args.seed}"
    )
    # The article's baseline, its defaults spelled out (plain L2, accuracy scoring).
    clf = LogisticRegressionCV(
        l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False
    ).fit(X, y)
    print(f"LogisticRegressionCV: training accuracy {clf.score(X, y):.1%}")
    panels = [(clf.predict, f"LogisticRegressionCV ({clf.score(X, y):.1%})")]
    for hidden in (None, args.hidden):
        model = build_model(hidden, args.learning_rate, args.reg_lambda, args.seed)
        model.fit(X, y, batch_size=len(X), epochs=args.epochs, verbose=0)
        accuracy = float(np.mean(model.predict(X).argmax(axis=1) == y))
        name = "no hidden layer" if hidden is None else f"{hidden} tanh hidden units"
        print(f"{name}: final loss {model.evaluate(X, y):.6f}, training accuracy {accuracy:.1%}")
        panels.append((lambda x, m=model: m.predict(x).argmax(axis=1), f"{name} ({accuracy:.1%})"))

    fig, axes = plt.subplots(1, 3, figsize=(style.WIDTH, 4.3), layout="constrained", sharey=True)
    for ax, (predict, title) in zip(axes, panels):
        plot_decision_boundary(predict, X, y, ax=ax, title=title, point_size=20, legend=False)
    for ax in axes[1:]:
        ax.set_ylabel("")  # the panels share their y axis
    style.figure_legend(fig, 2)
    path = style.save_figure(fig, os.path.join(args.out, "05_circles.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
