// The controls: fill them from the server's options, send a request when the user changes
// one, and show the server's state (`sync`). A control never holds a setting of its own: after
// an error, `sync` puts back what the session really uses.

const DATASET_LABELS = {
  moons: "Moons",
  circles: "Circles",
  xor: "XOR",
  gaussian: "Gaussian",
  spiral: "Spiral",
  multi_gaussian: "Multi-Gaussian",
  plane: "Regression plane",
  csv: "Uploaded CSV",
};
const FEATURE_LABELS = {
  x1: "x₁",
  x2: "x₂",
  "x1^2": "x₁²",
  "x2^2": "x₂²",
  "x1*x2": "x₁x₂",
  "sin(x1)": "sin x₁",
  "sin(x2)": "sin x₂",
};
const OUTPUT_LABELS = {
  softmax_cross_entropy: "Softmax + cross-entropy",
  sigmoid_binary_cross_entropy: "Sigmoid + binary cross-entropy",
  quadratic: "Sigmoid + quadratic",
  mse: "Linear + mean squared error",
};
const OPTIMIZER_LABELS = { sgd: "SGD", momentum: "Momentum", adam: "Adam" };
const SPEEDS = [1, 2, 3, 5, 10, 20, 34, 50, 100, 200, 500, 1000];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PENALTIES = [0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const MOMENTA = [0, 0.5, 0.8, 0.9, 0.95, 0.99];
const BUTTON_MAX_UNITS = 64; // the +/- buttons stop here; type a number for more

/** The element id of a feature's checkbox: "x1^2" -> "feature-x1sq". */
export function featureId(name) {
  return `feature-${name.replace("^2", "sq").replace(/[*()]/g, "")}`;
}

function $(id) {
  return document.getElementById(id);
}

/** Give a select these options (left alone when it already has them: an open list stays open). */
function fillSelect(select, values, label = String) {
  const current = [...select.options].map((o) => `${o.value}=${o.textContent}`).join("|");
  if (current === values.map((v) => `${v}=${label(v)}`).join("|")) return;
  select.replaceChildren(
    ...values.map((v) => {
      const option = document.createElement("option");
      option.value = String(v);
      option.textContent = label(v);
      return option;
    }),
  );
}

// The requests the session always answers with a `state` (or an `error`); see
// docs/playground-protocol.md. `step` is not one: it is answered with frames.
const ANSWERED_BY_STATE = new Set([
  "config", "regenerate", "upload_csv", "play", "pause", "reset", "speed", "sweep", "get_state",
]);

/** Select a value, adding it as an option first when it is not one of the presets. */
function setSelect(select, value, label = String) {
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) {
    const option = document.createElement("option");
    option.value = text;
    option.textContent = label(value);
    const after = [...select.options].find((o) => Number(o.value) > Number(value));
    select.insertBefore(option, after || null);
  }
  select.value = text;
}

/** Show a number, unless the user is typing in that field (`force` after an error). */
function setNumber(input, value, force = false) {
  if (force || document.activeElement !== input || input.value === "") input.value = String(value);
}

/** A small round button (the +/- of a layer's units). */
function tinyButton(id, text, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.id = id;
  button.className = "round tiny";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  return button;
}

export class Controls {
  /**
   * @param {object} app  the page's app object (state.js)
   * @param {(type: string, fields?: object) => void} send  a request to the session
   */
  constructor(app, send) {
    this.app = app;
    this.built = false;
    // Changes sent but not yet answered: quick clicks (+ + +) build on each other, not on
    // the last state the session sent, and an older state arriving meanwhile does not undo
    // what the user just did (see `upToDate`).
    this.draft = null;
    this.pending = new Set();
    this.send = (type, fields) => {
      const id = send(type, fields);
      if (id !== null && ANSWERED_BY_STATE.has(type)) this.pending.add(id);
      return id;
    };
  }

  /** No request is waiting for its `state`: the last state is what the controls should show. */
  upToDate() {
    return this.pending.size === 0;
  }

