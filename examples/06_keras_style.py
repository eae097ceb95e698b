"""Step 6: the article's Keras-era code, running on nnscratch with one word changed.

The article compared its network with Keras, and lost time to a renamed API
(``from keras.regularizers import l1l2`` became ``l1_l2``). Here is its Keras code as it was
written, with ``keras`` replaced by ``nnscratch.keras``::

    from nnscratch.keras.models import Sequential
    from nnscratch.keras.layers.core import Dense, Activation, Dropout
    from nnscratch.keras.regularizers import l1_l2

    model = Sequential()
    model.add(Dense(3, input_dim=2, kernel_regularizer=l1_l2(l1=0.0, l2=0.01)))
    model.add(Activation('tanh'))
    model.add(Dropout(0.2))
    model.add(Dense(2))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
    model.fit(X, Y, epochs=300, batch_size=16)

``Dropout(0.2)`` silences a random 20% of the hidden units at each training step (and
scales the others up by 1/0.8), never at prediction time. ``Y`` is one-hot, as Keras wants.

Run::

    python examples/06_keras_style.py
    python examples/06_keras_style.py --epochs 50 --show
"""

from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np

from nnscratch.data import moons
from nnscratch.files import writable_folder
from nnscratch.keras.layers.core import Activation, Dense, Dropout
from nnscratch.keras.models import Sequential
from nnscratch.keras.regularizers import l1_l2
from nnscratch.lab import style
from nnscratch.lab.boundary import plot_decision_boundary

DEFAULT_OUT = os.path.join("nnscratch-out", "examples")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=300, help="epochs (default 300)")
    p.add_argument("--batch-size", type=int, default=16, help="batch size (default 16)")
    p.add_argument("--dropout", type=float, default=0.2, help="dropout rate (default 0.2)")
    p.add_argument("--l2", type=float, default=0.01, help="l1_l2(l2=...) (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
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
    Y = np.eye(2)[y]  # one-hot targets, as the Keras code has them

    model = Sequential(seed=args.seed)
    model.add(Dense(3, input_dim=2, kernel_regularizer=l1_l2(l1=0.0, l2=args.l2)))
    model.add(Activation("tanh"))
    model.add(Dropout(args.dropout))
    model.add(Dense(2))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(X, Y, epochs=args.epochs, batch_size=args.batch_size, verbose=0)

    loss, accuracy = model.evaluate(X, Y)
    print(
        f"loss {history.history['loss'][0]:.4f} -> {history.history['loss'][-1]:.4f} "
        f"over {args.epochs} epochs; evaluate: loss {loss:.4f}, accuracy {accuracy:.3f}"
    )

    fig, axes = plt.subplots(1, 2, figsize=(style.WIDTH, 5), layout="constrained")
    plot_decision_boundary(
        lambda x: model.predict(x).argmax(axis=1),
        X,
        y,
        ax=axes[0],
        title="3 tanh units, Dropout(0.2), l1_l2",
        legend=False,
    )
    style.figure_legend(fig, 2)
    axes[1].plot(history.history["loss"], label="loss")
    axes[1].plot(history.history["accuracy"], label="accuracy")
    axes[1].set_xlabel("epoch")
    axes[1].legend()
    axes[1].set_title("training history")
    path = style.save_figure(fig, os.path.join(args.out, "06_keras_style.png"))
    print(f"saved {path}")
    if args.show:
        plt.show()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
