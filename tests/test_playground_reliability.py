"""A playground nobody can lock up: bounded, cancellable, fair work; honest hosts and logs.

The real server runs as ``python -m nnscratch playground`` on 127.0.0.1 and is driven
with the ``websockets`` client, as a page would. Every wait is bounded; the largest
allowed configuration (10,000 points, 8 hidden layers of 256 units, a sweep of 8 models)
is what the pages train.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
from starlette.testclient import TestClient
from websockets.sync.client import connect

from nnscratch.cli import main
from nnscratch.cli.playground import accepted_hosts
from nnscratch.lab.web import training
from nnscratch.lab.web.schema import LIMITS
from nnscratch.lab.web.server import create_app
from nnscratch.lab.web.session import PlaygroundSession
from nnscratch.lab.web.uploads import parse_csv

BIG = {
    "n_samples": LIMITS["max_points"],
    "train_ratio": 0.9,
    "hidden_layers": [{"units": LIMITS["max_units"], "activation": "relu"}] * 8,
    "learning_rate": 0.0001,
}
#: the longest epoch allowed: 9,000 single-point steps through 8 layers of 256 units
LONGEST = {**BIG, "batch_size": 1}
#: the most work per frame allowed: the biggest batch for that network, and a sweep
HEAVIEST = {**BIG, "batch_size": 500}


class Server:
    """``nnscratch playground`` in a subprocess; its address and what it logged."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "nnscratch", "playground", "--no-browser"]
        self.proc = subprocess.Popen(
            [*command, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self.proc.stdout.readline()
        assert line.startswith("nnscratch playground: http://"), line + self.stop()
        self.url = line.split()[2]
        self.ws = self.url.replace("http://", "ws://") + "ws"

    def stop(self) -> str:
        """Stop the server (SIGKILL if it hangs); return its stderr (once)."""
        if self.proc.stderr.closed:
            return ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


def until(ws, predicate, seconds: float = 60.0) -> dict:
    """The first message that satisfies ``predicate`` (within ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if predicate(message):
            return message


@contextlib.contextmanager
def configured(url: str, config: dict, sweep: list[int] | None = None):
    """A connection whose session has ``config`` (and a sweep), its first frame drawn."""
    with connect(url, max_size=None, open_timeout=30) as ws:
        yield _configure(ws, config, sweep)


def _configure(ws, config: dict, sweep: list[int] | None):
    until(ws, lambda m: m["type"] == "frame")
    ws.send(json.dumps({"type": "config", "config": config, "id": "c"}))
    reply = until(ws, lambda m: m.get("re") == "c" and m["type"] in ("frame", "error"))
    assert reply["type"] == "frame", reply
    if sweep:
        ws.send(json.dumps({"type": "sweep", "sizes": sweep, "id": "s"}))
        until(ws, lambda m: m.get("re") == "s" and m["type"] == "frame")
    return ws


# -- bounded and cancellable ---------------------------------------------------------------
def test_a_pause_during_the_longest_step_is_answered_within_a_second(server):
    with configured(server.ws, LONGEST) as ws:
        ws.send(json.dumps({"type": "step", "epochs": 1, "id": "s"}))
        time.sleep(1.0)  # well inside the epoch (about 10 s of work)
        sent = time.monotonic()
        ws.send(json.dumps({"type": "pause", "id": "p"}))
        until(ws, lambda m: m.get("re") == "p", seconds=5)
        assert time.monotonic() - sent < 1.0
        # the step stopped, and said so: the run is still at a whole epoch (0)
        ws.send(json.dumps({"type": "get_state", "id": "g"}))
        state = until(ws, lambda m: m.get("re") == "g", seconds=5)
        assert state["epoch"] == 0 and not state["playing"]


def test_a_step_is_capped_in_line_with_the_replay_limit():
    s = PlaygroundSession({"n_samples": 1000, "batch_size": 1, "train_ratio": 0.5})
    most = LIMITS["max_replay_steps"] // 500  # 500 steps per epoch, one model
    err = s.handle({"type": "step", "epochs": most + 1})[0]
    assert err["type"] == "error" and err["field"] == "epochs"
    assert f"at most {most:,}" in err["message"] and "40,000" in err["message"]


def test_a_single_step_that_would_take_seconds_is_refused():
    s = PlaygroundSession()
    err = s.handle({"type": "config", "config": {**BIG, "batch_size": "full"}})[0]
    assert err["type"] == "error" and err["field"] == "config.batch_size"
    assert "batch size of at most 543" in err["message"]
    assert s.handle({"type": "config", "config": {**BIG, "batch_size": 543}})[0]["type"] == "state"


def test_a_closed_tab_stops_its_work(server):
    with configured(server.ws, LONGEST) as ws:
        ws.send(json.dumps({"type": "play"}))
        until(ws, lambda m: m["type"] == "state" and m["playing"])
        time.sleep(0.5)
    # the server's CPU time stops growing within about a second
    time.sleep(1.5)
    before = _cpu_seconds(server.proc.pid)
    time.sleep(1.0)
    assert _cpu_seconds(server.proc.pid) - before < 0.3


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_new_tab_connects_within_a_second_while_six_tabs_train(server):
    with contextlib.ExitStack() as stack:
        tabs = [
            stack.enter_context(configured(server.ws, HEAVIEST, sweep=[256] * 8)) for _ in range(6)
        ]
        _new_tabs_connect(server, tabs)


def _new_tabs_connect(server, tabs) -> None:
    stop = threading.Event()

    def read(ws) -> None:  # a page reads every frame it is sent
        with contextlib.suppress(Exception):
            while not stop.is_set():
                ws.recv(timeout=1)

    for ws in tabs:
        ws.send(json.dumps({"type": "speed", "value": 1000}))
        ws.send(json.dumps({"type": "play"}))
    readers = [threading.Thread(target=read, args=(ws,), daemon=True) for ws in tabs]
    for r in readers:
        r.start()
    try:
        time.sleep(2.0)  # all six are deep in their work
        waits = []
        for _ in range(3):
            began = time.monotonic()
            with connect(server.ws, max_size=None, open_timeout=5) as new:
                assert json.loads(new.recv(timeout=5))["type"] == "hello"
                waits.append(time.monotonic() - began)
        assert max(waits) < 1.0, waits
    finally:
        stop.set()


def test_sigterm_stops_the_server_within_two_seconds_even_during_a_step():
    server = Server()
    try:
        with configured(server.ws, LONGEST) as ws:
            ws.send(json.dumps({"type": "step", "epochs": 1}))
            time.sleep(0.5)
            began = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            server.proc.wait(timeout=10)
            assert time.monotonic() - began < 2.0
    finally:
        err = server.stop()
    assert "Traceback" not in err


def test_a_cancelled_long_epoch_goes_back_to_its_start(monkeypatch):
    monkeypatch.setattr(training, "LONG_EPOCH_SECONDS", 0.0)  # every epoch is "long"
    s = PlaygroundSession({"n_samples": 200, "batch_size": 5, "optimizer": "adam"})
    s.train(2)
    before = [w.copy() for w in s.model.get_weights()]
    calls = []

    def after_some_batches() -> bool:  # asked before the epoch and after every batch
        calls.append(1)
        return len(calls) > 7

    assert s.run.train(1, after_some_batches) == 0
    assert s.epoch == 2
    for a, b in zip(s.model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    # and training goes on exactly as if the epoch had never started
    s.train(3)
    fresh = PlaygroundSession({"n_samples": 200, "batch_size": 5, "optimizer": "adam"})
    fresh.train(5)
    for a, b in zip(s.model.get_weights(), fresh.model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- hosts ---------------------------------------------------------------------------------
def test_host_spoofing_is_refused_on_a_wildcard_bind():
    hosts = accepted_hosts("0.0.0.0", "0.0.0.0", ["mybox.local"])
    assert {"localhost", "127.0.0.1", "[::1]", "mybox.local"} <= set(hosts)
    app = create_app(allowed_hosts=hosts)
    for host in ("evil.example", "127.0.0.1.evil.example", "mybox.local.evil"):
        with TestClient(app, base_url=f"http://{host}:8000") as c:
            assert c.get("/api/options").status_code == 400, host
    for host in ("127.0.0.1", "localhost", "mybox.local"):
        with TestClient(app, base_url=f"http://{host}:8000") as c:
            assert c.get("/api/options").status_code == 200, host


def test_a_bad_allow_host_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["playground", "--allow-host", "evil/../x"])
    assert "--allow-host takes a host name" in capsys.readouterr().err


def test_any_loopback_address_serves_the_page():
    import urllib.request

    server = Server("--host", "127.0.0.2")
    try:
        assert server.url.startswith("http://127.0.0.2:")
        with urllib.request.urlopen(server.url + "api/options", timeout=30) as response:
            assert response.status == 200
    finally:
        err = server.stop()
    assert "warning" not in err


# -- logs and uploads --------------------------------------------------------------------------
def test_a_deeply_nested_message_gives_one_short_line(server):
    nested = '{"type": "config", "config": ' + "[" * 900 + "]" * 900 + "}"
    assert 1700 < len(nested) < 1900
    with connect(server.ws, max_size=None, open_timeout=30) as ws:
        until(ws, lambda m: m["type"] == "frame")
        ws.send(nested)
        error = until(ws, lambda m: m["type"] == "error", seconds=10)
        assert len(error["message"]) < 200
        ws.send(json.dumps({"type": "step", "id": "s"}))  # and the session goes on
        assert until(ws, lambda m: m.get("re") == "s")["epoch"] == 1
    log = server.stop()
    assert len(log.splitlines()) <= 1 and len(log) < 400, log[:1000]


def test_an_unexpected_failure_is_logged_on_one_short_line(caplog, monkeypatch):
    def explode(self, message):
        raise RecursionError("x" * 100_000)

    monkeypatch.setattr(PlaygroundSession, "handle", explode)
    with TestClient(create_app(), base_url="http://127.0.0.1:8000") as c:
        with c.websocket_connect("ws://127.0.0.1:8000/ws") as ws:
            for _ in range(4):
                ws.receive_json()
            ws.send_json({"type": "get_state"})
            assert ws.receive_json()["message"] == "internal error: RecursionError"
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("nnscratch")]
    assert len(lines) == 1 and len(lines[0]) < 400 and "\n" not in lines[0]
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x1,2,0\n1,2,1\n", "line 1: x1 must be a number, got 'x1'"),  # a typo, not a header
        ("x1,x2,label\n1_000,2,0\n", "line 2: x1 must be a number, got '1_000'"),
        ("1,\u0662,0\n", "line 1: x2 must be a number"),  # an Arabic-Indic digit
        ("1,2,0\n1,++2,1\n", "line 2: x2 must be a number"),
        ("1,2,0\n1,2e,1\n", "line 2: x2 must be a number"),
        ("1,2,0\n1,1e999,1\n", "line 2: x2 must be a finite number"),
    ],
)
def test_uploads_parse_numbers_strictly_and_never_skip_a_data_row(text, words):
    from nnscratch.lab.web.schema import PlaygroundError

    with pytest.raises(PlaygroundError) as info:
        parse_csv(text)
    assert words in str(info.value)


def test_plain_decimal_numbers_and_a_header_of_words_are_read():
    X, y, task, _ = parse_csv("a,b,c\n+1,-2.5,0\n.5,3.,1\n1E+2,-1e-2,0\n7,8,1\n")
    assert task == "classification" and y.tolist() == [0, 1, 0, 1]
    assert X.tolist() == [[1.0, -2.5], [0.5, 3.0], [100.0, -0.01], [7.0, 8.0]]
