"""Playground speed: frames per second reaching a real client, and training steps per second.

The target (issue 5): a 2-8-8-2 network on 200 points with a 100x100 boundary grid sends at
least 30 frames per second to a client on this machine while training at least 1,000
gradient steps per second.

The benchmark starts ``nnscratch playground`` (uvicorn, in its own process, on 127.0.0.1),
connects with the ``websockets`` client library as the page does, configures the network,
presses play and counts what arrives: frames, and the ``steps`` counter inside them. Every
frame is decoded (JSON + the base64 boundary grid), as the page would.

Run::

    uv run python benchmarks/bench_playground.py            # batch 10 and full batch
    uv run python benchmarks/bench_playground.py --seconds 10 --speed 100

Exit status 0 when every run meets both targets, 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time

from websockets.sync.client import connect

TARGET_FPS = 30.0
TARGET_STEPS = 1000.0


def start_server() -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", "playground", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()  # "nnscratch playground: http://127.0.0.1:PORT/ ..."
    if not line.startswith("nnscratch playground: http://"):
        proc.kill()
        raise SystemExit(f"the server did not start: {line}{proc.stderr.read()}")
    return proc, line.split()[2]


def measure(url: str, batch_size: int | str, speed: int, seconds: float) -> dict[str, float]:
    config = {
        "dataset": "circles",
        "n_samples": 200,
        "features": ["x1", "x2"],
        "hidden_layers": [{"units": 8, "activation": "tanh"}] * 2,
        "output": "softmax_cross_entropy",
        "batch_size": batch_size,
        "learning_rate": 0.03,
    }
    ws_url = url.replace("http://", "ws://") + "ws"
    with connect(ws_url, max_size=None, open_timeout=30) as ws:

        def until(kind: str) -> dict:
            while True:
                message = json.loads(ws.recv(timeout=30))
                if message["type"] == kind:
                    return message

        until("frame")
        ws.send(json.dumps({"type": "config", "config": config}))
        state = until("state")
        assert state["n_train"] + state["n_test"] == 200
        until("frame")
        ws.send(json.dumps({"type": "speed", "value": speed}))
        until("state")
        ws.send(json.dumps({"type": "play"}))
        until("state")
        warmup = time.perf_counter() + 1.0
        while time.perf_counter() < warmup:
            until("frame")
        first = until("frame")
        t0 = time.perf_counter()
        frames, size = 0, 0
        last = first
        while time.perf_counter() - t0 < seconds:
            raw = ws.recv(timeout=30)
            message = json.loads(raw)
            if message["type"] != "frame":
                continue
            grid = base64.b64decode(message["boundary"]["values"])
            assert len(grid) == 100 * 100
            frames += 1
            size += len(raw)
            last = message
        elapsed = time.perf_counter() - t0
        ws.send(json.dumps({"type": "pause"}))
    return {
        "fps": frames / elapsed,
        "steps_per_s": (last["steps"] - first["steps"]) / elapsed,
        "epochs_per_s": (last["epoch"] - first["epoch"]) / elapsed,
        "frame_kb": size / max(frames, 1) / 1024,
        "loss": last["train_loss"],
        "steps_per_epoch": state["steps_per_epoch"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per run")
    parser.add_argument("--speed", type=int, default=50, help="gradient steps per frame")
    args = parser.parse_args()

    proc, url = start_server()
    ok = True
    try:
        print(f"server: {url}  network 2-8-8-2, 200 points (100 train), 100x100 grid")
        print(f"speed setting: {args.speed} steps per frame; {args.seconds:g} s per run")
        print()
        header = (
            f"{'batch':>6} {'frames/s':>9} {'vs 30':>6} {'steps/s':>9} {'vs 1000':>8} "
            f"{'epochs/s':>9} {'KB/frame':>9}  result"
        )
        print(header)
        for batch in (10, "full"):
            r = measure(url, batch, args.speed, args.seconds)
            passed = r["fps"] >= TARGET_FPS and r["steps_per_s"] >= TARGET_STEPS
            ok &= passed
            print(
                f"{batch!s:>6} {r['fps']:9.1f} {r['fps'] / TARGET_FPS:5.2f}x "
                f"{r['steps_per_s']:9.0f} {r['steps_per_s'] / TARGET_STEPS:7.2f}x "
                f"{r['epochs_per_s']:9.0f} {r['frame_kb']:9.1f}  "
                f"{'PASS' if passed else 'FAIL'}"
            )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    print()
    print(
        "targets met: frames >= 30/s and steps >= 1,000/s"
        if ok
        else "targets NOT met (frames >= 30/s and steps >= 1,000/s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
