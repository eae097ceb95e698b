"""benchmarks/sklearn_test_mlp.py, the script that runs scikit-learn's own ``test_mlp.py``
against our estimators: it rewrites exactly the estimator import of the installed file,
refuses a file it does not recognise, and reports each outcome with one line of why.

Running the whole upstream file takes minutes, so it stays a benchmark; these tests check
the script's parts on the installed scikit-learn and on a small file of our own.
"""

import importlib.util
from pathlib import Path

import pytest
import sklearn

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "sklearn_test_mlp.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("sklearn_test_mlp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_installed_file_is_read_and_only_the_estimator_import_changes(script):
    path = script.upstream_file()
    assert path.is_relative_to(Path(sklearn.__file__).parent)
    original = path.read_text(encoding="utf-8").splitlines()
    ported = script.ported_source("\n".join(original) + "\n").splitlines()
    assert len(ported) == len(original)
    changed = [(a, b) for a, b in zip(original, ported) if a != b]
    assert changed == [(script.UPSTREAM_IMPORT, script.OUR_IMPORT)]
    assert not any("sklearn.neural_network import" in line for line in ported)


def test_a_file_without_the_import_is_refused(script):
    with pytest.raises(SystemExit, match=r"expected the line .* found it 0 times"):
        script.ported_source("import numpy as np\n")
    twice = f"{script.UPSTREAM_IMPORT}\n{script.UPSTREAM_IMPORT}\n"
    with pytest.raises(SystemExit, match="found it 2 times"):
        script.ported_source(twice)


SMALL_FILE = """
import warnings
import pytest

def test_passes():
    warnings.warn("fine here: the project's filterwarnings=error must not apply", UserWarning)

def test_fails():
    assert 1 + 1 == 3, "arithmetic is off"

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass

@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")

def test_errors(broken):
    pass

def test_seed(global_random_seed):
    assert 0 <= global_random_seed <= 99
"""


def test_each_outcome_is_counted_with_one_line_of_why(script, monkeypatch):
    monkeypatch.delenv("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", raising=False)
    cases, seconds, _ = script.run_pytest(SMALL_FILE)
    outcomes = {case["name"]: (case["outcome"], case["why"]) for case in cases}
    assert outcomes["test_passes"] == ("passed", "")
    assert outcomes["test_seed[42]"] == ("passed", "")  # scikit-learn's fixture, its default
    assert outcomes["test_fails"][0] == "failed"
    assert "arithmetic is off" in outcomes["test_fails"][1]
    assert outcomes["test_skipped"] == ("skipped", "not today")
    assert outcomes["test_errors"][0] == "errors"
    summary = script.summarize(cases)
    assert summary["counts"] == {"passed": 2, "failed": 1, "skipped": 1, "errors": 1}
    assert summary["total"] == 5 and summary["percent"] == pytest.approx(40.0)
    assert seconds > 0
    assert all("\n" not in case["why"] and len(case["why"]) <= 160 for case in cases)


def test_a_bare_exception_name_takes_the_next_line(script):
    assert script.first_line("AssertionError:\n\nNot equal to tolerance\nmore") == (
        "AssertionError: Not equal to tolerance"
    )
    assert script.first_line("ValueError: bad\nmore") == "ValueError: bad"
    assert script.first_line("") == "(no message)"
    assert len(script.first_line("x" * 500)) == 160


DEPRECATED = """
import warnings

def test_deprecated():
    warnings.warn("this goes away", DeprecationWarning)
"""


def test_warnings_as_errors_applies_scikit_learns_ci_filters(script):
    (plain,), _, _ = script.run_pytest(DEPRECATED)
    (strict,), _, _ = script.run_pytest(DEPRECATED, warnings_as_errors=True)
    assert plain["outcome"] == "passed"
    assert strict["outcome"] == "failed" and "this goes away" in strict["why"]
