"""The playground end to end: the real server, the real page, in headless Chromium.

The server is ``python -m nnscratch playground --port 0 --no-browser`` in a subprocess; the
page is driven with Playwright through Debian's ``/usr/bin/chromium`` (Playwright's own
browser download is not used). Set ``NNSCRATCH_SCREENSHOT=1`` to save the pictures of a
trained run to ``docs/img/playground.png`` (the README's image, 1280 px wide) and
``docs/img/playground-1024.png`` / ``playground-1400.png``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import runpy
import selectors
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import nnscratch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "img" / "playground.png"
SCREENSHOTS = ROOT / "docs" / "img"  # playground-1024.png, playground-1400.png

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests need Debian's chromium at /usr/bin/chromium "
    "(apt-get install -y chromium; .ci/run installs it)",
)

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect, sync_playwright


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """Start ``nnscratch playground`` on a free port; yield its address."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", "playground", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = _read_url(proc, timeout=30)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def _read_url(proc: subprocess.Popen, timeout: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if selector.select(timeout=0.2):
            line = proc.stdout.readline()
            seen.append(line)
            match = re.search(r"http://[\w.\[\]:]+/", line)
            if match:
                return match.group(0)
    err = proc.stderr.read() if proc.poll() is not None else ""
    raise RuntimeError(f"the playground server did not start: {''.join(seen)}{err}")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server_url) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert page_errors == [], f"the page raised: {page_errors}"


def open_page(page: Page, url: str) -> None:
    """Load the page and wait until the session has drawn its first frame."""
    page.goto(url)
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
    expect(page.locator("#train-loss")).not_to_have_text("–")


def number(page: Page, selector: str) -> float:
    return float(page.locator(selector).inner_text().replace(",", "").rstrip("%"))


HEATMAP_SAMPLE = """() => {
  const c = document.getElementById("heatmap");
  const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const out = [];
  for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) {
    const row = Math.floor(((y + 0.5) * c.height) / 40);
    const i = (row * c.width + Math.floor(((x + 0.5) * c.width) / 40)) * 4;
    out.push(data[i], data[i + 1], data[i + 2]);
  }
  return out;
}"""


def heatmap_sample(page: Page) -> np.ndarray:
    return np.array(page.evaluate(HEATMAP_SAMPLE), dtype=float).reshape(-1, 3)


def wait_for_heatmap(page: Page, changed_from: np.ndarray, timeout: float = 10.0) -> np.ndarray:
    """The heatmap's sample, once it differs from ``changed_from`` (it is drawn on the next
    animation frame after a message, so a slow machine may show the old picture for a while)."""
    deadline = time.monotonic() + timeout
    while True:
        sample = heatmap_sample(page)
        if np.abs(sample - changed_from).sum(axis=1).max() > 30:
            return sample
        if time.monotonic() > deadline:
            raise AssertionError(f"the heatmap did not change within {timeout} s")
        page.wait_for_timeout(50)


def test_circles_train_until_the_loss_falls_and_the_heatmap_changes(page, server_url):
    open_page(page, server_url)
    page.select_option("#dataset", "moons")
    expect(page.locator("#dataset")).to_have_value("moons")
    page.select_option("#dataset", "circles")
    expect(page.locator("#dataset")).to_have_value("circles")
    page.select_option("#speed", "200")
    page.check("#sweep-toggle")
    expect(page.locator("#sweep figure")).to_have_count(7)
    expect(page.locator("#epoch")).to_have_text("0")
    start_loss = number(page, "#train-loss")
    before = heatmap_sample(page)

    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "() => parseFloat(document.getElementById('train-loss').textContent) < 0.35",
        timeout=15_000,
    )
    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")

    assert start_loss > 0.5  # an untrained two-class network: about ln 2
    assert number(page, "#epoch") > 0
    assert number(page, "#train-acc") > 80
    after = heatmap_sample(page)
    changed = np.abs(after - before).sum(axis=1) > 30
    assert changed.mean() > 0.05, f"only {changed.mean():.1%} of the heatmap changed"
    # the views that follow the run: curves, confusion matrix (100 test points), neurons
    counts = [int(t) for t in page.locator("#confusion td").all_inner_texts()]
    assert len(counts) == 4 and sum(counts) == 100
    neuron = page.locator('canvas.neuron[data-layer="0"][data-unit="0"]')
    neuron.hover()
    expect(page.locator("#network .zoom")).to_be_visible()
    expect(page.locator("#network .zoom")).to_contain_text("layer 1, neuron 1")
    if os.environ.get("NNSCRATCH_SCREENSHOT") == "1":
        page.mouse.move(5, 5)
        page.evaluate("document.activeElement.blur()")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))


