"""The article's commands: figures, printed lines, --json, bad arguments, divergence."""

import json
import os
import subprocess
import sys

import pytest

from nnscratch.cli import article, build_parser, main
from nnscratch.cli.output import Output

SHORT = ["--passes", "301", "--print-every", "100"]


def run_json(capsys, argv):
    status = main([*argv, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out)  # one JSON object and nothing else


def pngs(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".png"))


def test_data_writes_the_scatter_plot(tmp_path, capsys):
    status, payload = run_json(capsys, ["data", "--dataset", "circles", "--out", str(tmp_path)])
    assert status == 0
    assert payload["dataset"] == "circles"
    assert payload["results"] == [{"n_samples": 100, "n_features": 2, "class_counts": [50, 50]}]
    assert pngs(tmp_path) == ["data-circles.png"]
    assert payload["figures"] == [str(tmp_path / "data-circles.png")]


def test_logreg_prints_its_accuracy(tmp_path, capsys):
    assert main(["logreg", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "training accuracy 85.0%" in out
    assert pngs(tmp_path) == ["logreg-moons.png"]


def test_moons_prints_the_articles_lines_and_writes_figures(tmp_path, capsys):
    assert main(["moons", *SHORT, "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Loss after iteration 0: 0.432387"
    assert [line.split(":")[0] for line in lines[:4]] == [
        f"Loss after iteration {i}" for i in (0, 100, 200, 300)
    ]
    assert lines[4].startswith("final loss ")
    assert "at learning rate 0.005" in lines[4]
    assert pngs(tmp_path) == ["boundary-moons-h3.png", "loss-moons-h3.png"]
    for name in pngs(tmp_path):
        with open(tmp_path / name, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_moons_json_holds_the_printed_values(tmp_path, capsys):
    argv = ["moons", "--dataset", "circles", "--hidden", "4", *SHORT, "--out", str(tmp_path)]
    status, payload = run_json(capsys, argv)
    assert status == 0
    assert payload["dataset"] == "circles"
    (result,) = payload["results"]
    assert result["hidden"] == 4
    assert result["iterations"] == [0, 100, 200, 300]
    assert len(result["losses"]) == 4
    assert result["final_loss"] > 0 and 0.5 < result["train_accuracy"] <= 1
    assert payload["comparison"]["settings"]["learning_rate"] == 0.005
    assert pngs(tmp_path) == ["boundary-circles-h4.png", "loss-circles-h4.png"]


def test_moons_line_zero_matches_the_article_in_json(tmp_path, capsys):
    _, payload = run_json(capsys, ["moons", *SHORT, "--out", str(tmp_path)])
    assert "%f" % payload["results"][0]["losses"][0] == "0.432387"


def test_sweep_runs_sizes_in_parallel_in_the_order_given(tmp_path, capsys):
    argv = ["sweep", "--hidden", "10", "1", "3", *SHORT, "--jobs", "2", "--out", str(tmp_path)]
    status, payload = run_json(capsys, argv)
    assert status == 0
    assert [r["hidden"] for r in payload["results"]] == [10, 1, 3]
    assert pngs(tmp_path) == ["sweep-moons.png"]
    # the same numbers as one run of the moons command
    _, single = run_json(capsys, ["moons", *SHORT, "--out", str(tmp_path)])
    assert payload["results"][2]["losses"] == single["results"][0]["losses"]


def test_sweep_prints_a_table(tmp_path, capsys):
    assert main(["sweep", "--hidden", "1", "2", *SHORT, "--jobs", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "moons: 301 full-batch passes, learning rate 0.01, reg_lambda 0.01, seed 0"
    assert out[1].split() == ["hidden", "final", "loss", "train", "accuracy"]
    assert [row.split()[0] for row in out[2:4]] == ["1", "2"]
    assert "(" not in out[2] + out[3]  # complete runs carry no label


def test_demo_writes_every_figure_and_an_index(tmp_path, capsys):
    status, payload = run_json(capsys, ["demo", "--passes", "100", "--out", str(tmp_path)])
    assert status == 0
    expected = [
        f"{kind}-{ds}{suffix}.png"
        for ds in ("moons", "circles")
        for kind, suffix in [
            ("data", ""),
            ("logreg", ""),
            ("boundary", "-h3"),
            ("loss", "-h3"),
            ("sweep", ""),
        ]
    ]
    assert pngs(tmp_path) == sorted(expected)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in expected:
        assert f'src="{name}"' in index
    assert "<figcaption>" in index
    # a contents list, the article's address, one width for every figure
    assert "<nav><h2>Contents</h2>" in index and "href='#circles-sweep'" in index
    assert "http://www.wildml.com/2015/09/implementing-a-neural-network-from-scratch/" in index
    assert index.count('width="1000"') == len(expected)
    assert [(r["dataset"], r["hidden"]) for r in payload["results"]] == [
        (ds, h) for ds in ("moons", "circles") for h in (1, 2, 3, 4, 10, 20, 50, 200)
    ]
    assert [r["settings"]["learning_rate"] for r in payload["comparison"]] == [0.005, 0.005]
    assert [r["dataset"] for r in payload["logreg"]] == ["moons", "circles"]
    assert payload["index"] == str(tmp_path / "index.html")


def test_demo_summary_shows_the_lines_and_the_sweep_tables(tmp_path, capsys):
    from nnscratch.cli import article_demo
    from nnscratch.lab import experiments as ex

    sweeps = {
        ds: ex.sweep(ds, [1, 3], passes=101, print_every=50, jobs=1) for ds in ("moons", "circles")
    }
    logreg = {ds: ex.logistic_regression(ds) for ds in ("moons", "circles")}
    out = Output(build_parser().parse_args(["demo", "--out", str(tmp_path)]))
    article_demo._print_summary(sweeps, logreg, out, str(tmp_path / "index.html"), 12.5)
    text = capsys.readouterr().out
    assert "Loss after iteration 0: 0.432387\nLoss after iteration 50: " in text
    assert "Hidden-size sweep on circles (logistic regression: " in text
    assert f"open {tmp_path / 'index.html'}" in text and "done in 12.5 s" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["moons", "--hidden", "0"], "--hidden must be a positive integer, got 0"),
        (["moons", "--passes", "-1"], "--passes must be a positive integer, got -1"),
        (["sweep", "--jobs", "0"], "--jobs must be a positive integer, got 0"),
        (["sweep", "--hidden", "3", "0"], "--hidden must be a positive integer, got 0"),
        (["sweep", "--hidden", "3", "3"], "--hidden lists a size twice"),
        (["moons", "--learning-rate", "-0.1"], "--learning-rate must be a finite number > 0"),
        (["moons", "--learning-rate", "inf"], "--learning-rate must be a finite number > 0"),
        (["moons", "--reg", "-1"], "--reg must be a finite number >= 0"),
        (["moons", "--seed", "-3"], "--seed must be an integer in 0..4294967295, got -3"),
        (["moons", "--print-every", "0"], "--print-every must be a positive integer"),
        (["demo", "--passes", "0"], "--passes must be a positive integer"),
        (["moons", "--hidden", "three"], "argument --hidden: invalid int value: 'three'"),
        (["data", "--dataset", "spiral"], "invalid choice: 'spiral'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, tmp_path, capsys):
    try:
        status = main([*argv, "--out", str(tmp_path / "out")])
    except SystemExit as exc:  # argparse's own checks (types, choices)
        status = exc.code
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "out").exists() or pngs(tmp_path / "out") == []


def test_out_must_be_a_directory(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a directory")
    assert main(["data", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and len(err.strip().splitlines()) == 1


def test_a_diverging_run_stops_with_a_message_and_keeps_its_results(tmp_path, capsys):
    argv = ["moons", "--learning-rate", "1e8", "--passes", "200", "--print-every", "10"]
    status = main([*argv, "--out", str(tmp_path), "--json"])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err
    assert "training diverged" in captured.err and "lower learning rate" in captured.err
    payload = json.loads(captured.out)
    result = payload["results"][0]
    assert result["stopped"] and result["losses"]  # the partial run is kept
    assert result["status"] == "diverged" and result["passes_done"] < 200
    assert result["train_accuracy"] is None and result["final_loss"] is None  # not a result
    # the figures say so in their names, and never replace those of a complete run
    assert pngs(tmp_path) == ["boundary-moons-h3-diverged.png", "loss-moons-h3-diverged.png"]


def test_a_diverged_run_prints_no_accuracy_as_if_it_were_a_result(tmp_path, capsys):
    argv = ["moons", "--learning-rate", "1e8", "--passes", "200", "--print-every", "10"]
    assert main([*argv, "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    (summary,) = [line for line in out.splitlines() if "learning rate 5e+07" in line]
    assert summary.startswith("diverged after ") and " of 200 passes" in summary
    assert "no final loss or accuracy" in summary and "training accuracy" not in summary


def test_sweep_and_demo_defaults_are_the_articles_sizes():
    from nnscratch.lab.experiments import ARTICLE_HIDDEN_SIZES

    assert article.SWEEP_SIZES == ARTICLE_HIDDEN_SIZES
    args = build_parser().parse_args(["sweep"])
    assert tuple(args.hidden) == ARTICLE_HIDDEN_SIZES


def test_every_experiment_command_starts_with_the_preparation_hook(tmp_path, monkeypatch):
    calls = []

    def hook(args):
        calls.append(args.command)
        return 7  # "already handled": the command must not run

    monkeypatch.setattr(article, "prepare_experiment", hook)
    for command in ("data", "logreg", "moons", "sweep", "demo"):
        assert main([command, "--out", str(tmp_path / command)]) == 7
    assert calls == ["data", "logreg", "moons", "sweep", "demo"]
    assert not any((tmp_path / c).exists() for c in calls)


def test_console_entry_point_runs_in_a_fresh_process(tmp_path):
    argv = [sys.executable, "-m", "nnscratch", "moons", *SHORT, "--out", str(tmp_path), "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert "%f" % payload["results"][0]["losses"][0] == "0.432387"
    assert pngs(tmp_path) == ["boundary-moons-h3.png", "loss-moons-h3.png"]

    bad = subprocess.run(
        [sys.executable, "-m", "nnscratch", "sweep", "--jobs", "0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "nnscratch sweep: error: --jobs must be a positive integer, got 0"
