"""Convolutional networks on the other fronts: ``nnscratch predict`` reads a conv model,
``nnscratch compare --dataset mnist --conv`` puts nnscratch, PyTorch and Keras side by side
on the book's step-3 network, and one step of each library is the same arithmetic."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw

import nnscratch
import nnscratch.data
from nnscratch.cli import main
from nnscratch.lab import compare_conv
from nnscratch.lab.compare_setup import Split, make_settings
from nnscratch.lab.mnist import load_digit_image, prepare_digit
from nnscratch.layers import Conv2D, Dense, Flatten, MaxPooling2D


def bar(kind: str, w: int, h: int, thick: int) -> Image.Image:
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    if kind == "vbar":
        d.rectangle([w // 2 - thick // 2, h // 5, w // 2 + thick // 2, h - h // 5], fill=0)
    else:
        d.rectangle([w // 5, h // 2 - thick // 2, w - w // 5, h // 2 + thick // 2], fill=0)
    return img


def digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Vertical bars (label 1) and horizontal bars (label 7), prepared like MNIST."""
    rng = np.random.RandomState(seed)
    y = rng.choice([1, 7], n)
    X = np.stack(
        [
            prepare_digit(
                np.asarray(bar("vbar" if label == 1 else "hbar", *rng.randint(40, 70, 2), 6))
                / 255.0
            ).reshape(28, 28, 1)
            for label in y
        ]
    )
    return X.astype(np.float32), y


def test_predict_reads_a_convolutional_model(tmp_path, capsys):
    X, y = digits(120)
    model = nnscratch.Sequential(
        [
            Conv2D(4, 5, activation="relu", input_shape=(28, 28, 1)),
            MaxPooling2D(4),
            Flatten(),
            Dense(10, activation="softmax"),
        ],
        seed=0,
        dtype="float32",
    )
    model.compile("adam", "categorical_crossentropy")
    model.fit(X, y, epochs=8, batch_size=16, verbose=0)
    path = tmp_path / "conv.nnscratch"
    model.save(path)
    images = []
    for kind in ("vbar", "hbar"):
        images.append(tmp_path / f"{kind}.png")
        bar(kind, 150, 120, 16).save(images[-1])
    code = main(["predict", "--model", str(path), "--json", *map(str, images)])
    out, err = capsys.readouterr()
    assert code == 0, err
    predictions = json.loads(out)["predictions"]
    assert [p["digit"] for p in predictions] == [1, 7]
    expected = model.predict(load_digit_image(images[0]).reshape(1, 28, 28, 1))[0]
    np.testing.assert_allclose(predictions[0]["outputs"], expected, rtol=1e-6)


