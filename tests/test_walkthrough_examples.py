"""A newcomer's mistakes with the example scripts get one line, not a traceback.

The examples are the first code a learner runs. A bad number (``--epochs 0``), an
``--out`` that is a file, or a missing MNIST file must end the script at once with a line
naming what was wrong, and before any training (an ``--out`` in the way is found before
20,000 passes, not after them).
"""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: a wrong value for each example, and a piece of the line it must print
MISTAKES = {
    "01_data.py": (["--samples", "0"], "n_samples must be an integer >= 2, got 0"),
    "02_logistic_regression.py": (["--epochs", "0"], "epochs must be a positive integer"),
    "03_three_unit_network.py": (["--epochs", "0"], "epochs must be a positive integer"),
    "04_hidden_size_sweep.py": (["--sizes", "0", "--epochs", "5"], "units must be a positive"),
    "05_circles.py": (["--epochs", "0"], "epochs must be a positive integer"),
    "06_keras_style.py": (["--epochs", "0"], "epochs must be a positive integer"),
    "07_nielsen_mnist.py": (["--data", "no-such-mnist.pkl.gz"], "no-such-mnist.pkl.gz"),
    "08_sklearn_gridsearch.py": (["--cv", "1", "--sizes", "1"], "'cv' parameter"),
}

#: the examples that draw into --out
FIGURES = sorted(name for name in MISTAKES if name != "07_nielsen_mnist.py")


def run(script: str, *args: str, cwd: Path, monkeypatch, capsys) -> tuple[str, str]:
    """Run ``examples/script`` as ``python script args`` would, in this process (the
    scripts' imports are then paid once); the message it exits with, and its stdout."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [script, *args])
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    message = stop.value.code
    assert isinstance(message, str), f"{script} exited with status {message!r}, not a message"
    return message, capsys.readouterr().out


def test_every_numbered_example_has_a_mistake_to_try():
    assert sorted(p.name for p in EXAMPLES.glob("0*.py")) == sorted(MISTAKES)


@pytest.mark.parametrize("script", sorted(MISTAKES))
def test_a_bad_value_is_one_line_not_a_traceback(script, tmp_path, monkeypatch, capsys):
    args, expected = MISTAKES[script]
    message, _ = run(script, *args, cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert message.startswith(f"{script}: error: "), message
    assert "\n" not in message
    assert expected in message, message


@pytest.mark.parametrize("script", FIGURES)
def test_an_out_that_is_a_file_is_refused_before_training(script, tmp_path, monkeypatch, capsys):
    (tmp_path / "taken").write_text("not a folder")
    # the full default run would take minutes: the check must come first
    message, out = run(
        script, "--out", "taken", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys
    )
    assert message.startswith(f"{script}: error: "), message
    assert "the --out folder is a file, not a folder" in message, message
    assert "taken" in message
    assert out == ""
    assert (tmp_path / "taken").read_text() == "not a folder"
