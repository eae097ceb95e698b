"""Every script in examples/ runs headless, start to finish, with small arguments.

The list of scripts comes from a glob, so a new example is picked up automatically; it
must then get quick arguments in ``QUICK_ARGS`` (the test fails until it has them, so no
example goes untested). Each run must exit 0, print, and save its figure(s) into the
folder given by ``--out``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: per script: arguments that keep the run to a few seconds (the defaults are the
#: tutorials' full settings)
QUICK_ARGS: dict[str, list[str]] = {
    "01_data.py": ["--samples", "50"],
    "02_logistic_regression.py": ["--epochs", "200"],
    "03_three_unit_network.py": ["--epochs", "300", "--print-every", "100"],
    "04_hidden_size_sweep.py": ["--sizes", "1", "3", "5", "--epochs", "200"],
    "05_circles.py": ["--epochs", "300"],
    "06_keras_style.py": ["--epochs", "5"],
    "08_sklearn_gridsearch.py": [
        "--sizes",
        "1",
        "5",
        "--max-iter",
        "50",
        "--cv",
        "2",
        "--n-jobs",
        "1",
    ],
}

#: what a quick run must print (beyond "saved ...")
EXPECTED_OUTPUT: dict[str, str] = {
    "01_data.py": "X: (50, 2)",
    "02_logistic_regression.py": "LogisticRegressionCV: training accuracy",
    "03_three_unit_network.py": "Loss after iteration 200:",
    "04_hidden_size_sweep.py": "hidden   5:",
    "05_circles.py": "3 tanh hidden units: training accuracy",
    "06_keras_style.py": "evaluate: loss",
    "08_sklearn_gridsearch.py": "best hidden size:",
}

SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_examples_exist():
    assert len(SCRIPTS) >= 7, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_headless(script, tmp_path):
    if script not in QUICK_ARGS:
        pytest.fail(
            f"examples/{script} has no entry in QUICK_ARGS in tests/test_examples.py; add "
            f"small arguments for it so that it is run by the test suite"
        )
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            str(EXAMPLES / script),
            *QUICK_ARGS[script],
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    if script in EXPECTED_OUTPUT:
        assert EXPECTED_OUTPUT[script] in proc.stdout, proc.stdout
    pngs = sorted(out.glob("*.png"))
    assert pngs, f"{script} saved no figure into --out"
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"saved {png}" in proc.stdout
    assert not (tmp_path / "nnscratch-out").exists()  # --out was honoured
