"""Step 3 of the article: a network with one hidden layer of 3 tanh units.

The tutorial writes forward propagation, the loss and backpropagation by hand::

    z1 = X.dot(W1) + b1;  a1 = np.tanh(z1);  z2 = a1.dot(W2) + b2;  probs = softmax(z2)
    delta3 = probs - y;  dW2 = a1.T.dot(delta3);  delta2 = delta3.dot(W2.T) * (1 - a1**2)
    dW2 += reg_lambda * W2;  W2 += -epsilon * dW2;  ...

and trains for 20,000 full-batch passes with ``epsilon = 0.01`` and ``reg_lambda = 0.01``,
printing "Loss after iteration i" every 1,000. On nnscratch that is two ``Dense`` layers,
the article's weight scaling (``scaled_normal``: ``randn / sqrt(fan_in)``), the L2 penalty
``l2(reg_lambda / 2)`` (Keras counts ``l2(k)`` as ``k * sum(W**2)``, the article as
``reg_lambda / 2 * sum(W**2)``) and the summed loss. The printed losses are the article's,
digit for digit.

Run::

    python examples/03_three_unit_network.py
    python examples/03_three_unit_network.py --hidden 5 --epochs 5000
"""

from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np

from nnscratch import SGD, Sequential, l2
from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.lab import style
from nnscratch.lab.boundary import plot_decision_boundary
from nnscratch.layers import Dense
from nnscratch.progress import LossPrinter

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=3, help="hidden units (default 3)")
    p.add_argument("--epochs", type=int, default=20000, help="passes (default 20000)")
    p.add_argument("--learning-rate", type=float, default=0.01, help="epsilon (default 0.01)")
    p.add_argument("--reg-lambda", type=float, default=0.01, help="L2 (default 0.01)")
    p.add_argument("--print-every", type=int, default=1000, help="loss lines (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="np.random.seed of the article (0)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the figure ({DEFAULT_OUT})")
    p.add_argument("--show", action="store_true", help="open a window too")
    return p.parse_args(argv)


def build_model(hidden: int, learning_rate: float, reg_lambda: float, seed: int) -> Sequential:
    """The article's ``build_model``: 2 inputs, ``hidden`` tanh units, 2 softmax outputs."""
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
    if args.epochs < 1:  # fit(epochs=0) trains nothing, as in Keras: here it is a slip
        raise ValueError(f"--epochs must be a positive integer, got {args.epochs}")
    writable_folder(args.out, "--out folder")  # before training, not after it
    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = moons()
    print(
        f"settings: moons, {args.hidden} tanh units, {args.epochs} full-batch passes, "
        f"learning rate {args.learning_rate:g}, reg_lambda {args.reg_lambda:g}, seed {args.seed} "
        f"(nnscratch moons --hidden {args.hidden} --passes {args.epochs} prints the same numbers)"
    )
    model = build_model(args.hidden, args.learning_rate, args.reg_lambda, args.seed)
    model.fit(  # batch_size=len(X): the article's full-batch gradient descent
        X,
        y,
        batch_size=len(X),
        epochs=args.epochs,
        verbose=0,
        callbacks=[LossPrinter(X, y, every=args.print_every)],
    )
    # After the last pass, as the command line reports it: the loss with the L2 penalty.
    accuracy = float(np.mean(model.predict(X).argmax(axis=1) == y))
    print(f"final loss {model.evaluate(X, y):.6f}, training accuracy {accuracy:.1%}")

    fig, ax = plt.subplots(figsize=(style.WIDTH, 6.5), layout="constrained")
    plot_decision_boundary(
        lambda x: model.predict(x).argmax(axis=1),
        X,
        y,
        ax=ax,
        title=f"Decision Boundary for hidden layer size {args.hidden}",
    )
    path = style.save_figure(fig, os.path.join(args.out, "03_three_unit_network.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
