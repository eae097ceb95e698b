"""``nnscratch compare``: the table, the JSON, the figure, and one-line errors."""

import json

import numpy as np
import pytest

import nnscratch.data
from nnscratch.cli import COMMAND_MODULES, main

QUICK = ["--epochs", "60", "--libraries", "nnscratch,scikit-learn"]


def test_registered():
    assert "compare" in COMMAND_MODULES


def test_table_and_figure(tmp_path, capsys):
    status = main(
        ["compare", "--dataset", "moons", "--hidden", "3", *QUICK, "--out", str(tmp_path)]
    )
    out, err = capsys.readouterr()
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("moons: 140 training / 60 test examples; 3 tanh units, 60 epochs")
    assert lines[1].split() == [
        "library",
        "version",
        "train",
        "acc",
        "test",
        "acc",
        "final",
        "loss",
        "wall",
        "time",
        "params",
    ]
    rows = {line.split()[0]: line.split() for line in lines[3:5]}
    assert set(rows) == {"nnscratch", "scikit-learn"}
    assert rows["nnscratch"][-1] == "17" and rows["scikit-learn"][-1] == "13"
    assert (tmp_path / "compare-moons.png").stat().st_size > 1000
    assert f"decision boundaries: {tmp_path / 'compare-moons.png'}" in out
    assert "training nnscratch" in err


def test_json(tmp_path, capsys):
    status = main(["compare", "--dataset", "circles", *QUICK, "--json", "--out", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert status == 0
    result = json.loads(out)
    assert result["settings"]["dataset"] == "circles" and result["settings"]["epochs"] == 60
    assert [r["library"] for r in result["results"]] == ["nnscratch", "scikit-learn"]
    for r in result["results"]:
        assert 0.5 <= r["test_accuracy"] <= 1.0 and r["wall_time"] > 0
    assert result["figure"] == str(tmp_path / "compare-circles.png")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--libraries", "nnscratch,theano"], "unknown library theano"),
        (["--hidden", "0"], "--hidden must be a positive integer, got 0"),
        (["--epochs", "0"], "--epochs must be a positive integer, got 0"),
        (["--samples", "1"], "--samples must be an integer >= 2, got 1"),
        (["--l2", "-1"], "--l2 must be a finite number >= 0, got -1.0"),
        (["--seed", "-1"], "--seed must be an integer in 0..4294967295, got -1"),
        (["--batch-size", "-3"], "--batch-size must be an integer >= 0"),
        (["--learning-rate", "nan"], "--learning-rate must be a finite number > 0"),
        (["--test-size", "1.5"], "--test-size must be in (0, 1), got 1.5"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message, tmp_path, capsys):
    status = main(["compare", "--epochs", "1", "--out", str(tmp_path), *args])
    _, err = capsys.readouterr()
    assert status == 2
    assert message in err and len(err.strip().splitlines()) == 1


def _fake_mnist(path=None, *, download=True, progress=True):
    """Stands in for nnscratch.data.load_mnist: MNIST's shapes, random pixels."""
    rng = np.random.RandomState(0)

    def part(n):
        return rng.uniform(0, 1, (n, 784)).astype(np.float32), rng.randint(0, 10, n)

    assert download is False and progress is False  # compare never downloads or prints
    return part(120), part(20), part(40)


def test_mnist_table_without_figure(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(nnscratch.data, "load_mnist", _fake_mnist, raising=False)
    args = ["--epochs", "1", "--samples", "100", "--hidden", "8", "--out", str(tmp_path)]
    status = main(["compare", "--dataset", "mnist", *args, "--libraries", "nnscratch,scikit-learn"])
    out, _ = capsys.readouterr()
    assert status == 0
    assert out.startswith("mnist: 100 training / 40 test examples; 8 tanh units, 1 epoch,")
    params = 784 * 8 + 8 + 8 * 10 + 10
    rows = [line.split() for line in out.splitlines() if line.startswith(("nnscratch ", "scikit"))]
    assert [r[-1] for r in rows] == [str(params), str(params)]  # softmax in both
    assert "decision boundaries" not in out and not list(tmp_path.iterdir())
    assert "note:" not in out  # every library trained normally