def test_predict_refuses_a_model_for_other_images(tmp_path, capsys):
    model = nnscratch.Sequential(
        [Conv2D(2, 3, input_shape=(32, 32, 3)), Flatten(), Dense(10, activation="softmax")]
    )
    model.compile()
    path = tmp_path / "cifar.nnscratch"
    model.save(path)
    image = tmp_path / "bar.png"
    bar("vbar", 60, 60, 8).save(image)
    assert main(["predict", "--model", str(path), str(image)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "takes inputs of shape (32, 32, 3), not 784 pixels or 28x28x1 images" in err


# -- compare --conv --------------------------------------------------------------------------
def fake_mnist(path=None, *, download=True, progress=True):
    """Stands in for nnscratch.data.load_mnist: MNIST's shapes, bars for digits."""
    assert download is False and progress is False  # compare never downloads or prints
    return digits(60), digits(10, 1), digits(30, 2)


def test_compare_conv_table(monkeypatch, capsys):
    monkeypatch.setattr(nnscratch.data, "load_mnist", fake_mnist, raising=False)
    argv = ["compare", "--dataset", "mnist", "--conv", "--libraries", "nnscratch,scikit-learn"]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings"]["conv"] is True
    assert (result["settings"]["learning_rate"], result["settings"]["l2"]) == (0.03, 0.1)
    assert (result["settings"]["epochs"], result["settings"]["batch_size"]) == (1, 10)
    assert (result["n_train"], result["n_test"]) == (60, 30)
    (run,) = result["results"]
    assert run["library"] == "nnscratch" and run["n_params"] == 85_670
    assert run["final_loss"] > 0 and 0 <= run["test_accuracy"] <= 1
    assert result["skipped"] == {"scikit-learn": "scikit-learn has no convolutional layers"}
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("mnist: 60 training / 30 test examples; the book's step-3 network")
    assert "eta 0.03, lmbda 0.1" in out and "85670" in out


def test_compare_conv_needs_mnist(capsys):
    assert main(["compare", "--dataset", "moons", "--conv"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--dataset mnist" in err


def test_the_book_initial_weights_and_penalty():
    settings = make_settings("mnist", conv=True)
    weights = compare_conv.book_initial_weights(settings)
    shapes = [w.shape for w in weights]
    conv = [(5, 5, 1, 20), (20,), (5, 5, 20, 40), (40,)]
    assert shapes == [*conv, (640, 100), (100,), (100, 10), (10,)]
    assert all(w.dtype == np.float32 for w in weights)
    assert abs(weights[2].std() - np.sqrt(1 / 250)) < 0.005  # N(0, 1/n_out), n_out = 40*25/4
    assert not weights[6].any() and not weights[7].any()  # the softmax layer starts at zero
    # 0.5 * lmbda * sum(w**2) / num_training_batches, with 50,000 / 10 batches
    assert compare_conv.l2_coefficient(settings, 50_000) == pytest.approx(0.1 / 10_000)


def one_step_split(n: int = 10) -> Split:
    X, y = digits(n)
    return Split(X, y.astype(np.int64), X[:2], y[:2].astype(np.int64), 10)


def nnscratch_step(settings, weights, split):
    model = compare_conv.conv_model(settings, compare_conv.l2_coefficient(settings, 5000))
    model.set_weights(weights)
    model.fit(split.X_train, split.y_train, batch_size=len(split.y_train), shuffle=False)
    return model.get_weights()


def test_one_step_of_pytorch_is_the_same_arithmetic():
    torch = pytest.importorskip("torch")
    with compare_conv.one_thread():  # as compare runs it (and fast on a busy machine)
        pytorch_step(torch)


def pytorch_step(torch):
    settings = make_settings("mnist", conv=True)
    rng = np.random.default_rng(0)
    weights = compare_conv.book_initial_weights(settings)
    weights[6] = rng.normal(0, 0.1, weights[6].shape).astype(np.float32)  # a live softmax
    split = one_step_split()
    ours = nnscratch_step(settings, weights, split)
    model = compare_conv.torch_conv_model(torch, weights)
    kernels = [p for name, p in model.named_parameters() if name.endswith("weight")]
    opt = torch.optim.SGD(model.parameters(), lr=settings.learning_rate)
    x = torch.from_numpy(np.ascontiguousarray(split.X_train.transpose(0, 3, 1, 2)))
    loss = torch.nn.functional.cross_entropy(model(x), torch.from_numpy(split.y_train))
    c = compare_conv.l2_coefficient(settings, 5000)
    (loss + c * sum((w * w).sum() for w in kernels)).backward()
    opt.step()
    theirs = compare_conv.torch_conv_model(torch, ours)  # ours in PyTorch's layouts
    for mine, other in zip(theirs.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(mine.detach().numpy(), other.detach().numpy(), atol=2e-6)
    moved = [np.abs(a - b).max() for a, b in zip(ours, weights, strict=True)]
    assert min(moved) > 1e-5  # every array took a step


def test_one_step_of_keras_is_the_same_arithmetic():
    pytest.importorskip("torch")
    from nnscratch.lab.compare_libraries import import_keras

    try:
        keras = import_keras()
    except ImportError:
        pytest.skip("Keras 3 is not installed")
    with compare_conv.one_thread():
        keras_step(keras)


def keras_step(keras):
    settings = make_settings("mnist", conv=True)
    weights = compare_conv.book_initial_weights(settings)
    weights[6] = np.random.default_rng(1).normal(0, 0.1, weights[6].shape).astype(np.float32)
    split = one_step_split()
    ours = nnscratch_step(settings, weights, split)
    c = compare_conv.l2_coefficient(settings, 5000)
    model = compare_conv.keras_conv_model(keras, weights, c)
    model.compile(
        optimizer=keras.optimizers.SGD(settings.learning_rate),
        loss="sparse_categorical_crossentropy",
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(split.X_train, split.y_train, batch_size=10, epochs=1, shuffle=False, verbose=0)
        theirs = [np.asarray(w) for w in model.get_weights()]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=2e-6)
