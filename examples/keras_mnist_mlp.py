"""Keras 2's ``examples/mnist_mlp.py``, running on nnscratch with only the imports changed.

Keras' script trains a 784-512-512-10 ReLU network with dropout on MNIST ("Gets to
98.40% test accuracy after 20 epochs"). Below, every statement of it is as Keras wrote
it; only the import lines say ``nnscratch.keras`` instead of ``keras`` (and Python 2's
``from __future__ import print_function`` is gone). Two options are added, marked
``# nnscratch:``, so that the test suite can train on a few hundred images for one
epoch: ``--subset N`` and ``--epochs E``.

``mnist.load_data()`` reads MNIST from ``NNSCRATCH_DATA``, the book's
``../data/mnist.pkl.gz``, the cache, or downloads it (checked), and returns Keras'
arrays. The model computes in float64 (nnscratch's default), so the ``astype('float32')``
inputs are converted once when training starts.

Run::

    python examples/keras_mnist_mlp.py                 # Keras' full run: 20 epochs, 60,000 images
    python examples/keras_mnist_mlp.py --subset 3000   # 3,000 training, 500 test images
    python examples/keras_mnist_mlp.py --subset 300 --epochs 1
"""

import argparse

from nnscratch import keras
from nnscratch.keras.datasets import mnist
from nnscratch.keras.layers import Dense, Dropout
from nnscratch.keras.models import Sequential
from nnscratch.keras.optimizers import RMSprop

# nnscratch: options to train on the first N images (and N/6 test images) for E epochs.
parser = argparse.ArgumentParser(description="Keras 2's mnist_mlp.py on nnscratch.keras")
parser.add_argument("--subset", type=int, default=0, help="training images to use (all: 0)")
parser.add_argument("--epochs", type=int, default=20, help="epochs to train (Keras': 20)")
options = parser.parse_args()
subset = options.subset

batch_size = 128
num_classes = 10
epochs = options.epochs  # nnscratch: Keras' script says epochs = 20

# the data, split between train and test sets
(x_train, y_train), (x_test, y_test) = mnist.load_data()

x_train = x_train.reshape(60000, 784)
x_test = x_test.reshape(10000, 784)
x_train = x_train.astype("float32")
x_test = x_test.astype("float32")
x_train /= 255
x_test /= 255
if subset:  # nnscratch: the first `subset` training and `subset // 6` test images
    x_train, y_train = x_train[:subset], y_train[:subset]
    x_test, y_test = x_test[: subset // 6], y_test[: subset // 6]
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(512, activation="relu", input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))

model.summary()

model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])

history = model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    verbose=1,
    validation_data=(x_test, y_test),
)
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
