// The article's sweep as a live view: the same data trained with one hidden layer of several
// sizes, side by side, each with its own decision boundary and scores.

import { drawPoints, paintBoundary } from "./heatmap.js";

const SIZE = 74;

function percent(v) {
  return v === null || v === undefined ? "–" : `${(100 * v).toFixed(0)}%`;
}

function number(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3);
}

export class SweepView {
  constructor(root) {
    this.root = root;
    this.signature = "";
    this.figures = [];
    this.scratch = document.createElement("canvas");
    this.scale = window.devicePixelRatio || 1;
  }

  clear(message) {
    this.signature = "";
    this.figures = [];
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = message;
    this.root.replaceChildren(p);
  }

  layout(models) {
    const signature = models.map((m) => m.hidden).join(",");
    if (signature === this.signature) return;
    this.signature = signature;
    this.root.replaceChildren();
    this.figures = models.map((m) => {
      const figure = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(SIZE * this.scale);
      canvas.height = Math.round(SIZE * this.scale);
      canvas.style.width = `${SIZE}px`;
      canvas.style.height = `${SIZE}px`;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `decision boundary with ${m.hidden} hidden neurons`);
      const caption = document.createElement("figcaption");
      const title = document.createElement("strong");
      title.textContent = `${m.hidden} hidden`;
      const scores = document.createElement("span");
      caption.append(title, scores);
      figure.append(canvas, caption);
      this.root.append(figure);
      return { canvas, scores };
    });
  }

  draw(sweep, data, { discretize, showTest }) {
    if (!sweep || !sweep.models || sweep.models.length === 0) return;
    this.layout(sweep.models);
    sweep.models.forEach((m, i) => {
      const { canvas, scores } = this.figures[i];
      const ctx = canvas.getContext("2d");
      const nClasses = data ? data.n_classes : 2;
      paintBoundary(ctx, m.boundary, discretize, this.scratch, undefined, nClasses);
      if (data) drawPoints(ctx, data, m.boundary, { showTest, scale: this.scale * 0.5 });
      const classifying = m.train_accuracy !== null && m.train_accuracy !== undefined;
      const loss = `loss ${number(m.test_loss ?? m.train_loss)}`;
      scores.textContent = classifying ? `${loss}\nacc ${percent(m.test_accuracy ?? m.train_accuracy)}` : loss;
      scores.title = `train loss ${number(m.train_loss)}, test loss ${number(m.test_loss)}, train accuracy ${percent(m.train_accuracy)}, test accuracy ${percent(m.test_accuracy)}`;
    });
  }
}
