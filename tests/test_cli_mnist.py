"""``nnscratch mnist`` and ``nnscratch predict`` end to end, on a small synthetic MNIST.

The synthetic digits are shapes (a ring, a vertical bar, a horizontal bar, a plus),
drawn at random sizes and thicknesses and prepared exactly like MNIST (cropped, scaled
into 20x20, centred by centre of mass), so a network trained on them can read the same
shapes drawn large in a PNG file.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nnscratch.cli import main
from nnscratch.lab.mnist import load_digit_image, prepare_digit
from nnscratch.nielsen import load

SHAPES = ("ring", "vbar", "hbar", "plus")  # labels 0, 1, 2, 3


def draw_shape(kind: str, w: int, h: int, thick: int, ink=0, paper=255, mode="L"):
    img = Image.new(mode, (w, h), paper)
    d = ImageDraw.Draw(img)
    mx, my = w // 5, h // 5
    if kind == "ring":
        d.ellipse([mx, my, w - mx, h - my], outline=ink, width=thick)
    elif kind == "vbar":
        d.rectangle([w // 2 - thick // 2, my, w // 2 + thick // 2, h - my], fill=ink)
    elif kind == "hbar":
        d.rectangle([mx, h // 2 - thick // 2, w - mx, h // 2 + thick // 2], fill=ink)
    else:
        d.rectangle([w // 2 - thick // 2, my, w // 2 + thick // 2, h - my], fill=ink)
        d.rectangle([mx, h // 2 - thick // 2, w - mx, h // 2 + thick // 2], fill=ink)
    return img


def synthetic_split(n: int, rng: np.random.RandomState):
    X = np.empty((n, 784), dtype=np.float32)
    y = rng.randint(0, len(SHAPES), size=n).astype(np.int64)
    for i, label in enumerate(y):
        w, h = rng.randint(40, 70, size=2)
        img = draw_shape(SHAPES[label], int(w), int(h), int(rng.randint(4, 9)))
        X[i] = prepare_digit(np.asarray(img, dtype=np.float64) / 255.0)
    X = np.floor(X * 256).clip(0, 255) / 256  # the book's byte / 256 pixels
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fake_mnist(tmp_path_factory):
    """A small file in the format of the book's mnist.pkl.gz."""
    rng = np.random.RandomState(0)
    parts = tuple(synthetic_split(n, rng) for n in (400, 60, 100))
    path = tmp_path_factory.mktemp("data") / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(parts, f, protocol=2)
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture(scope="module")
def trained(fake_mnist, tmp_path_factory):
    """Train once with --json --save --out; reused by the tests that read the results."""
    folder = tmp_path_factory.mktemp("run")
    model, out = folder / "net.json", folder / "figures"
    argv = [
        "mnist", "--data", str(fake_mnist), "--sizes", "784", "20", "10", "--epochs", "8",
        "--seed", "3", "--json", "--save", str(model), "--out", str(out),
    ]  # fmt: skip
    return argv, model, out


