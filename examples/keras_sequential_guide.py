"""Keras 2's "Getting started with the Keras Sequential model", on nnscratch.

Every Dense/MLP snippet of the guide (Keras 2.2's ``sequential-model-guide.md``), and the
model methods of its companion page "About Keras models", with only the imports changed
from ``keras`` to ``nnscratch.keras``. The snippets run in the guide's order; between them
this script prints what they computed (``print`` lines marked ``# nnscratch:``), seeds
NumPy's generator once (the guide draws its dummy data unseeded), and lets Keras 2's
spellings warn without stopping (``SGD(lr=0.01, decay=1e-6)``: see stderr).

The guide's convolutional and recurrent snippets (``Conv2D``, ``LSTM``, ``Embedding``) are
not here: see ``keras_mnist_cnn.py`` for a CNN. Where nnscratch differs on purpose, the
script says so: weights files are named ``*.weights.npz`` (Keras 2 wrote HDF5
``my_model_weights.h5``, which nnscratch does not write).

Run::

    python examples/keras_sequential_guide.py
"""

# ruff: noqa: NPY002 - the guide draws its dummy data with np.random's global functions

import os
import tempfile
import warnings

import numpy as np

import nnscratch.keras.backend as K
from nnscratch import keras
from nnscratch.keras.layers import Activation, Dense, Dropout
from nnscratch.keras.models import Sequential, model_from_json
from nnscratch.keras.optimizers import SGD

warnings.simplefilter("always", DeprecationWarning)  # nnscratch: show Keras 2 spellings
np.random.seed(0)  # nnscratch: the dummy data below, reproducibly

# -- the Sequential model is a linear stack of layers --------------------------------------
model = Sequential(
    [
        Dense(32, input_shape=(784,)),
        Activation("relu"),
        Dense(10),
        Activation("softmax"),
    ]
)

model = Sequential()
model.add(Dense(32, input_dim=784))
model.add(Activation("relu"))

# -- specifying the input shape: these are strictly equivalent ------------------------------
model = Sequential()
model.add(Dense(32, input_shape=(784,)))

model = Sequential()
model.add(Dense(32, input_dim=784))
print("input shape:", model.input_shape, "output shape:", model.output_shape)  # nnscratch

# -- compilation ------------------------------------------------------------------------------
# For a multi-class classification problem
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

# For a binary classification problem
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

# For a mean squared error regression problem
model.compile(optimizer="rmsprop", loss="mse")

# For custom metrics


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy", mean_pred])
print("compiled with metrics:", model.metrics_names)  # nnscratch

# -- training ---------------------------------------------------------------------------------
# For a single-input model with 2 classes (binary classification):

model = Sequential()
model.add(Dense(32, activation="relu", input_dim=100))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

# Generate dummy data
data = np.random.random((1000, 100))
labels = np.random.randint(2, size=(1000, 1))

# Train the model, iterating on the data in batches of 32 samples
history = model.fit(data, labels, epochs=10, batch_size=32)
print("binary: epochs", len(history.history["loss"]), "keys", sorted(history.history))  # nnscratch

# For a single-input model with 10 classes (categorical classification):

model = Sequential()
model.add(Dense(32, activation="relu", input_dim=100))
model.add(Dense(10, activation="softmax"))
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

# Generate dummy data
data = np.random.random((1000, 100))
labels = np.random.randint(10, size=(1000, 1))

# Convert labels to categorical one-hot encoding
one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)

# Train the model, iterating on the data in batches of 32 samples
model.fit(data, one_hot_labels, epochs=10, batch_size=32)
print(f"categorical: final loss {model.history.history['loss'][-1]:.4f}")  # nnscratch

# -- Multilayer Perceptron (MLP) for multi-class softmax classification --------------------------
# Generate dummy data
x_train = np.random.random((1000, 20))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)
x_test = np.random.random((100, 20))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)

model = Sequential()
# Dense(64) is a fully-connected layer with 64 hidden units.
# in the first layer, you must specify the expected input data shape:
# here, 20-dimensional vectors.
model.add(Dense(64, activation="relu", input_dim=20))
model.add(Dropout(0.5))
model.add(Dense(64, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(10, activation="softmax"))

sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss="categorical_crossentropy", optimizer=sgd, metrics=["accuracy"])

model.fit(x_train, y_train, epochs=20, batch_size=128)
score = model.evaluate(x_test, y_test, batch_size=128)
print(f"MLP softmax: test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")  # nnscratch

# -- MLP for binary classification -----------------------------------------------------------------
# Generate dummy data
x_train = np.random.random((1000, 20))
y_train = np.random.randint(2, size=(1000, 1))
x_test = np.random.random((100, 20))
y_test = np.random.randint(2, size=(100, 1))

model = Sequential()
model.add(Dense(64, input_dim=20, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(64, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(1, activation="sigmoid"))

model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])

model.fit(x_train, y_train, epochs=20, batch_size=128)
score = model.evaluate(x_test, y_test, batch_size=128)
print(f"MLP binary: test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")  # nnscratch

# -- About Keras models: the methods every model has -------------------------------------------
model.summary()
print("first layer weights:", [w.shape for w in model.get_layer(index=0).get_weights()])
config = model.get_config()
model = Sequential.from_config(config)

weights = model.get_weights()
model.set_weights(weights)

json_string = model.to_json()
model = model_from_json(json_string)

folder = tempfile.mkdtemp()  # nnscratch: a place for the file
filepath = os.path.join(folder, "my_model.weights.npz")  # Keras 2: 'my_model_weights.h5'
model.save_weights(filepath)
model.load_weights(filepath)

print("layers:", [layer.__class__.__name__ for layer in model.layers])  # nnscratch
model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
print("train_on_batch:", model.train_on_batch(x_train[:32], y_train[:32]))  # nnscratch
print("test_on_batch:", model.test_on_batch(x_test, y_test))  # nnscratch
print("predict_on_batch:", model.predict_on_batch(x_test).shape)  # nnscratch
print("predict_classes:", model.predict_classes(x_test).shape)  # nnscratch (Keras 2.0-2.5)
print("predict_proba:", model.predict_proba(x_test).shape)  # nnscratch (Keras 2.0-2.5)
model.pop()
print("after pop:", model.output_shape)  # nnscratch
