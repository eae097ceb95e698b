"""Chapters 1, 3 and 6 of Nielsen's "Neural Networks and Deep Learning", on nnscratch.

The book's own calls, on Python 3, with the book's module names
(``nnscratch.nielsen.install_book_modules()`` maps them). Chapter 1 (network.py)::

    import mnist_loader, network
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

Chapter 3 (network2.py)::

    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    net.SGD(training_data, 30, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
            monitor_evaluation_accuracy=True, monitor_evaluation_cost=True,
            monitor_training_accuracy=True, monitor_training_cost=True)

Chapter 6 (network3.py, on NumPy instead of Theano)::

    training_data, validation_data, test_data = network3.load_data_shared()
    net = network3.Network([
        network3.ConvPoolLayer(image_shape=(10, 1, 28, 28), filter_shape=(20, 1, 5, 5)),
        network3.FullyConnectedLayer(n_in=20*12*12, n_out=100),
        network3.SoftmaxLayer(n_in=100, n_out=10)], 10)
    net.SGD(training_data, 60, 10, 0.1, validation_data, test_data)

Run ``python examples/07_nielsen_mnist.py`` (chapter 1), ``--chapter 3`` or ``--chapter 6``
(``nnscratch chapter6 --step N`` runs the whole ladder of chapter 6). The defaults are
the book's; smaller values make a quick check. The data comes from ``--data``, the
``NNSCRATCH_DATA`` environment variable, the user cache, or a verified download.
"""

from __future__ import annotations

import argparse
import os
import random

import numpy as np

import nnscratch.nielsen

nnscratch.nielsen.install_book_modules()  # the book's `import network` finds nnscratch's

import mnist_loader  # noqa: E402  (the book's names, mapped just above)
import network  # noqa: E402
import network2  # noqa: E402
import network3  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, choices=[1, 3, 6], default=1)
    parser.add_argument("--hidden", type=int, default=30, help="hidden neurons (book: 30)")
    parser.add_argument("--epochs", type=int, help="book: 30 (chapters 1, 3), 60 (chapter 6)")
    parser.add_argument("--mini-batch-size", type=int, default=10, help="book: 10")
    parser.add_argument("--eta", type=float, help="book: 3.0 (chapter 1), 0.5 (chapter 3)")
    parser.add_argument("--lmbda", type=float, default=5.0, help="chapter 3 (book: 5.0)")
    parser.add_argument("--seed", type=int, help="seed np.random and random first")
    parser.add_argument("--data", help="path of mnist.pkl.gz (default: NNSCRATCH_DATA, ...)")
    parser.add_argument("--save", help="save the trained network (JSON) here")
    args = parser.parse_args()

    if args.seed is not None:  # the book does not seed; seeding makes a run repeatable
        np.random.seed(args.seed)  # noqa: NPY002  (the book's global generator)
        random.seed(args.seed)

    if args.chapter == 6:
        chapter6(args)
        return
    args.epochs = args.epochs or 30
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper(args.data)
    print(
        f"{len(training_data)} training, {len(validation_data)} validation, "
        f"{len(test_data)} test images"
    )
    sizes = [784, args.hidden, 10]

    if args.chapter == 1:
        net = network.Network(sizes)
        net.SGD(
            training_data, args.epochs, args.mini_batch_size, args.eta or 3.0, test_data=test_data
        )
    else:
        net = network2.Network(sizes, cost=network2.CrossEntropyCost)
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
            training_data,
            args.epochs,
            args.mini_batch_size,
            args.eta or 0.5,
            lmbda=args.lmbda,
            evaluation_data=validation_data,
            monitor_evaluation_accuracy=True,
            monitor_evaluation_cost=True,
            monitor_training_accuracy=True,
            monitor_training_cost=True,
        )
        best = int(np.argmax(evaluation_accuracy))
        print(
            f"best validation accuracy: {evaluation_accuracy[best]} / {len(validation_data)} "
            f"at epoch {best} (cost {evaluation_cost[best]:.4f}; on the training data: "
            f"{training_accuracy[best]} / {len(training_data)}, cost {training_cost[best]:.4f})"
        )
        print(f"test accuracy: {net.evaluate(test_data)} / {len(test_data)}")
    if args.save:
        net.save(args.save)
        print(f"saved to {args.save}; reload with network2.load({args.save!r})")


def chapter6(args: argparse.Namespace) -> None:
    """The book's first convolutional network: one conv-pool layer, sigmoid, eta 0.1."""
    training_data, validation_data, test_data = network3.load_data_shared(args.data)
    mini_batch_size = args.mini_batch_size
    net = network3.Network(
        [
            network3.ConvPoolLayer(
                image_shape=(mini_batch_size, 1, 28, 28),
                filter_shape=(20, 1, 5, 5),
                poolsize=(2, 2),
            ),
            network3.FullyConnectedLayer(n_in=20 * 12 * 12, n_out=100),
            network3.SoftmaxLayer(n_in=100, n_out=10),
        ],
        mini_batch_size,
    )
    net.SGD(
        training_data, args.epochs or 60, mini_batch_size, args.eta or 0.1,
        validation_data, test_data,
    )  # fmt: skip
    if args.save:
        from nnscratch.saving import save_model

        net.use_best_weights()
        save_model(net.model, args.save)
        print(f"saved the best validation epoch's network to {args.save}")


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (ValueError, OSError) as exc:  # a bad option or file: one line, not a traceback
        raise SystemExit(f"{os.path.basename(__file__)}: error: {exc}") from None
