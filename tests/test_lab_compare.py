"""The side-by-side comparison: same start, same hyperparameters, same numbers."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from nnscratch.lab import compare as lab
from nnscratch.lab import compare_libraries, compare_setup

HAVE_TORCH = importlib.util.find_spec("torch") is not None
HAVE_KERAS = importlib.util.find_spec("keras") is not None and HAVE_TORCH


def real_mnist() -> Path | None:
    """The book's mnist.pkl.gz named by NNSCRATCH_DATA (the file or its folder), if any."""
    value = os.environ.get("NNSCRATCH_DATA")
    if not value:
        return None
    path = Path(value)
    path = path / "mnist.pkl.gz" if path.is_dir() else path
    return path if path.is_file() else None


MNIST = real_mnist()
MNIST_SKIP = "set NNSCRATCH_DATA to the book's mnist.pkl.gz (or its folder) to run this"


def _blobs(n_classes=3, n=90, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % n_classes
    angles = 2 * np.pi * y / n_classes
    X = 2 * np.column_stack([np.cos(angles), np.sin(angles)]) + rng.standard_normal((n, 2))
    return lab.Split(X[:60], y[:60], X[60:], y[60:], n_classes)


def test_settings_defaults_and_overrides():
    s = lab.make_settings("moons")
    assert (s.hidden, s.epochs, s.learning_rate, s.l2, s.batch_size) == (3, 20000, 0.01, 0.01, None)
    s = lab.make_settings("moons", hidden=5, epochs=None, batch_size=0)
    assert s.hidden == 5 and s.epochs == 20000 and s.batch_size is None
    assert lab.make_settings("mnist").batch_size == 10
    with pytest.raises(ValueError, match="unknown dataset 'spirals'; valid: circles, mnist, moons"):
        lab.make_settings("spirals")
    with pytest.raises(ValueError, match="hidden must be a positive integer, got 0"):
        lab.make_settings("moons", hidden=0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        lab.make_settings("moons", learning_rate=-1.0)
    with pytest.raises(TypeError, match="unknown setting"):
        lab.make_settings("moons", hiden=3)


def test_initial_weights_are_the_articles():
    s = lab.make_settings("moons", hidden=3)
    W1, b1, W2, b2 = lab.initial_weights(s, 2, 2)
    rng = np.random.RandomState(0)
    np.testing.assert_array_equal(W1, rng.randn(2, 3) / np.sqrt(2))
    np.testing.assert_array_equal(W2, rng.randn(3, 2) / np.sqrt(3))
    assert not b1.any() and not b2.any()


def test_nnscratch_and_sklearn_on_moons():
    result = lab.compare("moons", libraries=["nnscratch", "scikit-learn"], epochs=300)
    assert [r.library for r in result.runs] == ["nnscratch", "scikit-learn"]
    assert result.skipped == {}
    ours, theirs = result.runs
    assert ours.n_params == 17 and theirs.n_params == 13  # 2-way softmax vs 1 logistic unit
    for run in result.runs:
        assert run.train_accuracy > 0.85 and run.test_accuracy > 0.85
        assert 0 < run.final_loss < 0.7 and run.wall_time > 0
    d = result.to_dict()
    assert d["n_train"] == 140 and d["n_test"] == 60
    assert set(d["results"][0]) == {
        "library",
        "version",
        "train_accuracy",
        "test_accuracy",
        "final_loss",
        "wall_time",
        "n_params",
        "note",
    }


def test_sklearn_takes_the_articles_steps_with_softmax_output():
    """Three classes: scikit-learn's output is a softmax too, and with alpha = reg_lambda
    and learning_rate_init = epsilon * n its full-batch steps are the article's."""
    split = _blobs()
    s = lab.CompareSettings(dataset="moons", hidden=4, epochs=50, learning_rate=0.005, l2=0.05)
    start = lab.initial_weights(s, 2, 3)
    ours = lab.train_nnscratch(split, s, start)
    theirs = lab.train_sklearn(split, s, start)
    assert theirs.n_params == ours.n_params == 2 * 4 + 4 + 4 * 3 + 3
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert ours.final_loss == pytest.approx(theirs.final_loss, rel=1e-10)


def test_article_loss_matches_the_engine_report():
    split = _blobs()
    s = lab.CompareSettings(dataset="moons", hidden=4, epochs=3, learning_rate=0.005, l2=0.05)
    run = lab.train_nnscratch(split, s, lab.initial_weights(s, 2, 3))
    model = compare_setup.article_model(s, 2, 3)
    model.set_weights(run.weights)
    assert run.final_loss == pytest.approx(model.evaluate(split.X_train, split.y_train))


def test_missing_library_is_skipped_with_the_extra_named(monkeypatch):
    def no_torch():
        raise ImportError("No module named 'torch'")

    monkeypatch.setattr(compare_libraries, "import_torch", no_torch)
    result = lab.compare("circles", libraries=["nnscratch", "pytorch"], epochs=20)
    assert [r.library for r in result.runs] == ["nnscratch"]
    assert "nnscratch[compare]" in result.skipped["pytorch"]
    with pytest.raises(ValueError, match="unknown library tensorflow; valid: nnscratch"):
        lab.compare("moons", libraries=["tensorflow"], epochs=1)


def test_boundary_figure_one_panel_per_library(tmp_path):
    result = lab.compare("moons", libraries=["nnscratch", "scikit-learn"], epochs=50)
    fig = lab.boundary_figure(result, resolution=50)
    assert len(fig.axes) == 2
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["nnscratch", "scikit-learn"]
    path = lab.save_figure(fig, tmp_path / "sub" / "b.png")
    with open(path, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["b.png"]  # no temp file left


@pytest.mark.skipif(MNIST is None, reason=MNIST_SKIP)
def test_mnist_with_the_real_loader():
    result = lab.compare(
        "mnist", libraries=["nnscratch"], epochs=1, n_samples=1000, data_path=MNIST
    )
    (run,) = result.runs
    assert result.split.X_train.shape == (1000, 784) and result.split.X_test.shape == (10000, 784)
    assert run.n_params == 784 * 30 + 30 + 30 * 10 + 10
    assert run.test_accuracy > 0.6  # one epoch on 1,000 images, far above chance (0.1)


@pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed (the compare extra)")
@pytest.mark.parametrize("n_classes", [2, 3])
def test_one_epoch_of_pytorch_gives_our_weights_to_1e_12(n_classes):
    """Same start, one full-batch epoch in float64: the same weights, to rounding."""
    split = lab.load_split(lab.make_settings("moons")) if n_classes == 2 else _blobs()
    s = lab.CompareSettings(dataset="moons", hidden=5, epochs=1, learning_rate=0.01, l2=0.01)
    start = lab.initial_weights(s, 2, n_classes)
    ours = lab.train_nnscratch(split, s, start)
    theirs = lab.train_pytorch(split, s, start)
    assert theirs.n_params == ours.n_params
    for a, b in zip(ours.weights, theirs.weights):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(ours.weights[0], start[0])  # it did train


@pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed (the compare extra)")
def test_pytorch_minibatches_reach_the_same_quality():
    s = lab.make_settings("moons", epochs=30, batch_size=20, learning_rate=0.01)
    split = lab.load_split(s)
    start = lab.initial_weights(s, 2, 2)
    ours, theirs = lab.train_nnscratch(split, s, start), lab.train_pytorch(split, s, start)
    assert abs(ours.train_accuracy - theirs.train_accuracy) < 0.05
    assert theirs.final_loss == pytest.approx(ours.final_loss, rel=0.2)


@pytest.mark.skipif(not HAVE_KERAS, reason="Keras 3 and PyTorch (its backend here) are needed")
def test_one_epoch_of_keras_gives_our_weights_to_float32_rounding():
    """Keras 3 on the PyTorch backend does its matrix products in float32 even for float64
    layers (its dtype promotion maps two torch.float64 operands to float32), so one step
    agrees to float32 rounding, not to 1e-12 as PyTorch itself does."""
    split = _blobs()
    s = lab.CompareSettings(dataset="moons", hidden=4, epochs=1, learning_rate=0.01, l2=0.01)
    start = lab.initial_weights(s, 2, 3)
    ours = lab.train_nnscratch(split, s, start)
    theirs = lab.train_keras(split, s, start)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert not np.allclose(ours.weights[0], start[0], rtol=0, atol=1e-4)  # it did train