  config() {
    if (this.draft) return this.draft;
    return this.app.state ? this.app.state.config : this.app.options.defaults;
  }

  setConfig(partial) {
    const next = { ...this.config(), ...JSON.parse(JSON.stringify(partial)) };
    if (this.send("config", { config: partial }) !== null) this.draft = next;
  }

  /** A new session: requests to the old one will never be answered. */
  forget() {
    this.draft = null;
    this.pending.clear();
  }

  /** A reply (`state` or `error`) to request `re` arrived. */
  answered(re, failed) {
    if (failed && (re === undefined || re === null)) {
      this.pending.clear(); // an error that names no request ("too many requests waiting")
    } else if (!this.pending.delete(re)) {
      return;
    } else if (failed) {
      this.pending.clear();
    }
    if (this.pending.size === 0) this.draft = null;
  }

  /** Build the option lists (once `hello` has told what the server offers) and the events. */
  build(options) {
    if (this.built) return;
    this.built = true;
    fillSelect($("dataset"), options.datasets, (d) => DATASET_LABELS[d] || d);
    fillSelect($("speed"), SPEEDS, (s) => `${s} step${s === 1 ? "" : "s"}/frame`);
    fillSelect($("learning-rate"), LEARNING_RATES);
    fillSelect($("optimizer"), options.optimizers, (o) => {
      const off = o === "adam" && options.available && options.available.adam === false;
      return `${OPTIMIZER_LABELS[o] || o}${off ? " (not available)" : ""}`;
    });
    for (const option of $("optimizer").options) {
      option.disabled = option.value === "adam" && options.available && options.available.adam === false;
    }
    fillSelect($("momentum"), MOMENTA);
    fillSelect($("l1"), PENALTIES);
    fillSelect($("l2"), PENALTIES);
    fillSelect($("dropout"), DROPOUTS);
    if (options.available && options.available.dropout === false) {
      $("dropout").disabled = true;
      $("dropout").title = "dropout is not available in this installation";
    }
    $("sweep-sizes").value = (options.default_sweep || [1, 2, 3, 4, 10, 20, 50]).join(", ");
    $("n-samples").max = String(options.limits.max_points);

    const features = $("features");
    features.replaceChildren(
      ...options.features.map((name) => {
        const label = document.createElement("label");
        label.className = "check feature";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.id = featureId(name);
        box.dataset.feature = name;
        box.addEventListener("change", () => {
          const chosen = options.features.filter((f) => $(featureId(f)).checked);
          this.setConfig({ features: chosen });
        });
        label.append(box, ` ${FEATURE_LABELS[name] || name}`);
        return label;
      }),
    );
    this.wire(options);
  }

