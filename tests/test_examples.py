"""Every script in examples/ runs headless, start to finish, with small arguments.

The list of scripts comes from a glob, so a new example is picked up automatically; it
must then get an entry in ``QUICK`` (the test fails until it has one, so no example goes
untested). Each run must exit 0 and print what the entry expects; a script that draws
must save its figure(s) into the folder given by ``--out``.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def real_mnist() -> Path | None:
    """The book's mnist.pkl.gz named by NNSCRATCH_DATA (the file or its folder), if any."""
    value = os.environ.get("NNSCRATCH_DATA")
    if not value:
        return None
    path = Path(value)
    path = path / "mnist.pkl.gz" if path.is_dir() else path
    return path if path.is_file() else None


MNIST = real_mnist()


@dataclass
class Quick:
    """How to run one example quickly (its defaults are the tutorials' full settings)."""

    args: list[str]
    expect: str  # a piece of what it must print
    figures: bool = True  # takes --out DIR and saves PNG files there
    needs_mnist: bool = False  # reads MNIST; skipped (saying how to run it) without it


QUICK: dict[str, Quick] = {
    "01_data.py": Quick(["--samples", "50"], "X: (50, 2)"),
    "02_logistic_regression.py": Quick(
        ["--epochs", "200"], "LogisticRegressionCV: training accuracy"
    ),
    "03_three_unit_network.py": Quick(
        ["--epochs", "300", "--print-every", "100"], "Loss after iteration 200:"
    ),
    "04_hidden_size_sweep.py": Quick(["--sizes", "1", "3", "5", "--epochs", "200"], "hidden   5:"),
    "05_circles.py": Quick(["--epochs", "300"], "3 tanh hidden units: final loss"),
    "06_keras_style.py": Quick(["--epochs", "5"], "evaluate: loss"),
    "08_sklearn_gridsearch.py": Quick(
        ["--sizes", "1", "5", "--max-iter", "50", "--cv", "2", "--n-jobs", "1"],
        "best hidden size:",
    ),
    # The book's network on MNIST (one epoch over the 50,000 training images).
    "07_nielsen_mnist.py": Quick(
        ["--epochs", "1", "--seed", "0", "--data", str(MNIST)],
        "Epoch 0:",
        figures=False,
        needs_mnist=True,
    ),
    # Keras 2's scripts with only the imports changed (see also tests/test_keras_examples.py).
    "keras_mnist_mlp.py": Quick(
        ["--subset", "300", "--epochs", "1"], "Test accuracy:", figures=False, needs_mnist=True
    ),
    "keras_mnist_cnn.py": Quick(
        ["--subset", "300", "--epochs", "1"], "Test accuracy:", figures=False, needs_mnist=True
    ),
    "keras_sequential_guide.py": Quick([], "after pop: (None, 64)", figures=False),
}

SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_examples_exist():
    assert len(SCRIPTS) >= 7, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_headless(script, tmp_path):
    if script not in QUICK:
        pytest.fail(
            f"examples/{script} has no entry in QUICK in tests/test_examples.py; add small "
            f"arguments for it so that it is run by the test suite"
        )
    quick = QUICK[script]
    if quick.needs_mnist and MNIST is None:
        pytest.skip(
            f"examples/{script} reads MNIST: set NNSCRATCH_DATA to the book's mnist.pkl.gz "
            "(or its folder) to run it"
        )
    out = tmp_path / "out"
    args = [*quick.args, "--out", str(out)] if quick.figures else list(quick.args)
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    assert quick.expect in proc.stdout, proc.stdout
    if quick.figures:
        pngs = sorted(out.glob("*.png"))
        assert pngs, f"{script} saved no figure into --out"
        for png in pngs:
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f"saved {png}" in proc.stdout
        assert not (tmp_path / "nnscratch-out").exists()  # --out was honoured


# -- the examples and the command line agree ------------------------------------------------
def run_example(script: str, *args: str, cwd: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / script), *args, "--out", str(cwd)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def cli_json(capsys, *argv: str) -> dict:
    from nnscratch.cli import main

    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def numbers(record: dict) -> str:
    return (
        f"final loss {record['final_loss']:.6f}, training accuracy {record['train_accuracy']:.1%}"
    )


def test_the_network_example_prints_what_nnscratch_moons_prints(tmp_path, capsys):
    lines = run_example(
        "03_three_unit_network.py", "--epochs", "301", "--print-every", "100", cwd=tmp_path
    )
    (result,) = cli_json(capsys, "moons", "--passes", "301", "--print-every", "100",
                         "--out", str(tmp_path / "cli"))["results"]  # fmt: skip
    printed = [line for line in lines if line.startswith("Loss after iteration")]
    assert printed == [f"Loss after iteration {i}: {v:f}" for i, v in
                       zip(result["iterations"], result["losses"])]  # fmt: skip
    assert numbers(result) in lines
    assert lines[0].startswith("settings: moons, 3 tanh units, 301 full-batch passes")


def test_the_sweep_example_prints_what_nnscratch_sweep_prints(tmp_path, capsys):
    lines = run_example(
        "04_hidden_size_sweep.py", "--sizes", "1", "3", "--epochs", "300", cwd=tmp_path
    )
    payload = cli_json(capsys, "sweep", "--hidden", "1", "3", "--passes", "300",
                       "--out", str(tmp_path / "cli"), "--jobs", "1")  # fmt: skip
    for record in payload["results"]:
        assert f"hidden {record['hidden']:3d}: {numbers(record)}" in lines


def test_the_circles_example_agrees_with_logreg_and_sweep(tmp_path, capsys):
    lines = run_example("05_circles.py", "--epochs", "300", cwd=tmp_path)
    logreg = cli_json(capsys, "logreg", "--dataset", "circles", "--out", str(tmp_path / "cli"))
    accuracy = logreg["results"][0]["train_accuracy"]
    assert f"LogisticRegressionCV: training accuracy {accuracy:.1%}" in lines
    (network,) = cli_json(capsys, "sweep", "--dataset", "circles", "--hidden", "3",
                          "--passes", "300", "--out", str(tmp_path / "cli"))["results"]  # fmt: skip
    assert f"3 tanh hidden units: {numbers(network)}" in lines
