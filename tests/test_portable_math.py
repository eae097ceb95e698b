"""The experiment commands print the article's numbers on every CPU.

NumPy's AVX-512 kernels round exp() differently from the C library, which flips the
phase of the moons run's 2-cycle; the command line therefore re-runs itself once with
those kernels switched off (nnscratch.cli.portable). These tests run the real command in
a subprocess, as a user does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nnscratch.cli import portable

# The article's first four lines: 2000 and 3000 are the ones that depend on rounding.
ARTICLE_LINES = [
    "Loss after iteration 0: 0.432387",
    "Loss after iteration 1000: 0.068947",
    "Loss after iteration 2000: 0.068950",
    "Loss after iteration 3000: 0.071218",
]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NNSCRATCH_")}
    full_env.pop("NPY_DISABLE_CPU_FEATURES", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "nnscratch", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=240,
    )


def test_moons_prints_the_articles_values(tmp_path):
    done = run_cli("moons", "--hidden", "3", "--passes", "3001", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    (run,) = result["results"]
    assert [f"{v:f}" for v in run["losses"]] == [line.split(": ")[1] for line in ARTICLE_LINES]


def test_the_switch_names_only_avx512_targets():
    features = portable.wide_simd_features()
    assert all(f.startswith("AVX512") or f == "X86_V4" for f in features)


def test_no_second_run_once_marked_or_opted_out(monkeypatch):
    # ensure_portable_math returns (does not exec) when told not to.
    monkeypatch.setattr(portable, "wide_simd_features", lambda: ["AVX512F"])
    for var in ("NNSCRATCH_PORTABLE_MATH", portable.OPT_OUT):
        monkeypatch.setenv(var, "1")
        assert portable.ensure_portable_math(["moons"]) is None
        monkeypatch.delenv(var)
    monkeypatch.setattr(portable, "wide_simd_features", lambda: [])
    assert portable.ensure_portable_math(["moons"]) is None


@pytest.mark.skipif(not portable.wide_simd_features(), reason="this CPU has no AVX-512")
def test_in_process_calls_keep_numpys_own_kernels(tmp_path, capsys):
    # Called from Python, main() never re-runs the process: NumPy's AVX-512 exp rounds
    # differently and the run lands on the other phase of the 2-cycle, which is exactly
    # why the command line switches those kernels off.
    from nnscratch.cli import main

    status = main(["moons", "--passes", "3001", "--out", str(tmp_path), "--json"])
    assert status == 0
    (run,) = json.loads(capsys.readouterr().out)["results"]
    printed = [f"{v:f}" for v in run["losses"]]
    expected = [line.split(": ")[1] for line in ARTICLE_LINES]
    assert printed[:2] == expected[:2]
    assert printed[2:] != expected[2:]
