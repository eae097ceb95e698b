"""Taking a playground run home: a Python script, and the trained model as a file.

"Copy as Python" writes a plain script that uses nnscratch the way a reader of the
tutorials would: generate the data with the same seed, split it with
``train_test_split(..., random_state=seed)``, build the same ``Sequential``, ``compile``,
``fit`` for the same number of epochs. Because the session trains with ``fit`` too, and
every random draw comes from the seed, the script ends with the very same weights.

The model download is the file ``model.save(path)`` writes (see
:meth:`PlaygroundSession.save_model <nnscratch.lab.web.session.PlaygroundSession.save_model>`
and :mod:`nnscratch.saving`); the script ends with the lines that load it and feed it the
same input features.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from ...engine.model import Sequential
from ...saving import save_model as _save
from .build import FEATURES, model_filename, model_name, n_outputs_for, output_spec, train_size

__all__ = ["model_bytes", "python_script", "save_model"]


def python_script(
    config: dict[str, Any],
    epochs: int,
    task: str,
    n_classes: int,
    csv: np.ndarray | None = None,
) -> str:
    """A runnable script that reproduces a playground run of ``epochs`` epochs.

    Parameters
    ----------
    config : dict
        A validated playground configuration.
    epochs : int
        Epochs trained so far (0: the script builds the model and does not train).
    task : {"classification", "regression"}
    n_classes : int
    csv : (n, 3) array, optional
        Uploaded points ``x1, x2, label`` (embedded in the script).

    Examples
    --------
    >>> from nnscratch.lab.web.session import DEFAULT_CONFIG
    >>> code = python_script(DEFAULT_CONFIG, 10, "classification", 2)
    >>> "model.fit(" in code
    True
    """
    name = config["dataset"]
    seed = config["seed"]
    lines: list[str] = []
    add = lines.append
    hidden = config["hidden_layers"]
    sizes = [len(config["features"])] + [h["units"] for h in hidden]
    sizes.append(n_outputs_for(config["output"], task, n_classes))
    arch = " -> ".join(str(s) for s in sizes)
    add(f'"""A run of the nnscratch playground: {name} data, {epochs} epochs.')
    add("")
    add(f"The network: {arch} units.")
    add("")
    add("Run it with `python this_file.py`. The same seed gives the same data, the same")
    add("initial weights and the same shuffling, so it ends with the weights the playground")
    add('showed."""')
    add("")
    add("import numpy as np")
    add("from sklearn.model_selection import train_test_split")
    add("")
    add("from nnscratch import Sequential")
    if name != "csv":
        add(f"from nnscratch.data.toy import {name}")
    dropout = config["dropout"] > 0
    add("from nnscratch.layers import Dense" + (", Dropout" if dropout else ""))
    opt = config["optimizer"]
    add("from nnscratch.optimizers import " + ("Adam" if opt == "adam" else "SGD"))
    reg = config["l1"] > 0 or config["l2"] > 0
    if reg:
        add("from nnscratch.regularizers import l1_l2")
    add("")
    add(f"SEED = {seed}")
    add(f"EPOCHS = {epochs}")
    add("")
    if name == "csv":
        assert csv is not None
        add("# the uploaded points: x1, x2, label")
        add("DATA = np.array([")
        for row in csv.tolist():
            add(f"    [{row[0]!r}, {row[1]!r}, {row[2]!r}],")
        add("])")
        add("X = DATA[:, :2]")
        if task == "classification":
            add("# labels become classes 0..k-1 in sorted order")
            add("y = np.searchsorted(np.unique(DATA[:, 2]), DATA[:, 2])")
        else:
            add("y = DATA[:, 2]")
    else:
        args = f"n_samples={config['n_samples']}, noise={config['noise']!r}, seed=SEED"
        if name == "multi_gaussian":
            args += f", n_classes={config['n_classes']}"
        add(f"X, y = {name}({args})")
    add(f"n_train = {_n_train_expr(config, csv)}")
    add("X_train, X_test, y_train, y_test = train_test_split(")
    add("    X, y, train_size=n_train, test_size=len(X) - n_train, random_state=SEED")
    add(")")
    add("")
    add("")
    add("def features(X):")
    add(f'    """The network\'s inputs: {", ".join(config["features"])}."""')
    add("    x1, x2 = X[:, 0], X[:, 1]")
    cols = ", ".join(FEATURES[f][0] for f in config["features"])
    add(f"    return np.column_stack([{cols}]).astype(np.float64)")
    add("")
    add("")
    reg_arg = ", kernel_regularizer=penalty" if reg else ""
    n_features = len(config["features"])
    if reg:
        add(f"penalty = l1_l2(l1={config['l1']!r}, l2={config['l2']!r})  # on every kernel")
    add("model = Sequential(")
    add("    [")
    for i, h in enumerate(hidden):
        inp = f", input_dim={n_features}" if i == 0 else ""
        add(f'        Dense({h["units"]}, activation="{h["activation"]}"{reg_arg}{inp}),')
        if dropout:
            add(f"        Dropout({config['dropout']!r}),")
    activation, loss = output_spec(config["output"], task)
    inp = "" if hidden else f", input_dim={n_features}"
    add(f'        Dense({sizes[-1]}, activation="{activation}"{reg_arg}{inp}),')
    add("    ],")
    add("    seed=SEED,")
    add(f'    name="{model_name(config)}",')
    add(")")
    lr = config["learning_rate"]
    if opt == "adam":
        optimizer = f"Adam(learning_rate={lr!r})"
    elif opt == "momentum":
        optimizer = f"SGD(learning_rate={lr!r}, momentum={config['momentum']!r})"
    else:
        optimizer = f"SGD(learning_rate={lr!r})"
    add(f'model.compile(optimizer={optimizer}, loss="{loss}")')
    batch = config["batch_size"]
    batch_arg = "len(X_train)" if batch == "full" else str(batch)
    add("if EPOCHS:")
    if batch == "full":
        add("    # batch_size=len(X_train): full-batch gradient descent, one step per epoch")
    fit_args = f"epochs=EPOCHS, batch_size={batch_arg}, verbose=0"
    add(f"    model.fit(features(X_train), y_train, {fit_args})")
    add("")
    add('print(f"train loss {model.evaluate(features(X_train), y_train, verbose=0):.6f}")')
    add('print(f"test loss  {model.evaluate(features(X_test), y_test, verbose=0):.6f}")')
    if task == "classification":
        add("")
        add("")
        add("def predict(X):")
        if config["output"] == "sigmoid_binary_cross_entropy":
            add("    return (model.predict(features(X))[:, 0] > 0.5).astype(int)")
        else:
            add("    return model.predict(features(X)).argmax(axis=1)")
        add("")
        add("")
        add('print(f"train accuracy {np.mean(predict(X_train) == y_train):.4f}")')
        add('print(f"test accuracy  {np.mean(predict(X_test) == y_test):.4f}")')
    filename = model_filename(config)
    add("")
    add('# The playground\'s "Download model" file holds this trained model. Its inputs are')
    add(f"# the columns of features(X): {', '.join(config['features'])}, in this order. Load it:")
    add("#     import nnscratch")
    add(f'#     downloaded = nnscratch.load_model("{filename}")')
    add("#     downloaded.predict(features(X_test))")
    add("")
    return "\n".join(lines)


def _n_train_expr(config: dict[str, Any], csv: np.ndarray | None) -> int:
    n = csv.shape[0] if config["dataset"] == "csv" and csv is not None else config["n_samples"]
    return train_size(n, config["train_ratio"])


def save_model(model: Sequential, path: str | os.PathLike[str]) -> None:
    """Save a session's trained model with :func:`nnscratch.saving.save_model`.

    The very file ``model.save(path)`` writes (atomically): load it with
    ``nnscratch.load_model(path)``. Its predictions equal the session's bit for bit; the
    inputs are the feature columns of ``config["features"]``, in that order (the model's
    ``name`` lists them). With uploaded CSV data, class ``k`` is the ``k``-th distinct
    label in sorted order.
    """
    _save(model, path)


def model_bytes(model: Sequential, name: str) -> bytes:
    """The bytes of the file :func:`save_model` writes (for the download)."""
    with tempfile.TemporaryDirectory(prefix="nnscratch-playground-") as folder:
        path = os.path.join(folder, name)
        save_model(model, path)
        with open(path, "rb") as f:
            return f.read()
