"""Keras 3 itself, run in a process of its own on the PyTorch backend, for the tests that
compare nnscratch's numbers with Keras' own."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from typing import Any

import pytest


def run_keras(script: str, data: Any = None) -> Any:
    """What ``script`` prints as its last line, parsed as JSON: a Python program that
    imports Keras and reads ``data`` as JSON on its standard input. Skips the calling
    test when Keras 3 or PyTorch is not installed (``pip install keras torch``)."""
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("needs Keras 3 and PyTorch: pip install keras torch")
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
