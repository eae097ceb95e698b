"""What ``nnscratch moons`` shows in a terminal: the article's lines and the results.

The command-line tests capture stdout through a pipe; a learner's stdout is a terminal,
where ``Sequential.evaluate(verbose="auto")`` prints Keras' ``1/1 - 0s - 3ms/step - loss``
line. Training code that calls ``evaluate`` for a number must not print it, so this runs
the command on a pseudo-terminal and reads what a person would see.
"""

import os
import pty
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def on_a_terminal(*argv: str) -> str:
    """Run ``nnscratch argv`` with stdout on a pseudo-terminal; everything it printed."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", *argv],
        stdout=child,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MPLBACKEND": "Agg", "NNSCRATCH_NATIVE_MATH": "1"},
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_moons_on_a_terminal_prints_only_the_articles_lines(tmp_path):
    out = on_a_terminal("moons", "--passes", "1001", "--out", str(tmp_path))
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[:2] == ["Loss after iteration 0: 0.432387", "Loss after iteration 1000: 0.068947"]
    assert lines[2].startswith("final loss "), lines
    assert not [line for line in lines if "/step" in line], out