def test_adam_and_dropout_train_and_the_loss_falls(page, server_url):
    open_page(page, server_url)
    expect(page.locator("#dataset")).to_have_value("circles")
    expect(page.locator('#optimizer option[value="adam"]')).to_be_enabled()
    expect(page.locator("#dropout")).to_be_enabled()
    page.select_option("#optimizer", "adam")
    expect(page.locator("#optimizer")).to_have_value("adam")
    page.select_option("#learning-rate", "0.03")
    page.select_option("#dropout", "0.1")
    state = url_state(
        wait_for_link(
            page,
            lambda s: (
                s["config"]["optimizer"] == "adam"
                and s["config"]["dropout"] == 0.1
                and s["config"]["learning_rate"] == 0.03
            ),
        )
    )
    assert state["epoch"] == 0
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#epoch")).to_have_text("0")
    start_loss = number(page, "#train-loss")
    page.select_option("#speed", "200")
    page.click("#play")
    page.wait_for_function(
        "() => parseFloat(document.getElementById('train-loss').textContent) < 0.5",
        timeout=15_000,
    )
    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    assert start_loss > 0.6
    assert number(page, "#train-loss") < 0.5 and number(page, "#epoch") > 0
    expect(page.locator("#error")).to_be_hidden()
    # the copied script builds the same network: Adam, and Dropout after each hidden layer
    page.click("#copy-python")
    expect(page.locator("#python-code")).to_contain_text("optimizer=Adam(learning_rate=0.03)")
    expect(page.locator("#python-code")).to_contain_text("Dropout(0.1)")


def test_an_older_state_does_not_undo_a_control_just_changed(page, server_url):
    """A state that answers an earlier request may arrive after the user has changed another
    control: it must not untick what was just ticked. The test holds the server's replies
    back (a relay between page and server) to make that order certain."""
    sent: list[dict] = []  # page -> server
    held: list[str] = []  # server -> page, while holding
    relay: dict = {"hold": False}

    def route(ws) -> None:
        server = ws.connect_to_server()

        def to_server(message: str) -> None:
            sent.append(json.loads(message))
            server.send(message)

        def to_page(message: str) -> None:
            (held.append if relay["hold"] else ws.send)(message)

        ws.on_message(to_server)
        server.on_message(to_page)
        relay["page"] = ws

    def request_id(kind: str) -> int:
        return next(m["id"] for m in sent if m["type"] == kind)

    def answers(kind: str) -> list[str]:
        return [m for m in held if json.loads(m).get("re") == request_id(kind)]

    page.route_web_socket(re.compile(r"/ws$"), route)
    open_page(page, server_url)
    relay["hold"] = True
    page.select_option("#dataset", "moons")
    page.check("#sweep-toggle")  # sent before the dataset's answer has arrived
    deadline = time.monotonic() + 10
    while not answers("sweep"):
        assert time.monotonic() < deadline, f"the sweep was never answered: {held}"
        page.wait_for_timeout(50)
    first = answers("config")
    assert json.loads(first[0])["type"] == "state"
    assert json.loads(first[0])["sweep"] in (None, [])
    for message in first:  # the dataset's answer, whose state has no sweep
        relay["page"].send(message)
    page.wait_for_function("() => window.location.hash.includes('dataset=moons')")
    expect(page.locator("#sweep-toggle")).to_be_checked()
    expect(page.locator("#dataset")).to_have_value("moons")
    relay["hold"] = False
    for message in held:
        if message not in first:
            relay["page"].send(message)
    expect(page.locator("#sweep figure")).to_have_count(7)
    expect(page.locator("#sweep-toggle")).to_be_checked()


def url_state(url: str) -> dict:
    """Decode the page's URL state (``name=value&...``, read by the server's own decoder)."""
    from urllib.parse import unquote

    from nnscratch.lab.web.urlstate import decode

    token = unquote(url.partition("#")[2])
    assert "=" in token, f"not a playground URL state: {url}"
    return decode(token)


