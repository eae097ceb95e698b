// The decision-boundary heatmap: the model's output over the plane, with the points on top,
// axis ticks for x1 and x2, and (in legend.js) what the colours and the markers mean.
// Training points are circles, test points triangles, both with a thin dark edge, as in
// the command line's figures.

import { classColor, colorBytes, css, decodeU8, lookupTable, mix, spectral, TINT, tinted, WHITE } from "./colors.js";

// P(class 1) or a regression output: Spectral, washed towards white so the points show
const SMOOTH = lookupTable(spectral, TINT - 0.1);
const STEPPED = lookupTable((t) => spectral(t < 0.5 ? 0 : 1), TINT);
const BANDS = lookupTable((t) => spectral(Math.round(t * 9) / 9), TINT - 0.1);
/** Room around the map for the axes (CSS pixels). */
const MARGIN = { left: 34, right: 8, top: 6, bottom: 30 };

/** RGBA pixels of one `boundary` object (see the protocol's grids). */
export function boundaryPixels(boundary, discretize, nClasses = 2) {
  const { width, height, kind } = boundary;
  const values = decodeU8(boundary.values);
  if (kind === "multiclass") {
    const pixels = new Uint8ClampedArray(width * height * 4);
    const classes = decodeU8(boundary.classes);
    const floor = 1 / nClasses; // the least a most likely class can have
    for (let i = 0; i < values.length; i++) {
      const sure = Math.max(0, (values[i] / 255 - floor) / (1 - floor));
      const strength = discretize ? 1 - TINT : 0.12 + (0.88 - TINT) * sure;
      const rgb = mix(WHITE, classColor(classes[i], nClasses), strength);
      pixels.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
    }
    return pixels;
  }
  const table = kind === "binary" ? (discretize ? STEPPED : SMOOTH) : discretize ? BANDS : SMOOTH;
  return colorBytes(values, table);
}

function fullRect(ctx) {
  return { x: 0, y: 0, w: ctx.canvas.width, h: ctx.canvas.height };
}

/** Paint a boundary scaled onto `rect` of ctx's canvas (a small offscreen grid, then drawImage). */
export function paintBoundary(ctx, boundary, discretize, scratch, rect = fullRect(ctx), nClasses = 2) {
  const grid = scratch || document.createElement("canvas");
  if (grid.width !== boundary.width || grid.height !== boundary.height) {
    grid.width = boundary.width;
    grid.height = boundary.height;
  }
  const image = new ImageData(boundaryPixels(boundary, discretize, nClasses), boundary.width, boundary.height);
  grid.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = !discretize;
  ctx.drawImage(grid, rect.x, rect.y, rect.w, rect.h);
}

/** Colour of a point's label: its class, or its value on the boundary's scale (regression). */
export function pointColor(data, boundary, y) {
  if (data.task !== "regression") return css(classColor(y, data.n_classes));
  const [lo, hi] = boundary ? [boundary.vmin, boundary.vmax] : data.target_range || [0, 1];
  return css(spectral(hi > lo ? (y - lo) / (hi - lo) : 0.5));
}

/** A training point's circle or a test point's triangle, centred on (x, y). */
export function markerPath(ctx, x, y, r, test) {
  ctx.beginPath();
  if (test) {
    const s = r * 1.35; // a triangle of about the circle's area
    ctx.moveTo(x, y - s);
    ctx.lineTo(x + s * 0.866, y + s * 0.5);
    ctx.lineTo(x - s * 0.866, y + s * 0.5);
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

export function drawPoints(ctx, data, boundary, { showTest = true, scale = 1, rect = fullRect(ctx) } = {}) {
  const [xmin, xmax, ymin, ymax] = data.extent;
  const n = data.train.y.length + data.test.y.length;
  const r = Math.min(3.6, Math.max(1.4, 3.6 * Math.sqrt(400 / Math.max(n, 1)))) * scale;
  const draw = (set, test) => {
    ctx.lineWidth = 0.7 * scale;
    ctx.strokeStyle = "rgba(20,20,20,0.85)";
    for (let i = 0; i < set.y.length; i++) {
      const [x1, x2] = set.x[i];
      const px = rect.x + ((x1 - xmin) / (xmax - xmin)) * rect.w;
      const py = rect.y + ((ymax - x2) / (ymax - ymin)) * rect.h;
      markerPath(ctx, px, py, r, test);
      ctx.fillStyle = pointColor(data, boundary, set.y[i]);
      ctx.fill();
      ctx.stroke();
    }
  };
  draw(data.train, false);
  if (showTest) draw(data.test, true);
}

/** About `count` round tick values between lo and hi (steps of 1, 2 or 5 times a power of 10). */
export function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
    out.push(Math.abs(v) < 1e-9 * step ? 0 : v);
  }
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return out.map((v) => ({ value: v, text: v.toFixed(digits) }));
}