def run_cli(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_mnist_trains_saves_and_draws(trained, capsys, monkeypatch, tmp_path):
    argv, model, out = trained
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    code, stdout, stderr = run_cli(argv, capsys)
    assert code == 0, stderr
    result = json.loads(stdout)  # exactly one JSON object on stdout
    assert result["sizes"] == [784, 20, 10] and result["epochs_completed"] == 8
    assert result["train_size"] == 400 and result["test_size"] == 100
    assert result["cost"] == "quadratic" and result["eta"] == 3.0
    assert result["best_test_accuracy"] >= 0.9  # the shapes are easy to tell apart
    assert len(result["history"]["test_accuracy"]) == 8
    assert "Epoch 0: " in stderr and " / 100 " in stderr  # the epoch lines went to stderr
    net = load(model)
    assert net.sizes == [784, 20, 10]
    names = sorted(os.listdir(out))
    assert names == [
        "confusion_matrix.png",
        "curves.png",
        "hidden_weights.png",
        "misclassified.png",
    ]
    for name in names:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(result["figures"]) == sorted(str(out / n) for n in names)

    # the same seed gives the same run
    code, stdout2, _ = run_cli(argv, capsys)
    assert code == 0
    assert json.loads(stdout2)["history"]["test_accuracy"] == result["history"]["test_accuracy"]


def test_epoch_lines_with_data_from_the_environment(fake_mnist, capsys, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_DATA", str(fake_mnist))
    code, stdout, stderr = run_cli(
        ["mnist", "--epochs", "2", "--cost", "cross-entropy", "--lmbda", "5.0", "--seed", "1"],
        capsys,
    )
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("Epoch 0: ") and "/ 100 (" in lines[0]
    assert lines[1].startswith("Epoch 1: ")
    assert lines[2].startswith("best test accuracy")


@pytest.mark.parametrize(
    ("shape", "size", "colours", "mode"),
    [
        ("vbar", (240, 320), (0, 255), "L"),  # black ink on white paper, large
        ("ring", (21, 17), (255, 0), "L"),  # white on black, tiny
        ("hbar", (500, 300), ((20, 20, 120), (250, 245, 230)), "RGB"),  # blue pen, cream paper
        ("plus", (128, 128), ((0, 0, 0, 255), (0, 0, 0, 0)), "RGBA"),  # transparent background
    ],
)
def test_predict_reads_drawn_shapes(trained, capsys, tmp_path, shape, size, colours, mode):
    argv, model, _ = trained
    if not model.exists():
        assert run_cli(argv, capsys)[0] == 0
    w, h = size
    thick = max(2, min(w, h) // 10)
    img = draw_shape(shape, w, h, thick, ink=colours[0], paper=colours[1], mode=mode)
    path = tmp_path / f"{shape}.png"
    img.save(path)
    code, stdout, stderr = run_cli(["predict", "--model", str(model), str(path)], capsys)
    assert code == 0, stderr
    assert stdout.startswith(f"{path}: {SHAPES.index(shape)}"), stdout
    code, stdout, _ = run_cli(["predict", "--model", str(model), "--json", str(path)], capsys)
    result = json.loads(stdout)
    assert result["predictions"][0]["digit"] == SHAPES.index(shape)
    assert len(result["predictions"][0]["outputs"]) == 10


def test_prepared_image_looks_like_mnist(tmp_path):
    img = draw_shape("vbar", 300, 200, 20)
    path = tmp_path / "one.jpg"
    img.convert("RGB").save(path)
    x = load_digit_image(path).reshape(28, 28)
    rows = np.flatnonzero(x.max(axis=1) > 0.1)
    assert rows[-1] - rows[0] + 1 == 20  # the longer side fits 20 pixels
    ys, xs = np.indices(x.shape)
    assert abs((ys * x).sum() / x.sum() - 13.5) < 1 and abs((xs * x).sum() / x.sum() - 13.5) < 1
    assert x.min() >= 0 and x.max() <= 1 and x[0].max() == 0  # white on black


def one_line_error(code, stderr, *words):
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--sizes", "10", "10"], ["--sizes", "784"]),
        (["--sizes", "784"], ["--sizes"]),
        (["--epochs", "0"], ["--epochs"]),
        (["--batch-size", "-3"], ["--batch-size"]),
        (["--eta", "-1"], ["--eta"]),
        (["--eta", "nan"], ["--eta"]),
        (["--lmbda", "-2"], ["--lmbda"]),
        (["--cost", "log"], ["--cost", "quadratic"]),
        (["--dtype", "float16"], ["--dtype"]),
        (["--epochs", "two"], ["--epochs"]),
        (["--train-size", "0"], ["--train-size"]),
        (["--threads", "-1"], ["--threads"]),
        (["--seed", "-5"], ["--seed"]),
    ],
)
def test_bad_arguments_exit_2_with_one_line(fake_mnist, capsys, args, words):
    code, _, stderr = run_cli_safely(["mnist", "--data", str(fake_mnist), *args], capsys)
    one_line_error(code, stderr, *words)


def run_cli_safely(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_missing_or_corrupt_data_file(tmp_path, capsys):
    code, _, stderr = run_cli_safely(["mnist", "--data", str(tmp_path / "nope.pkl.gz")], capsys)
    one_line_error(code, stderr, "nope.pkl.gz")
    bad = tmp_path / "mnist.pkl.gz"
    bad.write_bytes(b"not a gzip file at all")
    code, _, stderr = run_cli_safely(["mnist", "--data", str(bad)], capsys)
    one_line_error(code, stderr, "mnist.pkl.gz")


def test_predict_errors_exit_2_with_one_line(trained, capsys, tmp_path):
    argv, model, _ = trained
    if not model.exists():
        assert run_cli(argv, capsys)[0] == 0
    text = tmp_path / "notes.png"
    text.write_text("this is not an image")
    truncated = tmp_path / "cut.png"
    draw_shape("ring", 64, 64, 6).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:60])
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    corrupt_model = tmp_path / "net.json"
    corrupt_model.write_text('{"sizes": [784, 10], "weights": "oops"')
    cases = [
        (["--model", str(model), str(tmp_path / "missing.png")], ["missing.png", "no such file"]),
        (["--model", str(model), str(text)], ["notes.png", "not an image"]),
        (["--model", str(model), str(truncated)], ["cut.png"]),
        (["--model", str(model), str(blank)], ["blank.png", "blank"]),
        (["--model", str(model), str(tmp_path)], [str(tmp_path)]),
        (["--model", str(corrupt_model), str(blank)], ["--model", "JSON"]),
        (["--model", str(tmp_path / "none.json"), str(blank)], ["--model", "no such file"]),
    ]
    for args, words in cases:
        code, _, stderr = run_cli_safely(["predict", *args], capsys)
        one_line_error(code, stderr, *words)


