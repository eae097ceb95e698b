"""Step 2 of the article: logistic regression, the straight-line baseline.

The tutorial fits scikit-learn's ``LogisticRegressionCV`` and shows that its decision
boundary is a straight line, which cannot follow the moons. Here the same model is built
on nnscratch: a network with *no* hidden layer, just ``Dense(2, "softmax")``, is
(multinomial) logistic regression. It is trained like the article's network (full-batch
gradient descent on the summed loss, ``epsilon = 0.01``), and scikit-learn's
``LogisticRegressionCV`` runs beside it for reference.

Run::

    python examples/02_logistic_regression.py
    python examples/02_logistic_regression.py --epochs 500 --show
"""

from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np
from sklearn.linear_model import LogisticRegressionCV

from nnscratch import SGD, Sequential
from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.lab import style
from nnscratch.lab.boundary import plot_decision_boundary
from nnscratch.layers import Dense

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=20000, help="gradient steps (default 20000)")
    p.add_argument("--learning-rate", type=float, default=0.01, help="epsilon (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="initial weights (default 0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.epochs < 1:  # fit(epochs=0) trains nothing, as in Keras: here it is a slip
        raise ValueError(f"--epochs must be a positive integer, got {args.epochs}")
    writable_folder(args.out, "--out folder")  # before training, not after it
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = moons()
    # No hidden layer: softmax(X W + b) is logistic regression.
    model = Sequential(
        [Dense(2, "softmax", kernel_initializer="scaled_normal", input_dim=2)], seed=args.seed
    )
    model.compile(SGD(args.learning_rate), "categorical_crossentropy", reduction="sum")
    model.fit(X, y, batch_size=len(X), epochs=args.epochs, verbose=0)
    ours = float(np.mean(model.predict(X).argmax(axis=1) == y))
    print(
        f"settings: moons, no hidden layer, {args.epochs} full-batch passes, learning rate "
        f"{args.learning_rate:g}, seed {args.seed}"
    )
    print(
        f"nnscratch logistic regression: final loss {model.evaluate(X, y):.4f}, "
        f"training accuracy {ours:.1%}"
    )

    # The article's LogisticRegressionCV(), its defaults spelled out (plain L2, accuracy).
    clf = LogisticRegressionCV(
        l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False
    ).fit(X, y)
    # The same fit as `nnscratch logreg` (the article's baseline).
    print(f"scikit-learn LogisticRegressionCV: training accuracy {clf.score(X, y):.1%}")

    fig, axes = plt.subplots(1, 2, figsize=(style.WIDTH, 5), layout="constrained")
    plot_decision_boundary(
        lambda x: model.predict(x).argmax(axis=1),
        X,
        y,
        ax=axes[0],
        title=f"Logistic Regression, nnscratch ({ours:.1%})",
        legend=False,
    )
    title = f"LogisticRegressionCV ({clf.score(X, y):.1%})"
    plot_decision_boundary(clf.predict, X, y, ax=axes[1], title=title, legend=False)
    style.figure_legend(fig, 2)
    path = style.save_figure(fig, os.path.join(args.out, "02_logistic_regression.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
