// The decision-boundary heatmap: the model's output over the plane, with the points on top.
// Train points are filled; test points are filled and outlined in black.

import { classColor, css, decodeU8, diverging, lookupTable, mix, WHITE } from "./colors.js";

const SMOOTH = lookupTable(diverging, 0.3);
const STEPPED = lookupTable((t) => diverging(t < 0.5 ? 0.15 : 0.85), 0.35);
const BANDS = lookupTable((t) => diverging(Math.round(t * 9) / 9), 0.3);

/** RGBA pixels of one `boundary` object (see the protocol's grids). */
export function boundaryPixels(boundary, discretize) {
  const { width, height, kind } = boundary;
  const values = decodeU8(boundary.values);
  const pixels = new Uint8ClampedArray(width * height * 4);
  if (kind === "multiclass") {
    const classes = decodeU8(boundary.classes);
    for (let i = 0; i < values.length; i++) {
      const strength = discretize ? 0.55 : 0.15 + 0.6 * (values[i] / 255);
      const rgb = mix(WHITE, classColor(classes[i]), strength);
      pixels.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
    }
    return pixels;
  }
  const table = kind === "binary" ? (discretize ? STEPPED : SMOOTH) : discretize ? BANDS : SMOOTH;
  for (let i = 0; i < values.length; i++) {
    const j = values[i] * 4;
    pixels[i * 4] = table[j];
    pixels[i * 4 + 1] = table[j + 1];
    pixels[i * 4 + 2] = table[j + 2];
    pixels[i * 4 + 3] = 255;
  }
  return pixels;
}

/** Paint a boundary scaled onto ctx's whole canvas (a small offscreen grid, then drawImage). */
export function paintBoundary(ctx, boundary, discretize, scratch) {
  const grid = scratch || document.createElement("canvas");
  if (grid.width !== boundary.width || grid.height !== boundary.height) {
    grid.width = boundary.width;
    grid.height = boundary.height;
  }
  const image = new ImageData(boundaryPixels(boundary, discretize), boundary.width, boundary.height);
  grid.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = !discretize;
  ctx.drawImage(grid, 0, 0, ctx.canvas.width, ctx.canvas.height);
}

/** Colour of a point's label: its class, or its value on the boundary's scale (regression). */
function pointColor(data, boundary, y) {
  if (data.task !== "regression") return css(classColor(y));
  const [lo, hi] = boundary ? [boundary.vmin, boundary.vmax] : data.target_range || [0, 1];
  return css(diverging(hi > lo ? (y - lo) / (hi - lo) : 0.5));
}

export function drawPoints(ctx, data, boundary, { showTest = true, scale = 1 } = {}) {
  const [xmin, xmax, ymin, ymax] = data.extent;
  const w = ctx.canvas.width;
  const h = ctx.canvas.height;
  const n = data.train.y.length + data.test.y.length;
  const r = Math.min(3.5, Math.max(1.3, 3.5 * Math.sqrt(400 / Math.max(n, 1)))) * scale;
  const draw = (set, outline) => {
    ctx.lineWidth = (outline ? 1.2 : 0.8) * scale;
    ctx.strokeStyle = outline ? "#111" : "#fff";
    for (let i = 0; i < set.y.length; i++) {
      const [x1, x2] = set.x[i];
      const px = ((x1 - xmin) / (xmax - xmin)) * w;
      const py = ((ymax - x2) / (ymax - ymin)) * h;
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fillStyle = pointColor(data, boundary, set.y[i]);
      ctx.fill();
      ctx.stroke();
    }
  };
  draw(data.train, false);
  if (showTest) draw(data.test, true);
}

function drawAxes(ctx, extent, scale) {
  const [xmin, xmax, ymin, ymax] = extent;
  const w = ctx.canvas.width;
  const h = ctx.canvas.height;
  ctx.save();
  ctx.strokeStyle = "rgba(0,0,0,0.18)";
  ctx.lineWidth = scale;
  ctx.beginPath();
  if (xmin < 0 && xmax > 0) {
    const px = (-xmin / (xmax - xmin)) * w;
    ctx.moveTo(px, 0);
    ctx.lineTo(px, h);
  }
  if (ymin < 0 && ymax > 0) {
    const py = (ymax / (ymax - ymin)) * h;
    ctx.moveTo(0, py);
    ctx.lineTo(w, py);
  }
  ctx.stroke();
  ctx.fillStyle = "rgba(0,0,0,0.55)";
  ctx.font = `${10 * scale}px system-ui, sans-serif`;
  ctx.textBaseline = "bottom";
  ctx.fillText(xmin.toFixed(1), 3 * scale, h - 2 * scale);
  ctx.textAlign = "right";
  ctx.fillText(xmax.toFixed(1), w - 3 * scale, h - 2 * scale);
  ctx.textBaseline = "top";
  ctx.fillText(ymax.toFixed(1), w - 3 * scale, 2 * scale);
  ctx.restore();
}

/** The main heatmap view: remembers the last boundary and data so toggles can redraw. */
export class Heatmap {
  constructor(canvas) {
    this.canvas = canvas;
    this.scale = window.devicePixelRatio || 1;
    const size = canvas.width;
    canvas.style.width = `${size}px`;
    canvas.style.height = `${canvas.height}px`;
    canvas.width = Math.round(size * this.scale);
    canvas.height = Math.round(canvas.height * this.scale);
    this.ctx = canvas.getContext("2d");
    this.grid = document.createElement("canvas");
    this.boundary = null;
    this.data = null;
  }

  update({ boundary, data }) {
    if (boundary !== undefined) this.boundary = boundary;
    if (data !== undefined) this.data = data;
  }

  draw({ discretize, showTest }) {
    const { ctx } = this;
    ctx.fillStyle = "#f4f5f6";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.boundary) paintBoundary(ctx, this.boundary, discretize, this.grid);
    if (this.data) {
      drawAxes(ctx, this.data.extent, this.scale);
      drawPoints(ctx, this.data, this.boundary, { showTest, scale: this.scale });
    }
  }
}
