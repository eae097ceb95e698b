// The network diagram: every neuron's output over the plane as a thumbnail (enlarged on
// hover), and the connections between columns drawn with width and colour by weight.
//
// Columns come from `frame.neurons` (inputs first, output last); links from `frame.weights`.

import { classColor, colorBytes, css, decodeF32, decodeU8, lookupTable, mix, NEGATIVE, POSITIVE, spectral, WHITE } from "./colors.js";

const HEADER = 76; // room above the hidden columns for their controls
const MAX_THUMB = 34;
const ZOOM = 150;
const MAX_LINKS = 2500; // per layer; beyond that only the strongest are drawn

/** The colour scale of one neuron's map: t in [0, 1] (byte / 255) -> rgb. */
function neuronScale(column, unit) {
  const lo = column.lo[unit];
  const hi = column.hi[unit];
  if (column.kind === "output" && column.units > 1) {
    // one unit per class (softmax or per-class sigmoid): white -> the class colour
    return (t) => mix(WHITE, classColor(unit, column.units), 0.1 + 0.85 * (lo + t * (hi - lo)));
  }
  if (column.kind === "output" || column.activation === "sigmoid") {
    return (t) => spectral(t); // P(class 1), a regression output or a sigmoid: low red, high blue
  }
  // symmetric around zero: negative red, zero pale yellow, positive blue
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  return (t) => spectral(0.5 + (lo + t * (hi - lo)) / (2 * m));
}

function mapPixels(bytes, offset, size, scale) {
  return colorBytes(bytes, lookupTable(scale), offset, size * size);
}

function columnTitle(column) {
  if (column.kind === "input") return "Input";
  if (column.kind === "output") return "Output";
  return `Layer ${Number(column.layer) + 1}`;
}

function neuronTitle(column, unit) {
  if (column.kind === "input") return `input ${column.names[unit]}`;
  const where = column.kind === "output" ? "output" : `layer ${Number(column.layer) + 1}`;
  return `${where}, neuron ${unit + 1} (${column.activation})`;
}

export class NetworkView {
  /**
   * @param {HTMLElement} root  the #network element
   * @param {(hiddenIndex: number) => HTMLElement} layerHeader  controls shown above a hidden layer
   */
  constructor(root, layerHeader) {
    this.root = root;
    this.layerHeader = layerHeader;
    this.signature = "";
    this.columns = []; // [{x, size, ys: [], canvases: []}]
    this.hover = null; // {column, unit}
    this.neurons = null;
    this.links = document.createElement("canvas");
    this.links.className = "links";
    // neurons, titles and labels are rebuilt with the shape; the layer controls are kept
    // (a field being typed in keeps its focus and value)
    this.cells = document.createElement("div");
    this.cells.className = "layer-box";
    this.headerBox = document.createElement("div");
    this.headerBox.className = "layer-box";
    this.headers = [];
    this.zoom = document.createElement("div");
    this.zoom.className = "zoom";
    this.zoom.hidden = true;
    this.zoomCanvas = document.createElement("canvas");
    this.zoomCanvas.width = ZOOM;
    this.zoomCanvas.height = ZOOM;
    this.zoomCaption = document.createElement("div");
    this.zoom.append(this.zoomCanvas, this.zoomCaption);
    this.scratch = document.createElement("canvas");
    this.root.replaceChildren(this.links, this.cells, this.headerBox, this.zoom);
  }

  /** Rebuild the columns when the shape of the network (or the room for it) changed. */
  layout(neurons) {
    const width = this.root.clientWidth;
    const height = this.root.clientHeight;
    const signature = `${width}x${height}|` + neurons.map((c) => `${c.kind}:${c.units}:${c.size}`).join("|");
    if (signature === this.signature) return;
    this.signature = signature;
    this.cells.replaceChildren();
    let hidden = 0;
    const left = 44;
    const right = 16;
    const top = HEADER;
    const room = height - top - 8;
    // each column fits its own units: big thumbnails for few neurons, thin strips for many
    const fit = (units) => {
      const gap = units > room / 4 ? 0 : units > 24 ? 1 : Math.max(3, Math.min(10, Math.floor(room / units / 5)));
      const size = Math.max(1, Math.min(MAX_THUMB, Math.floor((room - (units - 1) * gap) / units)));
      return { size, gap };
    };
    const widest = Math.max(...neurons.map((c) => fit(c.units).size));
    const span = width - left - right - widest;
    const spacing = neurons.length > 1 ? span / (neurons.length - 1) : span;
    this.root.classList.toggle("compact", spacing < 118);
    let bottom = height;
    this.columns = neurons.map((column, c) => {
      const { size, gap } = fit(column.units);
      const x = left + (neurons.length > 1 ? c * spacing : span / 2) + (widest - size) / 2;
      const total = column.units * size + (column.units - 1) * gap;
      const y0 = top + Math.max(0, (room - total) / 2);
      bottom = Math.max(bottom, y0 + total + 8);
      const title = document.createElement("div");
      title.className = "col-title";
      title.textContent = columnTitle(column);
      title.style.left = `${x + size / 2}px`;
      if (column.kind === "hidden") {
        const i = hidden++;
        if (!this.headers[i]) {
          this.headers[i] = this.layerHeader(i);
          this.headers[i].classList.add("layer-header");
          this.headerBox.append(this.headers[i]);
        }
        this.headers[i].style.left = `${x + size / 2}px`;
        title.classList.add("under");
      }
      this.cells.append(title);
      const ys = [];
      const canvases = [];
      for (let u = 0; u < column.units; u++) {
        const y = y0 + u * (size + gap);
        const canvas = document.createElement("canvas");
        canvas.className = `neuron ${column.kind}`;
        canvas.width = column.size;
        canvas.height = column.size;
        canvas.style.cssText = `left:${x}px;top:${y}px;width:${size}px;height:${size}px`;
        canvas.dataset.layer = String(column.layer);
        canvas.dataset.unit = String(u);
        canvas.setAttribute("aria-label", neuronTitle(column, u));
        canvas.addEventListener("mouseenter", () => this.showZoom(c, u));
        canvas.addEventListener("mouseleave", () => this.hideZoom());
        this.cells.append(canvas);
        if (column.kind === "input") {
          const label = document.createElement("span");
          label.className = "input-name";
          label.textContent = column.names[u];
          label.style.cssText = `left:${x - 5}px;top:${y + size / 2}px`;
          this.cells.append(label);
        }
        ys.push(y + size / 2);
        canvases.push(canvas);
      }
      return { x, size, ys, canvases };
    });
    for (const header of this.headers.splice(hidden)) header.remove();
    this.links.width = width;
    this.links.height = bottom;
  }