function drawAxes(ctx, extent, rect, scale) {
  const [xmin, xmax, ymin, ymax] = extent;
  const px = (v) => rect.x + ((v - xmin) / (xmax - xmin)) * rect.w;
  const py = (v) => rect.y + ((ymax - v) / (ymax - ymin)) * rect.h;
  ctx.save();
  // the axes through the origin, faintly, inside the map
  ctx.strokeStyle = "rgba(0,0,0,0.16)";
  ctx.lineWidth = scale;
  ctx.beginPath();
  if (xmin < 0 && xmax > 0) {
    ctx.moveTo(px(0), rect.y);
    ctx.lineTo(px(0), rect.y + rect.h);
  }
  if (ymin < 0 && ymax > 0) {
    ctx.moveTo(rect.x, py(0));
    ctx.lineTo(rect.x + rect.w, py(0));
  }
  ctx.stroke();
  // the frame, tick marks and numbers outside it
  ctx.strokeStyle = "#9aa0a6";
  ctx.strokeRect(rect.x - 0.5 * scale, rect.y - 0.5 * scale, rect.w + scale, rect.h + scale);
  ctx.fillStyle = "#5f6368";
  ctx.font = `${10 * scale}px system-ui, sans-serif`;
  const tick = 4 * scale;
  ctx.beginPath();
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const { value, text } of ticks(xmin, xmax)) {
    const x = px(value);
    ctx.moveTo(x, rect.y + rect.h);
    ctx.lineTo(x, rect.y + rect.h + tick);
    ctx.fillText(text, x, rect.y + rect.h + tick + scale);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const { value, text } of ticks(ymin, ymax)) {
    const y = py(value);
    ctx.moveTo(rect.x - tick, y);
    ctx.lineTo(rect.x, y);
    ctx.fillText(text, rect.x - tick - 2 * scale, y);
  }
  ctx.stroke();
  // the axis names: the two input features
  ctx.font = `italic ${11 * scale}px system-ui, sans-serif`;
  ctx.fillStyle = "#202124";
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  ctx.fillText("x1", rect.x + rect.w, ctx.canvas.height - scale);
  ctx.translate(2 * scale, rect.y);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.fillText("x2", 0, 0);
  ctx.restore();
}

/** The main heatmap view: remembers the last boundary and data so toggles can redraw. */
export class Heatmap {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.grid = document.createElement("canvas");
    this.boundary = null;
    this.data = null;
    this.size = 0;
    this.resize();
  }

  /** Fit the canvas to its column: a square map plus the room for the axes. */
  resize() {
    const parent = this.canvas.parentElement;
    const style = parent ? getComputedStyle(parent) : null;
    const inner = parent
      ? parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      : 300;
    const width = Math.max(200, Math.min(420, Math.floor(inner)));
    const scale = window.devicePixelRatio || 1;
    if (width === this.size && scale === this.scale) return;
    this.size = width;
    this.scale = scale;
    const map = width - MARGIN.left - MARGIN.right;
    const height = map + MARGIN.top + MARGIN.bottom;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    this.rect = {
      x: MARGIN.left * scale,
      y: MARGIN.top * scale,
      w: map * scale,
      h: map * scale,
    };
  }

  update({ boundary, data }) {
    if (boundary !== undefined) this.boundary = boundary;
    if (data !== undefined) this.data = data;
  }

  draw({ discretize, showTest }) {
    this.resize();
    const { ctx, rect } = this;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.fillStyle = css(tinted([232, 234, 235], 0.3));
    ctx.fillRect(rect.x, rect.y, rect.w, rect.h);
    const nClasses = this.data ? this.data.n_classes : 2;
    if (this.boundary) paintBoundary(ctx, this.boundary, discretize, this.grid, rect, nClasses);
    if (this.data) {
      drawAxes(ctx, this.data.extent, rect, this.scale);
      drawPoints(ctx, this.data, this.boundary, { showTest, scale: this.scale, rect });
    }
  }
}
