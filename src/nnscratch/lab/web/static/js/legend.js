// What the heatmap's colours and marks mean: a colour bar (P(class 1), the most likely class,
// or the network's output for a regression) whose labels show each class's point colour,
// and the two markers (circles: training points; triangles: test points). Rebuilt only
// when its contents change.

import { classColor, css, mix, spectral, TINT, tinted, WHITE } from "./colors.js";
import { markerPath } from "./heatmap.js";

/** The heatmap's own scales (see heatmap.js): Spectral, washed towards white. */
const smooth = (t) => tinted(spectral(t), TINT - 0.1);
const stepped = (t) => tinted(spectral(t < 0.5 ? 0 : 1), TINT);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function className(data, k) {
  const labels = data.label_values;
  return labels && labels[k] !== undefined ? String(labels[k]) : String(k);
}

/** A small canvas with one marker (or a plain dot) in `color`. */
function swatch(color, kind) {
  const scale = window.devicePixelRatio || 1;
  const canvas = element("canvas", "swatch-mark");
  canvas.width = canvas.height = Math.round(14 * scale);
  canvas.style.width = canvas.style.height = "14px";
  canvas.setAttribute("aria-hidden", "true");
  const ctx = canvas.getContext("2d");
  markerPath(ctx, 7 * scale, 7.5 * scale, 4.4 * scale, kind === "test");
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 0.8 * scale;
  ctx.strokeStyle = "rgba(20,20,20,0.85)";
  ctx.stroke();
  return canvas;
}

/** The colour bar: `paint(t)` gives the colour at t in [0, 1] (left to right). */
function colorBar(paint) {
  const canvas = element("canvas", "colorbar");
  canvas.width = 256;
  canvas.height = 1;
  canvas.setAttribute("aria-hidden", "true");
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) image.data.set([...paint(i / 255).map(Math.round), 255], i * 4);
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** A titled colour bar; `ends` are its labels, a class's with the colour of its points. */
function scale(title, paint, ends, spread = "ends") {
  const box = element("div", "scale");
  box.append(element("div", "scale-title", title), colorBar(paint));
  const labels = element("div", `scale-labels ${spread}`);
  for (const end of ends) {
    const label = element("span", "key");
    if (typeof end === "string") {
      label.textContent = end;
    } else {
      label.append(swatch(end.color, "dot"), element("span", "", end.text));
    }
    labels.append(label);
  }
  box.append(labels);
  return box;
}

function format(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

export class MapLegend {
  constructor(root) {
    this.root = root;
    this.signature = "";
  }

  draw(boundary, data, { discretize }) {
    if (!boundary || !data) return;
    const k = data.n_classes;
    const names = Array.from({ length: k }, (_, i) => className(data, i));
    const range = boundary.kind === "regression" ? [boundary.vmin, boundary.vmax] : [];
    const signature = JSON.stringify([boundary.kind, k, names, range.map(format), discretize]);
    if (signature === this.signature) return;
    this.signature = signature;
    const parts = [];
    const cls = (i, text) => ({ color: css(classColor(i, k)), text });
    if (boundary.kind === "binary" && discretize) {
      const title = "colour: the predicted class";
      const ends = [cls(0, `class ${names[0]}`), cls(1, `class ${names[1]}`)];
      parts.push(scale(title, stepped, ends, "halves"));
    } else if (boundary.kind === "binary") {
      const title = `colour: the network's probability of class ${names[1]}`;
      const ends = [cls(0, `0 (class ${names[0]})`), "0.5", cls(1, `1 (class ${names[1]})`)];
      parts.push(scale(title, smooth, ends));
    } else if (boundary.kind === "multiclass") {
      // one band per class, from unsure (pale) to sure (its full tint)
      const paint = (t) => {
        const c = Math.min(k - 1, Math.floor(t * k));
        const sure = discretize ? 1 : (t * k) % 1;
        return mix(WHITE, classColor(c, k), 0.12 + (0.88 - TINT) * sure);
      };
      const title = discretize
        ? "colour: the predicted class"
        : "colour: the most likely class, paler where less sure";
      parts.push(scale(title, paint, names.map((n, i) => cls(i, `class ${n}`)), "halves"));
    } else {
      const [lo, hi] = range;
      const title = "colour: the network's output (points: their targets)";
      parts.push(scale(title, smooth, [format(lo), format((lo + hi) / 2), format(hi)]));
    }
    const keys = element("div", "keys");
    for (const [kind, text] of [["train", "training point"], ["test", "test point"]]) {
      const key = element("span", `key marker-${kind}`);
      key.append(swatch("#c9ccd0", kind), element("span", "", text));
      keys.append(key);
    }
    parts.push(keys);
    this.root.replaceChildren(...parts);
  }
}