  draw(frame) {
    if (!frame || !frame.neurons) return;
    this.neurons = frame.neurons;
    this.layout(frame.neurons);
    frame.neurons.forEach((column, c) => {
      const bytes = column.maps ? decodeU8(column.maps) : null;
      this.columns[c].canvases.forEach((canvas, u) => {
        const ctx = canvas.getContext("2d");
        if (!bytes) {
          ctx.fillStyle = "#d5d8da";
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          return;
        }
        const size = column.size;
        const pixels = mapPixels(bytes, u * size * size, size, neuronScale(column, u));
        ctx.putImageData(new ImageData(pixels, size, size), 0, 0);
      });
    });
    this.drawLinks(frame.weights || []);
    if (this.hover) this.drawZoom();
  }

  drawLinks(weights) {
    const ctx = this.links.getContext("2d");
    ctx.clearRect(0, 0, this.links.width, this.links.height);
    weights.forEach((layer, l) => {
      const from = this.columns[l];
      const to = this.columns[l + 1];
      if (!from || !to) return;
      const [fanIn, fanOut] = layer.shape;
      const kernel = decodeF32(layer.kernel);
      const maxAbs = layer.max_abs > 0 ? layer.max_abs : 1;
      // a big layer: draw only its strongest connections, as straight lines
      let floor = 0;
      if (kernel.length > MAX_LINKS) {
        const sorted = kernel.map(Math.abs).sort();
        floor = sorted[sorted.length - MAX_LINKS];
      }
      const curved = kernel.length <= MAX_LINKS;
      for (let i = 0; i < fanIn; i++) {
        for (let j = 0; j < fanOut; j++) {
          const w = kernel[i * fanOut + j];
          if (Math.abs(w) < floor) continue;
          const strength = Math.min(1, Math.abs(w) / maxAbs);
          const x0 = from.x + from.size;
          const x1 = to.x;
          const y0 = from.ys[i];
          const y1 = to.ys[j];
          ctx.strokeStyle = css(w >= 0 ? POSITIVE : NEGATIVE, 0.25 + 0.65 * strength);
          ctx.lineWidth = 0.4 + 3.6 * strength;
          ctx.beginPath();
          ctx.moveTo(x0, y0);
          if (curved) ctx.bezierCurveTo((x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1);
          else ctx.lineTo(x1, y1);
          ctx.stroke();
        }
      }
    });
  }

  showZoom(c, u) {
    this.hover = { c, u };
    const col = this.columns[c];
    const x = col.x + col.size + 8;
    const fits = x + ZOOM + 12 < this.root.clientWidth;
    this.zoom.style.left = `${fits ? x : col.x - ZOOM - 18}px`;
    const lowest = Math.max(this.root.clientHeight, this.links.height) - ZOOM - 30;
    this.zoom.style.top = `${Math.max(0, Math.min(col.ys[u] - ZOOM / 2, lowest))}px`;
    this.zoom.hidden = false;
    this.drawZoom();
  }

  hideZoom() {
    this.hover = null;
    this.zoom.hidden = true;
  }

  drawZoom() {
    const { c, u } = this.hover;
    const column = this.neurons && this.neurons[c];
    if (!column || u >= column.units) return this.hideZoom();
    const lo = column.lo[u];
    const hi = column.hi[u];
    this.zoomCaption.textContent = `${neuronTitle(column, u)}: ${lo.toFixed(2)} … ${hi.toFixed(2)}`;
    const ctx = this.zoomCanvas.getContext("2d");
    if (!column.maps) {
      ctx.fillStyle = "#d5d8da";
      ctx.fillRect(0, 0, ZOOM, ZOOM);
      this.zoomCaption.textContent += " (too many neurons to draw their maps)";
      return;
    }
    const size = column.size;
    const pixels = mapPixels(decodeU8(column.maps), u * size * size, size, neuronScale(column, u));
    this.scratch.width = size;
    this.scratch.height = size;
    this.scratch.getContext("2d").putImageData(new ImageData(pixels, size, size), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.scratch, 0, 0, ZOOM, ZOOM);
  }
}