def wait_for_link(page: Page, condition, timeout: float = 10.0) -> str:
    """The page's address, once its URL state satisfies ``condition``."""
    deadline = time.monotonic() + timeout
    while True:
        url = page.url
        if "#" in url and condition(url_state(url)):
            return url
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the link never caught up: {url_state(url) if '#' in url else url}"
            )
        page.wait_for_timeout(50)


def test_a_shared_link_restores_the_state(page, browser, server_url):
    open_page(page, server_url)
    page.select_option("#dataset", "xor")
    expect(page.locator("#dataset")).to_have_value("xor")
    page.click("#add-layer")
    expect(page.locator("#layer-count")).to_have_text("3")
    page.fill("#units-0", "6")
    page.press("#units-0", "Enter")
    expect(page.locator('canvas.neuron[data-layer="0"]')).to_have_count(6)
    page.select_option("#learning-rate", "0.3")
    page.check("#feature-x1x2")
    page.select_option("#speed", "20")
    expect(page.locator("#speed")).to_have_value("20")
    for _ in range(4):
        page.click("#step")
    expect(page.locator("#epoch")).to_have_text("4")
    link = wait_for_link(page, lambda s: s["epoch"] == 4 and s["speed"] == 20)

    def check(restored: Page) -> None:
        expect(restored.locator("#dataset")).to_have_value("xor")
        expect(restored.locator("#layer-count")).to_have_text("3")
        expect(restored.locator("#units-0")).to_have_value("6")
        expect(restored.locator("#learning-rate")).to_have_value("0.3")
        expect(restored.locator("#feature-x1x2")).to_be_checked()
        expect(restored.locator("#speed")).to_have_value("20")
        expect(restored.locator("#epoch")).to_have_text("4")
        expect(restored.locator('canvas.neuron[data-layer="0"]')).to_have_count(6)

    page.reload()
    check(page)
    shared = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        shared.goto(link)
        check(shared)
        assert (
            shared.locator("#train-loss").inner_text() == page.locator("#train-loss").inner_text()
        )
    finally:
        shared.context.close()


