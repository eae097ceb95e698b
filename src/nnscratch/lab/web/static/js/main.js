// Wiring: the connection's messages go to the app object and the views; nothing is computed
// here. The protocol is docs/playground-protocol.md.

import { Charts } from "./charts.js";
import { renderConfusion } from "./confusion.js";
import { Connection, sessionUrl } from "./connection.js";
import { Controls } from "./controls.js";
import { Heatmap } from "./heatmap.js";
import { MapLegend } from "./legend.js";
import { Messages } from "./messages.js";
import { NetworkView } from "./network.js";
import { Share } from "./share.js";
import { createApp, readHash, writeHash } from "./state.js";
import { SweepView } from "./sweep.js";

const $ = (id) => document.getElementById(id);
const LINK_EVERY_MS = 2000;

function fixed(v, digits = 3) {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
}

function percent(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : `${(100 * v).toFixed(1)}%`;
}

function start() {
  const app = createApp();
  const messages = new Messages($("error"), $("error-text"), $("error-dismiss"), $("notice"));
  const send = (type, fields) => {
    const id = app.connection.send(type, fields);
    if (id === null) messages.showError("not connected to the playground server: reconnecting…", "offline");
    return id;
  };
  app.showError = (message) => messages.showError(message);
  const controls = new Controls(app, send);
  app.views = {
    controls,
    heatmap: new Heatmap($("heatmap")),
    legend: new MapLegend($("heatmap-legend")),
    charts: new Charts($("loss-chart"), $("acc-chart")),
    network: new NetworkView($("network"), (i) => controls.layerHeader(i)),
    sweep: new SweepView($("sweep")),
    share: new Share(app),
  };
  app.views.sweep.clear("Tick “run” to train one hidden layer of each size alongside the main network.");

  let pending = false;
  const render = () => {
    pending = false;
    const { views, frame, view } = app;
    views.heatmap.draw(view);
    views.legend.draw(views.heatmap.boundary, app.data, view);
    if (!frame) return;
    views.network.draw(frame);
    views.charts.draw(frame.train_accuracy !== null && frame.train_accuracy !== undefined);
    const labels = app.data && app.data.label_values ? app.data.label_values : null;
    renderConfusion($("confusion"), frame.confusion, view.confusionSet, labels);
    if (frame.sweep) views.sweep.draw(frame.sweep, app.data, view);
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(render);
    }
  };

  const restore = (urlState) => {
    app.restoreId = send("load_state", { state: urlState });
  };

  const handlers = {
    hello(msg) {
      app.options = msg.options;
      app.session = msg.session;
      app.views.charts.clear(); // a new session starts a new run
      controls.forget();
      controls.build(msg.options);
      app.views.share.setSession(msg.session);
      const hash = readHash(window.location);
      app.restoreId = null;
      if (hash && hash !== msg.url_state) restore(hash);
    },
    state(msg) {
      app.state = msg;
      controls.answered(msg.re, false);
      if (controls.upToDate()) controls.sync(msg); // else a later answer is on its way
      messages.showNotices(msg.notices);
      app.views.share.syncState(msg);
      if (app.restoreId !== null && msg.re === app.restoreId) app.restoreId = null;
      if (app.restoreId === null) writeHash(window.history, window.location, msg.url_state);
      if (!msg.sweep) app.views.sweep.clear("Tick “run” to train one hidden layer of each size alongside the main network.");
      schedule();
    },
    data(msg) {
      app.data = msg;
      app.views.heatmap.update({ data: msg });
      schedule();
    },
    frame(msg) {
      if (msg.reset) app.views.charts.clear();
      app.views.charts.append(msg.curve);
      app.frame = msg;
      if (app.state) app.state.playing = msg.playing;
      if (msg.playing && performance.now() - app.linkTime > LINK_EVERY_MS) {
        app.linkTime = performance.now();
        send("get_state"); // keep the link's epoch fresh while training
      }
      controls.syncPlaying(msg.playing);
      $("epoch").textContent = msg.epoch.toLocaleString("en-US");
      $("train-loss").textContent = fixed(msg.train_loss);
      $("test-loss").textContent = fixed(msg.test_loss);
      $("train-acc").textContent = percent(msg.train_accuracy);
      $("test-acc").textContent = percent(msg.test_accuracy);
      app.views.heatmap.update({ boundary: msg.boundary });
      schedule();
    },
    error(msg) {
      controls.answered(msg.re, true);
      messages.showError(msg.message, msg.code, msg.field);
      if (app.restoreId !== null && msg.re === app.restoreId) {
        app.restoreId = null; // the link could not be restored: show what the session has
        if (app.state) writeHash(window.history, window.location, app.state.url_state);
      }
      if (app.state) controls.sync(app.state, true); // put back what the session really uses
    },
    python(msg) {
      $("python-code").textContent = msg.code;
      if (!$("python-dialog").open) $("python-dialog").showModal();
    },
  };

  app.connection = new Connection(sessionUrl(window.location), {
    onMessage: (msg) => {
      const handler = handlers[msg.type];
      if (handler) handler(msg);
    },
    onStatus: (status) => {
      const label = { connecting: "connecting…", open: "connected", closed: "disconnected: reconnecting…" };
      $("status").dataset.state = status;
      $("status").textContent = label[status] || status;
      if (status !== "open") app.session = null;
      if (status === "open" && $("error").dataset.code === "offline") messages.hideError();
    },
  });

  $("discretize").addEventListener("change", (e) => {
    app.view.discretize = e.target.checked;
    schedule();
  });
  $("show-test").addEventListener("change", (e) => {
    app.view.showTest = e.target.checked;
    schedule();
  });
  $("confusion-set").addEventListener("change", (e) => {
    app.view.confusionSet = e.target.value;
    schedule();
  });
  window.addEventListener("hashchange", () => {
    const hash = readHash(window.location);
    if (hash && app.state && hash !== app.state.url_state) restore(hash);
  });
  window.addEventListener("resize", schedule);
  app.connection.open();
}

start();
