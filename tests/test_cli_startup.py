"""The command line starts at once: help, version and typos load no heavy library.

Each case runs the real command in a fresh interpreter, as the console script does, and
then lists which of the slow imports (scikit-learn, matplotlib, PyTorch, the MNIST
loader, ...) are in ``sys.modules``. ``benchmarks/bench_startup.py`` measures the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nnscratch.cli import COMMANDS, build_parser

#: what ``--help`` and typos must not import (each costs from 0.1 s to seconds)
HEAVY = (
    "sklearn",
    "scipy",
    "matplotlib",
    "PIL",
    "torch",
    "keras",
    "tqdm",
    "threadpoolctl",
    "nnscratch.data",
    "nnscratch.nielsen",
    "nnscratch.lab.experiments",
    "nnscratch.lab.compare",
    "nnscratch.lab.plots",
)

RUN_AND_LIST = f"""
import json, sys
from nnscratch.cli import main
sys.argv = ["nnscratch", *sys.argv[1:]]
try:
    status = main()
except SystemExit as exc:
    status = exc.code
heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
print("@@" + json.dumps({{"status": status, "heavy": heavy}}), file=sys.stderr)
"""


def run(*argv: str) -> tuple[dict, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report_line = [line for line in done.stderr.splitlines() if line.startswith("@@")]
    assert report_line, done.stderr
    other = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("@@"))
    return json.loads(report_line[0][2:]), done.stdout, other


def commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a.choices, dict)]
    return list(sub.choices)


def test_every_command_is_listed_with_its_own_help():
    # ``nnscratch --help`` lists the commands from the table without importing their
    # modules; the table must say what each module declares.
    assert commands() == list(COMMANDS)
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a.choices, dict)]
    declared = {action.dest: action.help for action in sub._choices_actions}
    assert declared == {name: text for name, (_, text) in COMMANDS.items()}


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], *[[name, "--help"] for name in commands()]],
    ids=lambda argv: " ".join(argv),
)
def test_help_and_version_load_nothing_heavy(argv):
    report, out, err = run(*argv)
    assert report["status"] == 0, err
    assert report["heavy"] == [], f"nnscratch {' '.join(argv)} imported {report['heavy']}"
    assert out.strip()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["moons", "--hiden", "3"], "unknown option --hiden; did you mean --hidden?"),
        (["sweep", "--pases=10"], "unknown option --pases; did you mean --passes?"),
        (["mnist", "--epoch", "1", "--sise", "784", "10"], "did you mean --sizes?"),
        (["compare", "--libraires", "nnscratch"], "did you mean --libraries?"),
        (["mons"], "unknown command 'mons'; did you mean moons?"),
        (["compair"], "did you mean compare?"),
        (["data", "--dataset", "mons"], "invalid choice: 'mons'"),
        (["moons", "extra"], "unexpected argument 'extra'"),
    ],
)
def test_typos_get_a_suggestion_in_one_line(argv, message):
    report, out, err = run(*argv)
    assert report["status"] == 2
    assert report["heavy"] == [], report
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err and out == ""


def test_a_choice_typo_names_the_nearest_choice():
    _, _, err = run("data", "--dataset", "circels")
    assert "did you mean circles?" in err


def test_nothing_close_gets_no_guess():
    _, _, err = run("moons", "--zzzzzz")
    assert "unknown option --zzzzzz (see nnscratch moons --help)" in err
