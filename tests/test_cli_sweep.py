"""``nnscratch sweep`` over several settings: the product of the lists, a table, a heatmap.

The article's form (``--hidden`` alone) is checked in ``tests/test_cli_article.py``; here
the grid: every combination trained once, with the numbers a single run gives, the table
sorted with one column per varied setting, ``--json``'s ``varied`` and ``table``, the
figure's name, bad lists, and the library's ``experiments.sweep`` with keyword lists.
Runs are short (a couple of hundred passes) and train in this process (``--jobs 1``).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from nnscratch.cli import main
from nnscratch.lab import experiments, grid
from nnscratch.lab.network_runs import NetworkSpec, run_network

SHORT = ["--passes", "200", "--print-every", "100", "--jobs", "1"]


def run_json(capsys, argv):
    status = main([*argv, "--json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err  # one JSON object on stdout


def pngs(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".png"))


def test_a_grid_trains_every_combination_once_with_the_single_runs_numbers(tmp_path, capsys):
    argv = ["sweep", "--hidden", "3", "1", "--learning-rate", "0.01", "0.005", *SHORT]
    status, payload, _ = run_json(capsys, [*argv, "--out", str(tmp_path)])
    assert status == 0
    assert payload["complete"] is True
    assert payload["varied"] == {"hidden": [1, 3], "learning_rate": [0.005, 0.01]}
    # sorted by hidden size, then learning rate, whatever order the lists came in
    settings = [(r["hidden"], r["settings"]["learning_rate"]) for r in payload["results"]]
    assert settings == [(1, 0.005), (1, 0.01), (3, 0.005), (3, 0.01)]
    rows = payload["table"]
    assert [(row["hidden"], row["learning_rate"]) for row in rows] == settings
    assert set(rows[0]) == {"hidden", "learning_rate", "final_loss", "train_accuracy", "status"}
    for row, record in zip(rows, payload["results"]):
        assert row["final_loss"] == record["final_loss"]
        assert row["train_accuracy"] == record["train_accuracy"]
        assert row["status"] == record["status"] == "complete"
    # one cell, trained on its own with the same settings: the same numbers, bit for bit
    alone = run_network(NetworkSpec("moons", 3, 200, 0.005, print_every=100))
    assert rows[2]["final_loss"] == alone.final_loss
    assert payload["results"][2]["losses"] == alone.losses
    assert pngs(tmp_path) == ["sweep-moons-grid.png"]
    assert payload["figures"] == [str(tmp_path / "sweep-moons-grid.png")]


def test_a_grid_prints_a_table_with_a_column_per_varied_setting(tmp_path, capsys):
    argv = ["sweep", "--hidden", "2", "--seed", "1", "0", "--reg", "0.01", "0.001", *SHORT]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "moons: 200 full-batch passes, learning rate 0.01; 4 networks "
        "(2 reg_lambda values x 2 seeds)"
    )
    assert out[1].split() == ["reg_lambda", "seed", "final", "loss", "train", "accuracy"]
    cells = [row.split()[:2] for row in out[2:6]]
    assert cells == [["0.001", "0"], ["0.001", "1"], ["0.01", "0"], ["0.01", "1"]]
    losses = [float(row.split()[2]) for row in out[2:6]]
    best = out[2:6][int(np.argmin(losses))].split()
    assert out[6] == f"lowest final loss: {best[2]} (reg_lambda {best[0]}, seed {best[1]})"
    assert out[7] == f"wrote {tmp_path / 'sweep-moons-grid.png'}"


def test_single_values_keep_the_articles_sweep(tmp_path, capsys):
    argv = ["sweep", "--hidden", "2", "1", "--learning-rate", "0.02", "--seed", "3", *SHORT]
    status, payload, _ = run_json(capsys, [*argv, "--out", str(tmp_path)])
    assert status == 0
    assert set(payload) == {"dataset", "complete", "results", "figures"}  # as before grids
    assert [r["hidden"] for r in payload["results"]] == [2, 1]  # the order given
    assert {r["settings"]["seed"] for r in payload["results"]} == {3}
    assert pngs(tmp_path) == ["sweep-moons.png"]


def test_a_diverged_cell_is_reported_and_the_others_kept(tmp_path, capsys):
    argv = ["sweep", "--hidden", "2", "--learning-rate", "1e8", "0.01", *SHORT]
    status, payload, err = run_json(capsys, [*argv, "--out", str(tmp_path)])
    assert status == 1
    fine, diverged = payload["table"]  # 0.01 sorts before 1e8
    assert diverged["learning_rate"] == 1e8 and diverged["status"] == "diverged"
    assert diverged["final_loss"] is None and diverged["train_accuracy"] is None
    assert fine["status"] == "complete" and fine["final_loss"] > 0
    assert pngs(tmp_path) == ["sweep-moons-grid-diverged.png"]
    assert "training diverged (moons, hidden 2, learning rate 1e+08)" in err


def test_the_notes_on_stopped_runs_name_the_seed_when_the_grid_varies_it(tmp_path, capsys):
    argv = ["sweep", "--hidden", "2", "--learning-rate", "1e8", "--seed", "0", "1", *SHORT]
    status, _, err = run_json(capsys, [*argv, "--out", str(tmp_path)])
    assert status == 1
    for seed in (0, 1):  # two runs, told apart by what differs between them
        assert f"training diverged (moons, hidden 2, learning rate 1e+08, seed {seed})" in err
    assert "reg_lambda" not in err  # the same in every run: not repeated


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--learning-rate", "0.01", "0.01"], "--learning-rate lists a value twice: 0.01 0.01"),
        (["--seed", "0", "1", "0"], "--seed lists a value twice: 0 1 0"),
        (["--seed", "0", "-1"], "--seed must be"),
        (["--reg", "0.01", "-1"], "--reg must be"),
        (["--learning-rate", "0.01", "0"], "--learning-rate must be"),
        (["--hidden", "3", "3"], "--hidden lists a size twice: 3 3"),
    ],
)
def test_bad_lists_are_one_line_before_any_work(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nnscratch sweep: error: ")
    assert message in err[0], err
    assert not out.exists()


def test_the_library_sweep_takes_keyword_lists():
    runs = experiments.sweep(
        "moons", [2, 1], learning_rate=[0.01, 0.005], seed=[0, 1], passes=60, jobs=1
    )
    # nested-loop order: the hidden sizes as given, then learning rate, then seed
    expected = [(h, lr, s) for h in (2, 1) for lr in (0.01, 0.005) for s in (0, 1)]
    assert [(r.hidden, r.spec.learning_rate, r.spec.seed) for r in runs] == expected
    for run in runs:
        alone = run_network(run.spec)
        assert run.loss_curve.tobytes() == alone.loss_curve.tobytes()
    assert [r.spec for r in grid.sort_runs(runs)] == sorted(
        (r.spec for r in runs), key=grid.sort_key
    )
    with pytest.raises(ValueError, match="seed lists 1 twice"):
        experiments.sweep("moons", [1], seed=[1, 1], passes=10, jobs=1)
    with pytest.raises(ValueError, match="learning_rate is empty"):
        experiments.sweep("moons", [1], learning_rate=[], passes=10, jobs=1)
    with pytest.raises(TypeError, match="reg must be a number or a sequence"):
        experiments.sweep("moons", [1], reg="0.01", passes=10, jobs=1)


def test_grid_helpers():
    specs = grid.grid_specs("moons", [1, 3], seed=[0, 2], passes=10)
    assert grid.varied(specs) == {"hidden": [1, 3], "seed": [0, 2]}
    assert grid.fixed(specs) == {"learning_rate": 0.01, "reg": 0.01}
    assert grid.is_grid(specs)
    assert not grid.is_grid(grid.grid_specs("moons", [1, 3], passes=10))
    assert grid.best_run([]) is None