def csv_text(n: int, classes: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    centers = np.array([[-2.0, -2.0], [2.0, 2.0], [-2.0, 2.0], [2.0, -2.0], [0.0, 0.0]])
    labels = np.arange(n) % classes
    points = centers[labels] + 0.4 * rng.standard_normal((n, 2))
    lines = ["x1,x2,label"] + [f"{a:.4f},{b:.4f},{k}" for (a, b), k in zip(points, labels)]
    return "\n".join(lines) + "\n"


def upload(page: Page, name: str, text: str) -> None:
    page.set_input_files(
        "#csv-file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )


def test_upload_a_csv_and_see_its_points(page, server_url):
    open_page(page, server_url)
    before = wait_for_heatmap(page, changed_from=np.full((1600, 3), 255.0))  # drawn at all
    upload(page, "three-blobs.csv", csv_text(60, classes=3))
    expect(page.locator("#dataset")).to_have_value("csv")
    expect(page.locator("#point-count")).to_have_text(
        re.compile(r"^30 train · 30 test · 3 classes")
    )
    wait_for_heatmap(page, changed_from=before)  # the new points are drawn
    expect(page.locator("#confusion tbody tr")).to_have_count(3)
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text("1")
    # the uploaded points travel in the link too
    wait_for_link(page, lambda s: s["epoch"] == 1 and len(s.get("csv") or []) == 60)
    page.reload()
    expect(page.locator("#dataset")).to_have_value("csv")
    expect(page.locator("#point-count")).to_have_text(re.compile(r"^30 train · 30 test"))
    # labels of the file's own (here -1 and 1) name the classes
    signs = csv_text(40, classes=2).replace(",0\n", ",-1\n")
    upload(page, "signs.csv", signs)
    expect(page.locator("#point-count")).to_have_text(re.compile(r"^20 train · 20 test · 2 cl"))
    expect(page.locator("#confusion thead th")).to_have_text(["true \\ pred", "-1", "1"])


def test_a_malformed_csv_names_the_line_and_the_page_goes_on(page, server_url):
    open_page(page, server_url)
    count = page.locator("#point-count").inner_text()
    bad = "x1,x2,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.6\n0.7,0.8,1\n"
    upload(page, "broken.csv", bad)
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 4")
    expect(page.locator("#point-count")).to_have_text(count)  # nothing changed
    page.click("#error-dismiss")
    expect(error).to_be_hidden()
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text("1")


def test_a_rejected_setting_shows_the_error_and_the_control_goes_back(page, server_url):
    open_page(page, server_url)
    units = page.locator("#units-0").input_value()
    page.fill("#units-0", "300")
    page.press("#units-0", "Enter")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-text")).to_contain_text("300")
    # the control's label, not the protocol's name (hidden_layers[0].units)
    expect(page.locator("#error-text")).to_contain_text("Neurons in layer 1 must be")
    expect(page.locator("#error-text")).not_to_contain_text("hidden_layers")
    page.click("#epoch")  # leave the field: it shows the session's value again
    page.click("#step")
    expect(page.locator("#units-0")).to_have_value(units)
    expect(page.locator("#epoch")).to_have_text("1")


def test_a_rejected_number_of_points_is_named_as_on_the_page(page, server_url):
    open_page(page, server_url)
    page.fill("#n-samples", "5")
    page.press("#n-samples", "Enter")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-text")).to_have_text(
        re.compile(r"^Number of points must be an integer 10\.\.\d+, got 5$")
    )


def test_the_network_controls_reach_the_session(page, server_url):
    open_page(page, server_url)
    layer0 = page.locator('canvas.neuron[data-layer="0"]')
    expect(layer0).to_have_count(4)
    page.click("#units-plus-0")
    expect(layer0).to_have_count(5)
    expect(page.locator("#units-0")).to_have_value("5")
    page.click("#units-minus-0")
    page.click("#units-minus-0")
    expect(layer0).to_have_count(3)
    page.select_option("#activation-1", "relu")
    page.click("#remove-layer")
    expect(page.locator("#layer-count")).to_have_text("1")
    expect(page.locator("canvas.neuron.hidden")).to_have_count(3)
    page.click("#add-layer")
    expect(page.locator("#layer-count")).to_have_text("2")
    expect(page.locator("canvas.neuron.hidden")).to_have_count(6)  # a copy of the last layer
    page.check("#full-batch")
    expect(page.locator("#batch-size")).to_be_disabled()
    expect(page.locator("#batch-size")).to_have_value("100")
    expect(page.locator("#momentum-field")).to_be_hidden()
    page.select_option("#optimizer", "momentum")
    expect(page.locator("#momentum-field")).to_be_visible()
    page.check("#feature-x1sq")
    expect(page.locator(".input-name")).to_have_text(["x1", "x2", "x1^2"])
    expect(page.locator("#error")).to_be_hidden()
    state = url_state(wait_for_link(page, lambda s: s["config"]["optimizer"] == "momentum"))
    wait_for_link(page, lambda s: s["config"]["features"] == ["x1", "x2", "x1^2"])
    assert state["config"]["hidden_layers"] == [
        {"units": 3, "activation": "tanh"},
        {"units": 3, "activation": "tanh"},
    ]
    assert state["config"]["batch_size"] in ("full", 100)


UNLABELLED = """() => [...document.querySelectorAll("input, select, button, a.button-like")]
  .filter((el) => !el.closest("[hidden]") && !el.closest("dialog"))
  .filter((el) => {
    const text = (el.getAttribute("aria-label") || "").trim()
      || [...(el.labels || [])].map((l) => l.textContent.trim()).join("")
      || (el.tagName === "BUTTON" || el.tagName === "A" ? el.textContent.trim() : "");
    return text === "";
  })
  .map((el) => el.id || el.outerHTML.slice(0, 80))"""


def test_documented_ids_exist_labelled_and_the_page_fits_1280(page, server_url):
    html = (ROOT / "src/nnscratch/lab/web/static/index.html").read_text()
    comment = html[html.index("<!--") : html.index("-->")]
    documented = {i for i in re.findall(r"#([a-z][\w-]*)", comment) if not i.endswith("-i")}
    assert {"play", "heatmap", "error", "dataset", "csv-file", "train-loss"} <= documented
    open_page(page, server_url)
    missing = page.evaluate(
        "(ids) => ids.filter((id) => !document.getElementById(id))", sorted(documented)
    )
    assert missing == []
    for i in range(2):  # the default network's two hidden layers
        for name in ("units", "units-plus", "units-minus", "activation"):
            expect(page.locator(f"#{name}-{i}")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for selector in ("#play", "#heatmap", "#network", "#train-loss", "#confusion"):
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, selector


def test_export_python_model_and_png(page, server_url, tmp_path):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, server_url)
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text("1")
    page.click("#copy-python")
    expect(page.locator("#python-dialog")).to_be_visible()
    expect(page.locator("#python-code")).to_contain_text("nnscratch")
    expect(page.locator("#python-copied")).to_have_text("copied to the clipboard")
    script = page.evaluate("navigator.clipboard.readText()")
    assert script == page.locator("#python-code").inner_text()
    compile(script, "copied.py", "exec")  # a whole, valid Python script
    page.click("#python-close")
    expect(page.locator("#python-dialog")).to_be_hidden()

    link = wait_for_link(page, lambda s: s["epoch"] == 1)
    page.click("#copy-link")
    expect(page.locator("#copy-link")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link

    expect(page.locator("#model-note")).to_contain_text("playground-circles.nnscratch")
    expect(page.locator("#model-note")).to_contain_text("nnscratch.load_model(path)")
    expect(page.locator("#model-note")).to_contain_text("inputs: x1, x2, in this order")
    with page.expect_download() as info:
        page.click("#download-model")
    download = info.value
    assert download.suggested_filename == "playground-circles.nnscratch"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "weights.npz"]
    model = nnscratch.load_model(path)
    assert model.name == "playground-circles (inputs: x1, x2)"
    # the downloaded model is the one the copied script trains, bit for bit
    copied = tmp_path / "copied.py"
    copied.write_text(script)
    with contextlib.redirect_stdout(io.StringIO()):
        run = runpy.run_path(str(copied))
    X = np.random.default_rng(3).uniform(-2, 2, size=(400, 2))
    ours = model.predict(run["features"](X))
    np.testing.assert_array_equal(ours, run["model"].predict(run["features"](X)))

    with page.expect_download() as info:
        page.click("#download-png")
    png = Path(info.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


@pytest.mark.parametrize("width", [1024, 1400])
def test_the_page_reads_from_1024_px_with_a_legend_and_axes(browser, server_url, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    try:
        open_page(page, server_url)
        page.select_option("#speed", "50")
        page.click("#play")
        page.wait_for_function(
            "() => parseFloat(document.getElementById('train-loss').textContent) < 0.35",
            timeout=20_000,
        )
        page.click("#play")
        expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
        # nothing is cut off: no sideways scrolling, every view inside the width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        views = ("#play", "#heatmap", "#heatmap-legend", "#network", "#train-loss", "#confusion")
        for selector in (*views, "#output", "#l1", "#dropout", "#sweep-sizes"):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
        box = page.locator("#heatmap").bounding_box()
        assert box["width"] >= 280 and box["y"] + box["height"] <= 800  # seen at once
        # the legend says what the colours and the two markers mean
        legend = page.locator("#heatmap-legend")
        expect(legend).to_contain_text("probability of class 1")
        expect(legend).to_contain_text("0 (class 0)")
        expect(legend).to_contain_text("training point")
        expect(legend).to_contain_text("test point")
        expect(legend.locator("canvas.colorbar")).to_have_count(1)
        page.check("#discretize")
        expect(legend).to_contain_text("the predicted class")
        page.uncheck("#discretize")
        # the ticks and axis names are drawn around the map, in the canvas's margin
        margin = page.evaluate(MARGIN_INK)
        assert margin > 40, f"hardly anything drawn beside the map ({margin} dark pixels)"
        if os.environ.get("NNSCRATCH_SCREENSHOT") == "1":
            page.mouse.move(5, 5)
            page.evaluate("document.activeElement.blur()")
            page.screenshot(path=str(SCREENSHOTS / f"playground-{width}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


# dark pixels in the heatmap canvas's left and bottom margins (ticks, numbers, x1, x2)
MARGIN_INK = """() => {
  const c = document.getElementById("heatmap");
  const s = c.width / c.clientWidth;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
    const inMargin = x < 30 * s || y > c.height - 26 * s;
    const i = (y * c.width + x) * 4;
    if (inMargin && d[i] + d[i + 1] + d[i + 2] < 450) ink++;
  }
  return ink;
}"""
