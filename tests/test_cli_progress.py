"""Long commands show progress at once: on stderr, as plain lines when it is no terminal.

The commands run in subprocesses with pipes (no terminal), as in a log or CI: progress
must come as plain lines on stderr, stdout must hold only the results (with ``--json``,
exactly one JSON object), and the demo's first line must come within 2 seconds.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time

import pytest

SHORT = ["--passes", "301", "--print-every", "100"]


def nnscratch(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "nnscratch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def first_line_then_interrupt(args: list[str], limit: float) -> tuple[float, str, int, str]:
    """Start a command; the seconds until its first output line, that line, and (after a
    Ctrl-C sent to its own process only) its exit status and the rest of stderr."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        ready = selector.select(timeout=limit + 30)
        seconds = time.monotonic() - start
        assert ready, f"no output within {limit + 30} s"
        line = ready[0][0].fileobj.readline().decode()
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return seconds, line, proc.returncode, rest.decode()


def test_the_demo_says_what_it_does_within_two_seconds(tmp_path):
    seconds, line, status, rest = first_line_then_interrupt(
        ["demo", "--out", str(tmp_path)], limit=2.0
    )
    assert line.startswith("nnscratch demo: the whole article: 18 networks"), line
    assert seconds < 2.0, f"the first line came after {seconds:.2f} s"
    assert status == 130, rest
    assert "Traceback" not in rest


def test_sweep_progress_goes_to_stderr_and_json_stays_clean(tmp_path):
    done = nnscratch("sweep", "--hidden", "1", "3", *SHORT, "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # nothing else on stdout
    assert [r["hidden"] for r in payload["results"]] == [1, 3]
    err = done.stderr.splitlines()
    assert err[0].startswith("nnscratch sweep: training 2 networks, 301 passes each")
    assert err[-1].startswith("sweep: 100%, ") and err[-1].endswith("2/2 networks done")
    assert err[-1] != err[-2]  # the end is written once
    assert "\r" not in done.stderr  # plain lines, not a redrawn bar


def test_moons_under_json_shows_a_bar_instead_of_its_lines(tmp_path):
    done = nnscratch("moons", *SHORT, "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    assert "Loss after iteration" not in done.stdout + done.stderr
    assert done.stderr.splitlines()[-1].startswith("moons: 301/301 pass (100%)")


def test_compare_shows_each_library(tmp_path):
    done = nnscratch(
        "compare", "--epochs", "50", "--libraries", "nnscratch,scikit-learn",
        "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    lines = done.stderr.splitlines()
    assert lines[0].startswith("compare: 0/2 library") and "loading" in lines[0]
    assert any(line.endswith("training scikit-learn") for line in lines)
    assert any(line.startswith("compare: 2/2 library") for line in lines)


@pytest.mark.parametrize("command", ["sweep", "demo"])
def test_progress_counts_work_and_networks(command, tmp_path, capsys):
    from nnscratch.cli import main

    args = [command, "--passes", "101", "--out", str(tmp_path), "--json", "--jobs", "2"]
    if command == "sweep":
        args[1:1] = ["--hidden", "1", "2", "3"]
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    networks = 3 if command == "sweep" else 18
    assert err[-1].endswith(f"{networks}/{networks} networks done"), err


def test_bars_are_widgets_only_inside_a_jupyter_kernel(monkeypatch):
    """A process that merely imported ipykernel (a runner executing notebooks) still gets
    the plain text lines; a running kernel (get_ipython().kernel) gets tqdm's bar."""
    import io
    import types

    from nnscratch import progress

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert not progress.in_jupyter_kernel() and not progress.interactive(io.StringIO())
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert progress.in_jupyter_kernel() and progress.interactive(io.StringIO())


def test_a_plain_bar_writes_its_last_line_once():
    """Off a terminal the bar writes plain lines; when the last update has just written
    the final count, closing the bar does not write it again."""
    import io

    from nnscratch.progress import progress_bar

    out = io.StringIO()
    bar = progress_bar(100, "demo", "%", file=out, every=0)
    bar.update(40)
    bar.update(60)
    bar.close()
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == ["demo: 40%", "demo: 100%"]
    out = io.StringIO()
    bar = progress_bar(3, "fit", "epoch", file=out, every=3600)
    bar.update(2)
    bar.close()  # nothing written since the start: the end is written
    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == ["fit: 2/3 epoch (67%)"]
