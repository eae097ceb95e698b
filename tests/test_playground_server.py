"""The playground server through Starlette's test client, and the command that runs it."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
from starlette.testclient import TestClient

import nnscratch
from nnscratch.cli import main
from nnscratch.cli.playground import is_loopback
from nnscratch.lab.web.server import STATIC_DIR, create_app
from nnscratch.lab.web.session import make_features

BASE = "http://127.0.0.1:8000"  # the page's own address: the Host the server answers to
WS = "ws://127.0.0.1:8000/ws"


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE) as c:
        yield c


def receive_until(ws, kind, limit=500):
    """Messages up to and including the first of type ``kind``."""
    seen = []
    for _ in range(limit):
        message = ws.receive_json()
        seen.append(message)
        if message["type"] == kind:
            return seen
    raise AssertionError(f"no {kind!r} in {limit} messages: {[m['type'] for m in seen]}")


def greet(ws):
    messages = [ws.receive_json() for _ in range(4)]
    assert [m["type"] for m in messages] == ["hello", "state", "data", "frame"]
    return messages


def wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# -- HTTP ------------------------------------------------------------------------------------
def test_the_page_and_static_files_are_served(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>test page</title>")
    (tmp_path / "app.js").write_text("console.log('hi')")
    with TestClient(create_app(static_dir=tmp_path), base_url=BASE) as c:
        page = c.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "test page" in page.text
        js = c.get("/static/app.js")
        assert js.status_code == 200 and "console.log" in js.text
        assert c.get("/static/missing.js").status_code == 404
        assert c.get("/static/../../etc/passwd").status_code == 404


def test_the_package_ships_its_page(client):
    assert (STATIC_DIR / "index.html").is_file()
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_a_missing_page_is_a_clear_error(tmp_path):
    with TestClient(create_app(static_dir=tmp_path), base_url=BASE) as c:
        page = c.get("/")
        assert page.status_code == 500 and "page is missing" in page.text


def test_options_endpoint(client):
    opts = client.get("/api/options").json()
    assert "circles" in opts["datasets"] and opts["limits"]["max_points"] == 10_000
    assert opts["available"] == {"adam": True, "dropout": True}
    assert "adam" in opts["optimizers"]


# -- WebSocket ---------------------------------------------------------------------------------
def test_connect_configure_play_pause(app, client):
    with client.websocket_connect(WS) as ws:
        hello, _, _, frame = greet(ws)
        assert hello["protocol"] == 1 and hello["config"]["dataset"] == "circles"
        assert len(app.state.sessions) == 1
        assert frame["epoch"] == 0 and frame["boundary"]["width"] == 100

        ws.send_json(
            {
                "type": "config",
                "id": 1,
                "config": {"dataset": "moons", "hidden_layers": [{"units": 5}]},
            }
        )
        replies = receive_until(ws, "frame")
        assert [m["type"] for m in replies] == ["state", "data", "frame"]
        assert all(m["re"] == 1 for m in replies)
        assert replies[0]["config"]["dataset"] == "moons"

        ws.send_json({"type": "speed", "value": 20})
        assert receive_until(ws, "state")[-1]["speed"] == 20
        ws.send_json({"type": "play"})
        assert receive_until(ws, "state")[-1]["playing"] is True
        epochs = [m["epoch"] for m in (ws.receive_json() for _ in range(5))]
        assert epochs == sorted(epochs) and epochs[0] > 0 and len(set(epochs)) == 5

        ws.send_json({"type": "pause", "id": "p"})
        paused = receive_until(ws, "state")[-1]
        assert paused["playing"] is False and paused["re"] == "p"
        time.sleep(0.3)  # a player that kept going would send frames now
        ws.send_json({"type": "get_state", "id": "q"})
        after = ws.receive_json()
        assert after["type"] == "state" and after["re"] == "q"
        assert after["epoch"] == paused["epoch"]

        ws.send_json({"type": "step", "epochs": 2})
        stepped = receive_until(ws, "frame")[-1]
        assert stepped["epoch"] == paused["epoch"] + 2


def test_bad_messages_get_error_frames_and_the_session_goes_on(client):
    with client.websocket_connect(WS) as ws:
        greet(ws)
        ws.send_text("{not json")
        err = ws.receive_json()
        assert err["type"] == "error" and "not valid JSON" in err["message"]
        ws.send_bytes(b"\x00\x01")
        err = ws.receive_json()
        assert err["type"] == "error" and "binary" in err["message"]
        ws.send_json({"type": "config", "config": {"hidden_layers": [{"units": 9999}]}})
        err = ws.receive_json()
        assert err["type"] == "error" and err["field"] == "config.hidden_layers[0].units"
        ws.send_text("[" * 200_000 + "]" * 200_000)
        assert ws.receive_json()["type"] == "error"
        ws.send_json({"type": "config", "config": {"features": [[[[[["x1"]]]]]]}})
        assert ws.receive_json()["field"] == "config.features[0]"
        ws.send_json({"type": "launch"})
        assert "valid types" in ws.receive_json()["message"]
        ws.send_json({"type": "error", "message": "a page cannot send a reply"})
        assert "unknown message type 'error'" in ws.receive_json()["message"]
        ws.send_text(json.dumps([1, 2, 3]))
        assert ws.receive_json()["type"] == "error"
        # still alive, and unchanged
        ws.send_json({"type": "step"})
        frame = receive_until(ws, "frame")[-1]
        assert frame["epoch"] == 1


def test_oversize_upload_and_message_are_rejected(client):
    with client.websocket_connect(WS) as ws:
        greet(ws)
        big = "1.0,2.0,0\n" * 110_000  # 1.1 MB
        ws.send_json({"type": "upload_csv", "text": big})
        err = ws.receive_json()
        assert err["type"] == "error" and "limited to 1,000,000 bytes" in err["message"]
        ws.send_text(json.dumps({"type": "upload_csv", "text": "x" * 2_100_000}))
        err = ws.receive_json()
        assert err["type"] == "error" and "too large" in err["message"]
        text = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(50))
        ws.send_json({"type": "upload_csv", "text": text, "name": "mine.csv"})
        replies = receive_until(ws, "frame")
        assert replies[0]["config"]["dataset"] == "csv"
        assert len(replies[1]["train"]["x"]) + len(replies[1]["test"]["x"]) == 50
        ws.send_json({"type": "upload_csv", "text": "1,2,0\n1,2\n"})
        assert ws.receive_json()["message"].startswith("line 2:")


def test_disconnect_drops_the_session(app, client):
    for _ in range(3):
        with client.websocket_connect(WS) as ws:
            greet(ws)
            ws.send_json({"type": "play"})
            ws.receive_json()
        # closing while playing: the player stops and the session goes
    assert wait_for(lambda: len(app.state.sessions) == 0)
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        greet(a)
        greet(b)
        assert len(app.state.sessions) == 2
    assert wait_for(lambda: len(app.state.sessions) == 0)


def test_download_model_and_script(app, client, tmp_path):
    with client.websocket_connect(WS) as ws:
        hello = greet(ws)[0]
        sid = hello["session"]
        ws.send_json({"type": "step", "epochs": 5})
        receive_until(ws, "frame")
        response = client.get(f"/api/session/{sid}/model.nnscratch")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        disposition = response.headers["content-disposition"]
        assert disposition == 'attachment; filename="playground-circles.nnscratch"'
        with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
            assert sorted(zf.namelist()) == ["config.json", "weights.npz"]
        path = tmp_path / "playground-circles.nnscratch"
        path.write_bytes(response.content)
        loaded = nnscratch.load_model(path)
        session = app.state.sessions.get(sid)
        assert loaded.optimizer.iterations == session.model.optimizer.iterations > 0
        inputs = make_features(np.random.default_rng(1).normal(size=(300, 2)), ["x1", "x2"])
        np.testing.assert_array_equal(loaded.predict(inputs), session.model.predict(inputs))
        script = client.get(f"/api/session/{sid}/script.py")
        assert script.status_code == 200 and "EPOCHS = 5" in script.text
        compile(script.text, "run.py", "exec")
        ws.send_json({"type": "export_python"})
        assert receive_until(ws, "python")[-1]["code"] == script.text
    assert wait_for(lambda: len(app.state.sessions) == 0)
    assert client.get(f"/api/session/{sid}/model.nnscratch").status_code == 404
    assert client.get("/api/session/nonsense/script.py").status_code == 404


def test_load_state_from_a_shared_link(client):
    with client.websocket_connect(WS) as ws:
        greet(ws)
        ws.send_json({"type": "config", "config": {"dataset": "xor", "seed": 3}})
        receive_until(ws, "frame")
        ws.send_json({"type": "step", "epochs": 4})
        receive_until(ws, "frame")
        ws.send_json({"type": "get_state"})
        link = receive_until(ws, "state")[-1]["url_state"]
    with client.websocket_connect(WS) as ws:
        greet(ws)
        ws.send_json({"type": "load_state", "state": link})
        state, _, frame = receive_until(ws, "frame")
        assert state["config"]["dataset"] == "xor" and state["config"]["seed"] == 3
        assert frame["epoch"] == 4 and frame["reset"] is True
        ws.send_json({"type": "load_state", "state": "1.garbage"})
        assert ws.receive_json()["type"] == "error"


# -- the extra and the command ------------------------------------------------------------------
def _run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_missing_web_extra_is_named():
    result = _run_python(
        "import sys; sys.modules['starlette'] = None\n"
        "try:\n"
        "    import nnscratch.lab.web.server\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    assert "pip install 'nnscratch[web]'" in result.stdout
    result = _run_python(
        "import sys; sys.modules['uvicorn'] = None\n"
        "from nnscratch.cli import main\n"
        "sys.exit(main(['playground', '--no-browser']))\n"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "nnscratch playground needs the web extra: pip install 'nnscratch[web]' "
        "(or uv run --extra web nnscratch playground)"
    )


def test_port_in_use_is_a_clear_error(capsys):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        code = main(["playground", "--port", str(port), "--no-browser"])
    finally:
        blocker.close()
    assert code == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "Traceback" not in err


def test_bad_port_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["playground", "--port", "70000"])
    assert info.value.code == 2
    assert "port must be an integer 0..65535" in capsys.readouterr().err


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("example.org")


def test_other_hosts_get_a_warning(capsys, monkeypatch):
    import uvicorn

    import nnscratch.cli.playground as command

    class WildcardSocket:  # listens on 127.0.0.1 only, and says 0.0.0.0
        def __init__(self):
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))

        def getsockname(self):
            return ("0.0.0.0", self.sock.getsockname()[1])

        def close(self):
            self.sock.close()

    served = {}
    monkeypatch.setattr(command, "bind", lambda host, port: WildcardSocket())
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets: served.update(app=self))
    args = ["playground", "--host", "0.0.0.0", "--no-browser", "--allow-host", "MyBox.local"]
    assert main(args) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: listening on 0.0.0.0 (every network interface)" in err
    assert "reachable from other machines" in err
    assert "Host names localhost, 127.0.0.1, [::1], 0.0.0.0" in err and "mybox.local" in err
    assert "--allow-host NAME" in err
    # the Host check stays on: the app answers those names only
    app = served["app"].config.app
    with TestClient(app, base_url="http://evil.example:8000") as c:
        assert c.get("/api/options").status_code == 400
    with TestClient(app, base_url="http://mybox.local:8000") as c:
        assert c.get("/api/options").status_code == 200


def test_the_command_serves_the_playground(tmp_path):
    from websockets.sync.client import connect

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "nnscratch", "playground", "--port", "0", "--no-browser"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            line = proc.stdout.readline()
            assert line.startswith("nnscratch playground: http://127.0.0.1:"), line
            url = line.split()[2]
            with connect(
                url.replace("http://", "ws://") + "ws", open_timeout=30, max_size=None
            ) as ws:
                assert json.loads(ws.recv(timeout=30))["type"] == "hello"
                ws.send(json.dumps({"type": "play"}))
                frames = 0
                while frames < 3:
                    message = json.loads(ws.recv(timeout=30))
                    frames += message["type"] == "frame" and message["epoch"] > 0
            with urllib.request.urlopen(url + "api/options", timeout=30) as response:
                assert json.load(response)["limits"]["grid"] == 100
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode in (0, 130, -signal.SIGINT)


def test_messages_are_always_valid_json():
    from nnscratch.lab.web.server import _encode

    text = _encode({"type": "frame", "train_loss": float("nan"), "curve": [[1, float("inf")]]})
    assert json.loads(text) == {"type": "frame", "train_loss": None, "curve": [[1, None]]}


def test_foreign_hosts_and_origins_are_refused(app):
    from starlette.testclient import WebSocketDenialResponse
    from starlette.websockets import WebSocketDisconnect

    with TestClient(app, base_url="http://evil.example:8000") as c:
        response = c.get("/api/options")
        assert response.status_code == 400 and "Invalid host" in response.text
    with TestClient(app, base_url=BASE) as c:
        with pytest.raises(WebSocketDisconnect) as closed:
            with c.websocket_connect(WS, headers={"origin": "http://evil.example"}) as ws:
                ws.receive_json()
        assert closed.value.code == 1008  # refused before any session exists
        assert len(app.state.sessions) == 0
    with TestClient(app, base_url="http://evil.example:8000") as c:
        with pytest.raises(WebSocketDenialResponse) as denied:
            with c.websocket_connect("ws://evil.example:8000/ws") as ws:
                ws.receive_json()
        assert denied.value.status_code == 400
        with c.websocket_connect(WS, headers={"origin": BASE}) as ws:
            assert ws.receive_json()["type"] == "hello"
    for host in ("localhost", "[::1]"):
        with TestClient(app, base_url=f"http://{host}:8000") as c:
            assert c.get("/api/options").status_code == 200
    with TestClient(create_app(allowed_hosts=None), base_url="http://my-machine:8000") as c:
        assert c.get("/api/options").status_code == 200


def test_running_the_playground_leaves_the_callers_logging_alone(monkeypatch, capsys):
    """uvicorn's own logging setup (``dictConfig``) closes every handler in the process;
    the playground sets up uvicorn's logger only, so a notebook's or a test session's
    handlers stay open, and the handler it adds is gone when the server stops."""
    import logging

    import uvicorn

    class Recording(logging.Handler):
        closed = False

        def emit(self, record):
            pass

        def close(self):
            self.closed = True
            super().close()

    mine = Recording()
    logging.getLogger().addHandler(mine)
    seen = {}

    def run(self, sockets):
        seen["handlers"] = list(logging.getLogger("uvicorn").handlers)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    try:
        assert main(["playground", "--no-browser", "--port", "0"]) == 0
    finally:
        logging.getLogger().removeHandler(mine)
    assert not mine.closed
    assert len(seen["handlers"]) == 1  # uvicorn's lines while it runs
    assert logging.getLogger("uvicorn").handlers == []
