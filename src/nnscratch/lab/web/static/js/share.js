// Share and export: the link (the URL hash holds the whole state), "copy as Python" (a
// script made by the server), the trained model (a server download) and the figure as PNG
// (made here from the page's own canvases).

import { markerPath } from "./heatmap.js";
import { shareLink } from "./state.js";

function $(id) {
  return document.getElementById(id);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission: the text stays selectable in the page
  }
}

function describe(state, frame) {
  const c = state.config;
  const out = frame && frame.neurons ? frame.neurons[frame.neurons.length - 1].units : "out";
  const sizes = [c.features.length, ...c.hidden_layers.map((l) => l.units), out].join("-");
  const title = `nnscratch playground — ${c.dataset} data, a ${sizes} network`;
  const parts = [`epoch ${frame ? frame.epoch : 0}`, `learning rate ${c.learning_rate}`];
  const known = (v) => v !== null && v !== undefined && Number.isFinite(v);
  if (frame && known(frame.train_loss)) parts.push(`train loss ${frame.train_loss.toFixed(3)}`);
  if (frame && known(frame.test_loss)) parts.push(`test loss ${frame.test_loss.toFixed(3)}`);
  if (frame && known(frame.test_accuracy)) parts.push(`test accuracy ${(100 * frame.test_accuracy).toFixed(1)}%`);
  return [title, parts.join(" · ")];
}

/** The figure: the heatmap and the curves side by side, with a caption. */
export function figureCanvas(state, frame) {
  const heatmap = $("heatmap");
  const loss = $("loss-chart");
  const acc = $("acc-chart");
  const scale = heatmap.width / heatmap.clientWidth || 1;
  const pad = 16 * scale;
  const top = 48 * scale;
  const canvas = document.createElement("canvas");
  canvas.width = heatmap.width + loss.width + 3 * pad;
  const legend = 64 * scale;
  canvas.height = Math.max(heatmap.height, loss.height + acc.height + 2 * pad + legend) + top + pad;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const [title, details] = describe(state, frame);
  ctx.textBaseline = "top";
  ctx.fillStyle = "#202124";
  ctx.font = `${13 * scale}px system-ui, sans-serif`;
  ctx.fillText(title, pad, 9 * scale);
  ctx.fillStyle = "#5f6368";
  ctx.font = `${11 * scale}px system-ui, sans-serif`;
  ctx.fillText(details, pad, 27 * scale);
  ctx.drawImage(heatmap, pad, top);
  const right = heatmap.width + 2 * pad;
  ctx.drawImage(loss, right, top);
  let y = top + loss.height + pad;
  if (!acc.hidden) {
    ctx.drawImage(acc, right, y);
    y += acc.height + pad;
  }
  drawLegend(ctx, right, y, loss.width, scale);
  return canvas;
}

/** The page's legend of the map (colour bar, its labels, the markers) drawn into the figure. */
function drawLegend(ctx, x, y, width, scale) {
  const legend = $("heatmap-legend");
  const bar = legend.querySelector("canvas.colorbar");
  const title = legend.querySelector(".scale-title");
  if (!bar || !title) return;
  ctx.fillStyle = "#202124";
  ctx.font = `${11 * scale}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText(title.textContent, x, y);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bar, x, y + 16 * scale, width, 10 * scale);
  ctx.fillStyle = "#5f6368";
  const labels = [...legend.querySelectorAll(".scale-labels > .key")].map((l) => l.textContent);
  labels.forEach((text, i) => {
    const at = labels.length === 1 ? 0.5 : i / (labels.length - 1);
    ctx.textAlign = at === 0 ? "left" : at === 1 ? "right" : "center";
    ctx.fillText(text, x + at * width, y + 30 * scale);
  });
  ctx.textAlign = "left";
  let left = x;
  for (const [test, text] of [[false, "training point"], [true, "test point"]]) {
    markerPath(ctx, left + 6 * scale, y + 52 * scale, 4.4 * scale, test);
    ctx.fillStyle = "#c9ccd0";
    ctx.fill();
    ctx.strokeStyle = "rgba(20,20,20,0.85)";
    ctx.lineWidth = 0.8 * scale;
    ctx.stroke();
    ctx.fillStyle = "#5f6368";
    ctx.fillText(text, left + 14 * scale, y + 46 * scale);
    left += ctx.measureText(text).width + 30 * scale;
  }
}

function code(text) {
  const el = document.createElement("code");
  el.textContent = text;
  return el;
}

export class Share {
  constructor(app) {
    this.app = app;
    $("copy-link").addEventListener("click", () => this.copyLink());
    $("copy-python").addEventListener("click", () => this.copyPython());
    $("download-png").addEventListener("click", () => this.downloadPng());
    $("python-close").addEventListener("click", () => $("python-dialog").close());
    $("python-copy").addEventListener("click", async () => {
      const ok = await copyText($("python-code").textContent);
      $("python-copied").textContent = ok ? "copied" : "select the text and copy it";
    });
    $("download-model").addEventListener("click", (event) => {
      if (!this.app.session) {
        event.preventDefault();
        this.app.showError("not connected to a session yet: nothing to download");
      }
    });
  }

  /** A new session token: point the model download at it. */
  setSession(session) {
    $("download-model").href = `api/session/${encodeURIComponent(session)}/model.nnscratch`;
  }

  /** Say what the model download gives: its file name and the inputs it expects. */
  syncState(state) {
    const file = state.model_file;
    const inputs = state.config.features.join(", ");
    const note = $("model-note");
    note.replaceChildren(
      "Saves ",
      code(file),
      "; load it with ",
      code("nnscratch.load_model(path)"),
      `. Its inputs: ${inputs}, in this order (see Copy as Python).`,
    );
    $("download-model").title = `${file}: inputs ${inputs}`;
  }

  async copyLink() {
    if (!this.app.state) return;
    const ok = await copyText(shareLink(window.location, this.app.state.url_state));
    this.flash($("copy-link"), ok ? "Link copied" : "Copy the address bar");
  }

  async copyPython() {
    if (!this.app.session) return this.app.showError("not connected to a session yet");
    let code;
    try {
      const response = await fetch(`api/session/${encodeURIComponent(this.app.session)}/script.py`);
      if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`);
      code = await response.text();
    } catch (err) {
      this.app.showError(`could not get the Python script: ${err.message}`);
      return;
    }
    $("python-code").textContent = code;
    $("python-copied").textContent = "";
    if (!$("python-dialog").open) $("python-dialog").showModal();
    const ok = await copyText(code);
    $("python-copied").textContent = ok ? "copied to the clipboard" : "select the text and copy it";
  }

  downloadPng() {
    if (!this.app.state) return;
    figureCanvas(this.app.state, this.app.frame).toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `nnscratch-${this.app.state.config.dataset}-epoch${this.app.frame ? this.app.frame.epoch : 0}.png`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, "image/png");
  }

  flash(button, text) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = text;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => (button.textContent = button.dataset.label), 1200);
  }
}
