"""Keras 2's ``examples/mnist_cnn.py``, running on nnscratch with only the imports changed.

Keras' script trains a small convolutional network on MNIST: two 3x3 convolutions (32
and 64 filters, ReLU), 2x2 max-pooling, dropout 0.25, a 128-unit ReLU layer, dropout 0.5
and a softmax over the ten digits, with Adadelta (learning rate 1.0, Keras 2's default)
on mini-batches of 128 for 12 epochs ("Gets to 99.25% test accuracy after 12 epochs").
Every statement below is the program Keras 2 users have; only the import lines say
``nnscratch.keras`` instead of ``keras``. Two options are added, marked
``# nnscratch:``, so that the test suite can train on a few hundred images for one
epoch: ``--subset N`` and ``--epochs E``.

The images are channels-last, ``(28, 28, 1)``, as ``K.image_data_format()`` says; the
``channels_first`` branch is Keras' own and never runs here. The network computes in
float64 (nnscratch's default): the ``astype('float32')`` images are converted once when
training starts. On two CPU cores an epoch over all 60,000 images takes several minutes.

Run::

    python examples/keras_mnist_cnn.py                             # Keras' full run: 12 epochs
    python examples/keras_mnist_cnn.py --subset 5000 --epochs 1    # 5,000 images, one epoch
"""

import argparse

from nnscratch import keras
from nnscratch.keras import backend as K
from nnscratch.keras.datasets import mnist
from nnscratch.keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from nnscratch.keras.models import Sequential

# nnscratch: options to train on the first N images (and N/6 test images) for E epochs.
parser = argparse.ArgumentParser(description="Keras 2's mnist_cnn.py on nnscratch.keras")
parser.add_argument("--subset", type=int, default=0, help="training images to use (all: 0)")
parser.add_argument("--epochs", type=int, default=12, help="epochs to train (Keras': 12)")
options = parser.parse_args()

batch_size = 128
num_classes = 10
epochs = options.epochs  # nnscratch: Keras' script says epochs = 12

# input image dimensions
img_rows, img_cols = 28, 28

# the data, split between train and test sets
(x_train, y_train), (x_test, y_test) = mnist.load_data()
if options.subset:  # nnscratch: the first `subset` training and `subset // 6` test images
    x_train, y_train = x_train[: options.subset], y_train[: options.subset]
    x_test, y_test = x_test[: options.subset // 6], y_test[: options.subset // 6]

if K.image_data_format() == "channels_first":
    x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
    x_test = x_test.reshape(x_test.shape[0], 1, img_rows, img_cols)
    input_shape = (1, img_rows, img_cols)
else:
    x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
    x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
    input_shape = (img_rows, img_cols, 1)

x_train = x_train.astype("float32")
x_test = x_test.astype("float32")
x_train /= 255
x_test /= 255
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
model.add(Conv2D(64, (3, 3), activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(num_classes, activation="softmax"))

model.compile(
    loss=keras.losses.categorical_crossentropy,
    optimizer=keras.optimizers.Adadelta(),
    metrics=["accuracy"],
)

model.fit(
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
