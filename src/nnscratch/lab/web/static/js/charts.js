// Train and test curves: loss in one chart, accuracy in another, against the epoch.
// The points come from `frame.curve` ([epoch, train_loss, test_loss, train_acc, test_acc]).

const MAX_POINTS = 2000;
const TRAIN = "#2b3137";
const TEST = "#f46d43"; // Spectral orange

/** A canvas as wide as its column (its height as written in the page), sharp on any screen. */
function hiDpi(canvas, chart = { canvas, h: canvas.height, w: 0 }) {
  const scale = window.devicePixelRatio || 1;
  const parent = canvas.parentElement;
  const style = getComputedStyle(parent);
  const inner = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const w = Math.max(200, Math.min(420, Math.floor(inner)));
  if (w === chart.w && scale === chart.scale) return chart;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${chart.h}px`;
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(chart.h * scale);
  const ctx = canvas.getContext("2d");
  ctx.scale(scale, scale);
  return Object.assign(chart, { ctx, w, scale });
}

function format(v) {
  if (v === 0) return "0";
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

export class Charts {
  constructor(lossCanvas, accCanvas) {
    this.loss = hiDpi(lossCanvas);
    this.acc = hiDpi(accCanvas);
    this.points = [];
  }

  clear() {
    this.points = [];
  }

  append(curve) {
    for (const point of curve || []) {
      const last = this.points[this.points.length - 1];
      if (last && point[0] < last[0]) this.points = []; // the run restarted
      this.points.push(point);
    }
    if (this.points.length > MAX_POINTS) {
      // keep the first and last points, thin out the middle evenly
      this.points = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
    }
  }

  draw(hasAccuracy) {
    hiDpi(this.loss.canvas, this.loss); // follow the column's width
    hiDpi(this.acc.canvas, this.acc);
    this.drawChart(this.loss, 1, 2, "loss", null);
    if (hasAccuracy) {
      this.acc.ctx.canvas.hidden = false;
      this.drawChart(this.acc, 3, 4, "accuracy", [0, 1]);
    } else {
      this.acc.ctx.canvas.hidden = true;
    }
  }

  drawChart({ ctx, w, h }, trainIndex, testIndex, name, fixedRange) {
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    const pad = { left: 34, right: 6, top: 14, bottom: 14 };
    const pts = this.points;
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillStyle = "#5f6368";
    ctx.textBaseline = "top";
    ctx.fillText(name, pad.left, 1);
    this.legend(ctx, w, pad);
    ctx.strokeStyle = "#e3e5e7";
    ctx.strokeRect(pad.left + 0.5, pad.top + 0.5, w - pad.left - pad.right - 1, h - pad.top - pad.bottom - 1);
    if (pts.length === 0) return;
    let lo = fixedRange ? fixedRange[0] : 0;
    let hi = fixedRange ? fixedRange[1] : 0;
    if (!fixedRange) {
      for (const p of pts) {
        for (const i of [trainIndex, testIndex]) if (p[i] !== null && Number.isFinite(p[i])) hi = Math.max(hi, p[i]);
      }
      if (hi <= lo) hi = lo + 1;
    }
    const e0 = pts[0][0];
    const e1 = Math.max(pts[pts.length - 1][0], e0 + 1);
    const px = (e) => pad.left + ((e - e0) / (e1 - e0)) * (w - pad.left - pad.right);
    const py = (v) => h - pad.bottom - ((v - lo) / (hi - lo)) * (h - pad.top - pad.bottom);
    ctx.fillStyle = "#80868b";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(format(hi), pad.left - 4, pad.top + 2);
    ctx.fillText(format(lo), pad.left - 4, h - pad.bottom - 2);
    ctx.textBaseline = "top";
    ctx.fillText(`epoch ${pts[pts.length - 1][0]}`, w - pad.right, h - pad.bottom + 2);
    ctx.textAlign = "left";
    ctx.fillText(String(e0), pad.left, h - pad.bottom + 2);
    for (const [index, color] of [[testIndex, TEST], [trainIndex, TRAIN]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let pen = false;
      for (const p of pts) {
        const v = p[index];
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(px(p[0]), py(v));
        else ctx.moveTo(px(p[0]), py(v));
        pen = true;
      }
      ctx.stroke();
    }
  }

  legend(ctx, w, pad) {
    ctx.save();
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillStyle = TEST;
    ctx.fillText("test", w - pad.right, 1);
    ctx.fillStyle = TRAIN;
    ctx.fillText("train", w - pad.right - 26, 1);
    ctx.restore();
  }
}