  wire(options) {
    const onChange = (id, handler) => $(id).addEventListener("change", handler);
    onChange("dataset", (e) => this.setConfig({ dataset: e.target.value }));
    onChange("n-classes", (e) => this.setConfig({ n_classes: Number(e.target.value) }));
    onChange("n-samples", (e) => this.setConfig({ n_samples: Number(e.target.value) }));
    onChange("seed", (e) => this.setConfig({ seed: Number(e.target.value) }));
    for (const [id, key, show] of [
      ["noise", "noise", (v) => v.toFixed(2)],
      ["train-ratio", "train_ratio", (v) => `${Math.round(v * 100)}%`],
    ]) {
      $(id).addEventListener("input", (e) => ($(`${id}-value`).textContent = show(Number(e.target.value))));
      onChange(id, (e) => this.setConfig({ [key]: Number(e.target.value) }));
    }
    $("regenerate").addEventListener("click", () => this.send("regenerate"));
    onChange("csv-file", (e) => this.upload(e.target, options.limits.max_upload_bytes));

    onChange("learning-rate", (e) => this.setConfig({ learning_rate: Number(e.target.value) }));
    onChange("optimizer", (e) => this.setConfig({ optimizer: e.target.value }));
    onChange("momentum", (e) => this.setConfig({ momentum: Number(e.target.value) }));
    onChange("output", (e) => this.setConfig({ output: e.target.value }));
    onChange("l1", (e) => this.setConfig({ l1: Number(e.target.value) }));
    onChange("l2", (e) => this.setConfig({ l2: Number(e.target.value) }));
    onChange("dropout", (e) => this.setConfig({ dropout: Number(e.target.value) }));
    onChange("batch-size", (e) => this.setConfig({ batch_size: Number(e.target.value) }));
    onChange("full-batch", (e) => {
      const n = this.app.state ? this.app.state.n_train : 1;
      this.setConfig({ batch_size: e.target.checked ? "full" : Math.max(1, Math.min(10, n - 1)) });
    });
    onChange("speed", (e) => this.send("speed", { value: Number(e.target.value) }));

    $("play").addEventListener("click", () => {
      this.send(this.app.state && this.app.state.playing ? "pause" : "play");
    });
    $("step").addEventListener("click", () => {
      this.send("step", { epochs: 1 });
      this.send("get_state"); // the new epoch goes into the link
    });
    $("reset").addEventListener("click", () => this.send("reset"));

    $("add-layer").addEventListener("click", () => {
      const layers = this.config().hidden_layers.map((l) => ({ ...l }));
      const last = layers[layers.length - 1] || { units: 4, activation: "tanh" };
      layers.push({ units: Math.min(last.units, BUTTON_MAX_UNITS), activation: last.activation });
      this.setConfig({ hidden_layers: layers });
    });
    $("remove-layer").addEventListener("click", () => {
      this.setConfig({ hidden_layers: this.config().hidden_layers.slice(0, -1) });
    });

    const sweep = () => {
      if (!$("sweep-toggle").checked) return this.send("sweep", { sizes: [] });
      const sizes = $("sweep-sizes")
        .value.split(/[\s,;]+/)
        .filter(Boolean)
        .map(Number);
      this.send("sweep", { sizes });
    };
    onChange("sweep-toggle", sweep);
    onChange("sweep-sizes", () => $("sweep-toggle").checked && sweep());
  }

  async upload(input, maxBytes) {
    const file = input.files && input.files[0];
    input.value = ""; // choosing the same file again uploads it again
    if (!file) return;
    if (file.size > maxBytes) {
      this.app.showError(`${file.name} is ${file.size.toLocaleString()} bytes; uploads take at most ${maxBytes.toLocaleString()} bytes`);
      return;
    }
    this.send("upload_csv", { text: await file.text(), name: file.name });
  }

  /** The controls above hidden layer i: units (+/- and a number field) and activation. */
  layerHeader(i) {
    const limits = this.app.options.limits;
    const box = document.createElement("div");
    const row = document.createElement("div");
    row.className = "units-row";
    const minus = tinyButton(`units-minus-${i}`, "−", `One neuron less in layer ${i + 1}`);
    const units = document.createElement("input");
    units.type = "number";
    units.id = `units-${i}`;
    units.min = "1";
    units.max = String(limits.max_units);
    units.setAttribute("aria-label", `Neurons in layer ${i + 1}`);
    const plus = tinyButton(`units-plus-${i}`, "+", `One neuron more in layer ${i + 1}`);
    row.append(minus, units, plus);
    const activation = document.createElement("select");
    activation.id = `activation-${i}`;
    activation.setAttribute("aria-label", `Activation of layer ${i + 1}`);
    fillSelect(activation, this.app.options.activations);
    box.append(row, activation);

    const change = (edit) => {
      const layers = this.config().hidden_layers.map((l) => ({ ...l }));
      if (!layers[i]) return;
      edit(layers[i]);
      this.setConfig({ hidden_layers: layers });
    };
    minus.addEventListener("click", () => change((l) => (l.units = Math.max(1, l.units - 1))));
    plus.addEventListener("click", () => change((l) => (l.units = Math.min(BUTTON_MAX_UNITS, l.units + 1))));
    units.addEventListener("change", () => change((l) => (l.units = Number(units.value))));
    activation.addEventListener("change", () => change((l) => (l.activation = activation.value)));
    this.syncLayer(i, box);
    return box;
  }

