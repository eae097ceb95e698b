"""scikit-learn's own ``test_mlp.py``, run against ``nnscratch.sklearn``'s estimators.

scikit-learn ships the tests of ``MLPClassifier`` and ``MLPRegressor`` inside the installed
package (``sklearn/neural_network/tests/test_mlp.py``). This script reads that file from the
scikit-learn installed in this environment (no copy of it is kept in nnscratch), changes one
line and runs pytest on the result in a fresh process:

* the one rewrite::

      from sklearn.neural_network import MLPClassifier, MLPRegressor
  ->  from nnscratch.sklearn import NNClassifier as MLPClassifier, NNRegressor as MLPRegressor

  Nothing else in the file is touched: its data, its asserts and its warning expectations
  are scikit-learn's. If that line is missing (another scikit-learn version), the script
  stops and says so instead of testing scikit-learn's own classes.
* scikit-learn's test plugin, ``-p sklearn.conftest`` (shipped with the package too), gives
  the file its ``global_random_seed`` fixture (seed 42 unless
  ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` says otherwise), as when scikit-learn runs its suite.
* pytest runs with ``-c /dev/null`` and the temporary folder as ``--rootdir``, so none of
  nnscratch's pytest settings (its ``filterwarnings = error``) apply, and with
  ``-p no:cacheprovider`` so nothing is written beside the file.
* ``--warnings-as-errors`` sets ``SKLEARN_WARNINGS_AS_ERRORS=1``, the switch of
  scikit-learn's strictest CI jobs: its plugin then turns ``DeprecationWarning``,
  ``FutureWarning`` and NumPy's deprecations into errors (scikit-learn's own list).

It prints the scikit-learn version and file it ran, the counts of passed, failed, skipped
and erroring tests, the pass percentage (passed over all collected tests) and, for each
test that did not pass, its name and the first line of why.

Usage::

    uv run python benchmarks/sklearn_test_mlp.py            # the whole file
    uv run python benchmarks/sklearn_test_mlp.py -k warm     # a pytest -k selection
    uv run python benchmarks/sklearn_test_mlp.py --json out.json
    uv run python benchmarks/sklearn_test_mlp.py --warnings-as-errors

The exit status is 0 when at least ``--target`` percent (default 90) pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

UPSTREAM_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
OUR_IMPORT = (
    "from nnscratch.sklearn import NNClassifier as MLPClassifier, NNRegressor as MLPRegressor"
)

OUTCOMES = ("passed", "failed", "skipped", "errors")


def upstream_file() -> Path:
    """The installed scikit-learn's ``test_mlp.py`` (an error if this build has no tests)."""
    path = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    if not path.is_file():
        sys.exit(f"scikit-learn {sklearn.__version__} at {path.parent} ships no test_mlp.py")
    return path


def ported_source(source: str) -> str:
    """``source`` with the estimator import swapped for nnscratch's (and nothing else)."""
    lines = source.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.rstrip("\n") == UPSTREAM_IMPORT]
    if len(hits) != 1:
        sys.exit(
            f"expected the line {UPSTREAM_IMPORT!r} once in scikit-learn "
            f"{sklearn.__version__}'s test_mlp.py, found it {len(hits)} times; this script "
            f"needs updating for that version"
        )
    lines[hits[0]] = OUR_IMPORT + "\n"
    return "".join(lines)


def first_line(text: str | None) -> str:
    """A failure message in one screen line: its first non-empty line, joined with the next
    one when the first only names the exception (``AssertionError:``)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    line = lines[0]
    if line.endswith(":") and " " not in line and len(lines) > 1:
        line = f"{line} {lines[1]}"
    return line if len(line) <= 160 else line[:157] + "..."


def read_report(path: Path) -> list[dict]:
    """Each test case of a JUnit XML report: name, outcome and one line of why."""
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome, why = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = {"failure": "failed", "error": "errors"}.get(tag, tag)
                why = first_line(node.get("message") or node.text)
                break
        cases.append({"name": case.get("name"), "outcome": outcome, "why": why})
    return cases


def run_pytest(
    test_source: str, select: str | None = None, warnings_as_errors: bool = False
) -> tuple[list[dict], float, str]:
    """Run ``test_source`` as ``test_mlp.py`` under pytest in a fresh process, in a temporary
    folder; return its test cases (see :func:`read_report`), the seconds taken and pytest's
    output. ``warnings_as_errors`` applies scikit-learn's CI warning filters."""
    with tempfile.TemporaryDirectory(prefix="sklearn_test_mlp_") as tmp:
        folder = Path(tmp)
        target = folder / "test_mlp.py"
        target.write_text(test_source, encoding="utf-8")
        report = folder / "report.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(target),
            "-c",
            "/dev/null",  # no project settings: the file's own warning expectations apply
            "--rootdir",
            str(folder),
            "-p",
            "no:cacheprovider",
            "-p",
            "sklearn.conftest",  # scikit-learn's fixtures (global_random_seed)
            "-q",
            "--tb=line",
            f"--junitxml={report}",
            "-o",
            "junit_family=xunit2",
        ]
        if select:
            command += ["-k", select]
        env = dict(os.environ, SKLEARN_WARNINGS_AS_ERRORS="1" if warnings_as_errors else "0")
        start = time.perf_counter()
        done = subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
        output = done.stdout + done.stderr
        if not report.is_file():
            sys.exit(f"pytest wrote no report (exit {done.returncode}):\n{output}")
        return read_report(report), seconds, output


def summarize(cases: list[dict]) -> dict:
    """Counts of each outcome, the total and the pass percentage (passed / all collected)."""
    counts = {k: sum(c["outcome"] == k for c in cases) for k in OUTCOMES}
    total = len(cases)
    percent = 100.0 * counts["passed"] / total if total else 0.0
    return {"counts": counts, "total": total, "percent": percent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="select", help="a pytest -k expression (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--target", type=float, default=90.0, help="percent to pass (90)")
    parser.add_argument("--verbose", action="store_true", help="print pytest's own output")
    parser.add_argument(
        "--warnings-as-errors",
        action="store_true",
        help="scikit-learn's CI filters: deprecation and future warnings fail a test",
    )
    args = parser.parse_args(argv)

    path = upstream_file()
    print(f"scikit-learn {sklearn.__version__}: {path}")
    print(f"rewritten: {UPSTREAM_IMPORT!r}\n       -> {OUR_IMPORT!r}")
    source = ported_source(path.read_text(encoding="utf-8"))
    if args.warnings_as_errors:
        print("SKLEARN_WARNINGS_AS_ERRORS=1: scikit-learn's CI warning filters apply")
    cases, seconds, output = run_pytest(source, args.select, args.warnings_as_errors)
    if args.verbose:
        print(output)
    summary = summarize(cases)
    counts, total, percent = summary["counts"], summary["total"], summary["percent"]
    print(
        f"{total} tests in {seconds:.0f} s: {counts['passed']} passed, {counts['failed']} "
        f"failed, {counts['skipped']} skipped, {counts['errors']} errors"
    )
    version = sklearn.__version__
    print(f"passed: {counts['passed']}/{total} ({percent:.1f}%) with scikit-learn {version}")
    for case in cases:
        if case["outcome"] != "passed":
            print(f"  {case['outcome']:>7}  {case['name']}: {case['why']}")
    if args.json:
        result = {
            "sklearn_version": sklearn.__version__,
            "file": str(path),
            **summary,
            "seconds": seconds,
            "warnings_as_errors": args.warnings_as_errors,
            "cases": cases,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if percent >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
