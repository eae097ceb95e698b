// The confusion matrix: rows are true classes, columns predicted ones; cells shaded by the
// share of their row (correct predictions in blue, mistakes in red).

import { classColor, css, mix, NEGATIVE, POSITIVE, WHITE } from "./colors.js";

function dot(k, n) {
  const span = document.createElement("span");
  span.className = "dot";
  span.style.background = css(classColor(k, n));
  return span;
}

function name(labels, k) {
  return labels && labels[k] !== undefined ? String(labels[k]) : String(k);
}

/**
 * @param {HTMLElement} root  where the table goes
 * @param {{train: number[][], test: number[][]} | null} confusion  `frame.confusion`
 * @param {"train" | "test"} which  the set to show
 * @param {Array | null} labels  the names of the classes (an uploaded CSV's own labels)
 */
export function renderConfusion(root, confusion, which, labels = null) {
  root.replaceChildren();
  if (!confusion) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "Only for classification.";
    root.append(p);
    return;
  }
  const matrix = confusion[which];
  if (!matrix || matrix.length === 0) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = `No ${which} points.`;
    root.append(p);
    return;
  }
  const k = matrix.length;
  const table = document.createElement("table");
  table.setAttribute("aria-label", `Confusion matrix of the ${which} points: rows true class, columns predicted class`);
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = "true \\ pred";
  corner.className = "corner";
  head.append(corner);
  for (let p = 0; p < k; p++) {
    const th = document.createElement("th");
    th.scope = "col";
    th.append(dot(p, k), name(labels, p));
    head.append(th);
  }
  const body = table.createTBody();
  matrix.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.append(dot(t, k), name(labels, t));
    tr.append(th);
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const td = tr.insertCell();
      td.textContent = String(count);
      const share = count / total;
      td.style.background = css(mix(WHITE, t === p ? POSITIVE : NEGATIVE, 0.75 * share));
      td.style.color = share > 0.6 ? "#fff" : "#222";
    });
  });
  root.append(table);
}