  syncLayer(i, root = document, force = false) {
    const layer = this.config().hidden_layers[i];
    const units = root.querySelector(`#units-${i}`);
    if (!layer || !units) return;
    setNumber(units, layer.units, force);
    root.querySelector(`#units-minus-${i}`).disabled = layer.units <= 1;
    root.querySelector(`#units-plus-${i}`).disabled = layer.units >= BUTTON_MAX_UNITS;
    root.querySelector(`#activation-${i}`).value = layer.activation;
  }

  /** Show the session's state in every control (`force`: even in the field being edited). */
  sync(state, force = false) {
    const c = state.config;
    const options = this.app.options;
    const datasets = options.datasets.filter((d) => d !== "csv" || c.dataset === "csv");
    fillSelect($("dataset"), datasets, (d) => DATASET_LABELS[d] || d);
    $("dataset").value = c.dataset;
    $("n-classes").value = String(c.n_classes);
    $("n-classes-field").hidden = c.dataset !== "multi_gaussian";
    setNumber($("n-samples"), c.n_samples, force);
    $("n-samples").disabled = c.dataset === "csv";
    $("noise").value = String(c.noise);
    $("noise").disabled = c.dataset === "csv";
    $("csv-name").hidden = !state.csv_name;
    $("csv-name").textContent = state.csv_name ? `Using ${state.csv_name}` : "";
    $("noise-value").textContent = Number(c.noise).toFixed(2);
    $("train-ratio").value = String(c.train_ratio);
    $("train-ratio-value").textContent = `${Math.round(c.train_ratio * 100)}%`;
    setNumber($("seed"), c.seed, force);
    $("regenerate").disabled = c.dataset === "csv";

    for (const name of options.features) $(featureId(name)).checked = c.features.includes(name);

    const outputs = (options.outputs[state.task] || []).slice();
    fillSelect($("output"), outputs, (o) => (state.task === "regression" && o === "quadratic" ? "Linear + quadratic" : OUTPUT_LABELS[o] || o));
    for (const option of $("output").options) {
      option.disabled = option.value === "sigmoid_binary_cross_entropy" && state.n_classes !== 2;
    }
    $("output").value = c.output;

    setSelect($("learning-rate"), c.learning_rate);
    $("optimizer").value = c.optimizer;
    setSelect($("momentum"), c.momentum);
    $("momentum-field").hidden = c.optimizer !== "momentum";
    setSelect($("l1"), c.l1);
    setSelect($("l2"), c.l2);
    setSelect($("dropout"), c.dropout);
    const full = c.batch_size === "full" || c.batch_size >= state.n_train;
    $("full-batch").checked = full;
    $("batch-size").disabled = full;
    $("batch-size").max = String(Math.max(1, state.n_train));
    setNumber($("batch-size"), full ? state.n_train : c.batch_size, force);
    setSelect($("speed"), state.speed, (s) => `${s} steps/frame`);

    const n = c.hidden_layers.length;
    $("layer-count").textContent = String(n);
    $("add-layer").disabled = n >= options.limits.max_hidden_layers;
    $("remove-layer").disabled = n === 0;
    for (let i = 0; i < n; i++) this.syncLayer(i, document, force);

    this.syncPlaying(state.playing);
    $("sweep-toggle").checked = Array.isArray(state.sweep) && state.sweep.length > 0;
    if ($("sweep-toggle").checked && document.activeElement !== $("sweep-sizes")) {
      $("sweep-sizes").value = state.sweep.join(", ");
    }
    $("point-count").textContent = `${state.n_train} train · ${state.n_test} test${
      state.task === "classification" ? ` · ${state.n_classes} classes` : " · regression"
    }`;
  }

  syncPlaying(playing) {
    const play = $("play");
    play.setAttribute("aria-pressed", String(Boolean(playing)));
    play.setAttribute("aria-label", playing ? "Pause" : "Play");
    play.classList.toggle("playing", Boolean(playing));
  }
}