def test_ctrl_c_keeps_and_saves_what_was_trained(fake_mnist, tmp_path):
    model = tmp_path / "net.json"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "MPLBACKEND": "Agg"}
    cmd = [
        sys.executable, "-m", "nnscratch", "mnist", "--data", str(fake_mnist),
        "--epochs", "100000", "--seed", "0", "--save", str(model),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()  # wait until an epoch has finished
        assert first.startswith("Epoch 0: "), first + proc.stderr.read()
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "interrupted after" in stderr and "saved the network" in stderr
    assert "Traceback" not in stderr
    net = load(model)
    assert net.sizes == [784, 30, 10]
    rs = np.random.RandomState(0)  # the seed's initial draws: biases, then weights
    rs.randn(30, 1), rs.randn(10, 1)
    initial = rs.randn(30, 784)
    trained_weights = net.weights[0]
    assert np.corrcoef(initial.ravel(), trained_weights.ravel())[0, 1] > 0.9
    assert not np.allclose(initial, trained_weights)


def test_nielsen_example_script_runs(fake_mnist, tmp_path):
    script = Path(__file__).resolve().parents[1] / "examples" / "07_nielsen_mnist.py"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, str(script), "--data", str(fake_mnist), "--epochs", "2",
         "--chapter", "3", "--hidden", "15", "--seed", "0"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Epoch 0 training complete" in proc.stdout
    assert "Accuracy on evaluation data: " in proc.stdout


# -- the same run twice, and a printed seed ----------------------------------------------------
def test_two_runs_without_a_seed_print_the_same_accuracy(fake_mnist, capsys):
    # `nnscratch mnist --epochs 1 --train-size 2000`, on a small set: seed 0 by default.
    argv = ["mnist", "--data", str(fake_mnist), "--epochs", "1", "--train-size", "200"]
    outputs = []
    for _ in range(2):
        code, stdout, stderr = run_cli(argv, capsys)
        assert code == 0, stderr
        outputs.append(stdout)
        assert "seed 0" in stderr.splitlines()[0]  # the start line names the seed
    assert outputs[0] == outputs[1]
    best = outputs[0].splitlines()[-1]
    assert best.startswith("best test accuracy ") and "(seed 0, " in best


# -- predict reads both model formats -------------------------------------------------------
def test_predict_reads_a_nnscratch_model(fake_mnist, tmp_path, capsys):
    import gzip as _gzip
    import pickle as _pickle

    import nnscratch
    from nnscratch.layers import Dense

    with _gzip.open(fake_mnist, "rb") as f:
        (X, y), _, _ = _pickle.load(f)
    model = nnscratch.Sequential([Dense(10, "softmax", input_dim=784)], seed=0)
    model.compile("adam", "categorical_crossentropy")
    model.fit(X, y, epochs=20, batch_size=32, verbose=0)
    path = tmp_path / "digits.nnscratch"
    model.save(path)
    image = tmp_path / "bar.png"
    draw_shape("vbar", 120, 160, 14).save(image)
    code, stdout, stderr = run_cli(["predict", "--model", str(path), "--json", str(image)], capsys)
    assert code == 0, stderr
    (prediction,) = json.loads(stdout)["predictions"]
    expected = model.predict(load_digit_image(image).reshape(1, 784))[0]
    np.testing.assert_allclose(prediction["outputs"], expected, rtol=1e-6)
    assert prediction["digit"] == int(np.argmax(expected))


def test_predict_refuses_other_files_and_wrong_shapes(tmp_path, capsys):
    import nnscratch
    from nnscratch.layers import Dense

    image = tmp_path / "bar.png"
    draw_shape("vbar", 60, 80, 8).save(image)
    text = tmp_path / "notes.txt"
    text.write_text("not a network")
    narrow = tmp_path / "narrow.nnscratch"
    small = nnscratch.Sequential([Dense(10, "softmax", input_dim=3)], seed=0)
    small.compile("sgd", "categorical_crossentropy")
    small.save(narrow)
    broken = tmp_path / "broken.nnscratch"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    deep = tmp_path / "deep.json"
    deep.write_text('{"sizes": ' + "[" * 200_000 + "]" * 200_000 + "}")
    cases = [
        (text, ["--model", "not a saved network", ".nnscratch", "JSON"]),
        (narrow, ["--model", "takes 3 inputs, not 784"]),
        (broken, ["--model", "cannot load it"]),
        (deep, ["--model"]),
    ]
    for model, words in cases:
        code, _, stderr = run_cli_safely(["predict", "--model", str(model), str(image)], capsys)
        one_line_error(code, stderr, *words)


def test_save_under_a_file_says_the_file_is_in_the_way(fake_mnist, tmp_path, capsys):
    (tmp_path / "taken").write_text("a file")
    target = tmp_path / "taken" / "net.json"
    code, _, stderr = run_cli_safely(
        ["mnist", "--data", str(fake_mnist), "--epochs", "1", "--save", str(target)], capsys
    )
    one_line_error(code, stderr, "--save", "is a file, not a folder")
    assert "does not exist" not in stderr


def test_save_into_the_out_folder_it_makes(fake_mnist, tmp_path, capsys):
    """``--out results --save results/net.json``: the folder of --save is made, as --out's
    is (and chapter6's --save's), instead of refused for not existing yet."""
    out = tmp_path / "results"
    code, _, stderr = run_cli_safely(
        ["mnist", "--data", str(fake_mnist), "--epochs", "1", "--out", str(out),
         "--save", str(out / "net.json")],
        capsys,
    )  # fmt: skip
    assert code == 0, stderr
    assert (out / "net.json").is_file()


@pytest.mark.parametrize(("epochs", "words"), [("1", "1 epoch of"), ("2", "2 epochs of")])
def test_the_opening_line_counts_epochs_in_english(fake_mnist, capsys, epochs, words):
    code, _, stderr = run_cli_safely(
        ["mnist", "--data", str(fake_mnist), "--epochs", epochs, "--train-size", "50"], capsys
    )
    assert code == 0, stderr
    assert words in stderr.splitlines()[0], stderr
