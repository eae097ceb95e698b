"""``nnscratch chapter6``: the book's ladder on a small fake MNIST, one epoch per step."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnscratch.cli import main
from nnscratch.lab import chapter6 as lab


@pytest.fixture(scope="module")
def fake_data(tmp_path_factory):
    from test_nielsen_book import write_fake_mnist

    path = tmp_path_factory.mktemp("mnist") / "mnist.pkl.gz"
    write_fake_mnist(path, n=(200, 40, 40))
    return path


@pytest.fixture
def env(fake_data, tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_DATA", str(fake_data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_step1_json_curves_and_a_saved_model(env, capsys):
    code = main(
        ["chapter6", "--step", "1", "--epochs", "2", "--json", "--out", str(env / "out"),
         "--save", str(env / "net.nnscratch")]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["step"] == 1 and result["book_accuracy"] == 0.9878
    assert result["epochs_completed"] == [2] and result["status"] == "complete"
    assert result["seed"] == 0 and result["eta"] == 0.1 and result["lmbda"] == 0.0
    run = result["runs"][0]
    best = run["best_epoch"]
    assert result["best_test_accuracy"] == run["test_accuracy"][str(best)]
    # the book's lines and one progress line per epoch, on stderr under --json
    assert "Epoch 0: validation accuracy" in captured.err
    assert "Finished training network." in captured.err
    assert "step 1: 2/2 epoch" in captured.err and "s this epoch" in captured.err
    assert sorted(p.name for p in (env / "out").iterdir()) == [
        "chapter6-step1.json",
        "chapter6-step1.png",
    ]
    # the saved model is the best validation epoch's network
    import nnscratch
    from nnscratch.data.mnist import load_mnist

    model = nnscratch.load_model(env / "net.nnscratch")
    X, y = load_mnist().test
    predicted = model.predict(X.reshape(-1, 28, 28, 1)).argmax(1)
    assert float(np.mean(predicted == y)) == pytest.approx(result["best_test_accuracy"])


def test_summary_line_beside_the_book(env, capsys):
    assert main(["chapter6", "--step", "1", "--epochs", "1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Training mini-batch number 0"
    last = out.strip().splitlines()[-1]
    assert last.startswith("step 1: test accuracy ") and "(book 98.78%" in last
    assert last.endswith("seed 3")
    assert "; 1 epoch, " in last  # not "1 epochs"


def test_outputs_are_checked_before_training(env, capsys):
    (env / "file").write_text("x")
    assert main(["chapter6", "--step", "1", "--out", str(env / "file")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["chapter6", "--step", "1", "--save", str(env / "net.h5")]) == 2
    assert ".nnscratch" in capsys.readouterr().err
    assert main(["chapter6", "--step", "1", "--epochs", "0"]) == 2
    assert "--epochs" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["chapter6", "--step", "7"])
    assert exit_info.value.code == 2
    assert "invalid choice: 7" in capsys.readouterr().err


def test_ctrl_c_keeps_and_saves_the_best_weights(env, capsys, monkeypatch):
    from nnscratch.cli import chapter6 as command

    real = command._EpochLine.__call__

    def interrupt_after_two(self, epoch, record):
        real(self, epoch, record)
        if epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(command._EpochLine, "__call__", interrupt_after_two)
    code = main(
        ["chapter6", "--step", "3", "--epochs", "5", "--json", "--save", str(env / "n.nnscratch")]
    )
    captured = capsys.readouterr()
    assert code == 130
    result = json.loads(captured.out)
    assert result["status"] == "interrupted" and result["epochs_completed"] == [2]
    assert result["models"] == [str(env / "n.nnscratch")]
    assert "best validation epoch are kept" in captured.err


def test_step6_votes_with_five_networks(env, capsys):
    code = main(["chapter6", "--step", "6", "--epochs", "1", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert len(result["network_test_accuracy"]) == 5 and result["epochs_completed"] == [1] * 5
    assert result["best_test_accuracy"] == result["ensemble_test_accuracy"]
    assert "network 5/5" in captured.err


def test_vote_counts_each_network_once():
    class Fixed:
        def __init__(self, digits):
            self.digits = np.array(digits)

        def predict(self, x):
            return self.digits

    nets = [Fixed([1, 2, 3]), Fixed([1, 4, 5]), Fixed([7, 4, 6])]
    np.testing.assert_array_equal(lab.vote(nets, None), [1, 4, 3])


def test_steps_follow_the_book():
    assert [round(s.book_accuracy * 100, 2) for s in lab.STEPS.values()] == [
        98.78, 99.06, 99.23, 99.37, 99.60, 99.67,
    ]  # fmt: skip
    net = lab.build_network(5, print_fn=None)
    assert [type(layer).__name__ for layer in net.layers] == [
        "ConvPoolLayer", "ConvPoolLayer", "FullyConnectedLayer", "FullyConnectedLayer",
        "SoftmaxLayer",
    ]  # fmt: skip
    assert [layer.p_dropout for layer in net.layers[2:]] == [0.5, 0.5, 0.5]
    assert Path(lab.__file__).name == "chapter6.py"


def test_the_example_runs_chapter6_with_the_books_calls(env, fake_data):
    import os
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "examples" / "07_nielsen_mnist.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--chapter", "6", "--epochs", "1", "--data", str(fake_data)],
        capture_output=True, text=True, env=dict(os.environ), timeout=300, cwd=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Epoch 0: validation accuracy" in proc.stdout
    assert "Finished training network." in proc.stdout
