// The message area: errors from the session (or the page) in a visible, dismissable box, and
// notices (e.g. "output changed to mse for a regression set") that fade by themselves.

export class Messages {
  constructor(errorBox, errorText, dismiss, noticeBox) {
    this.errorBox = errorBox;
    this.errorText = errorText;
    this.noticeBox = noticeBox;
    dismiss.addEventListener("click", () => this.hideError());
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !errorBox.hidden) this.hideError();
    });
  }

  /** Show a message (`code` e.g. "diverged", `field` the setting it is about, if any). */
  showError(message, code, field) {
    this.errorText.textContent = labelled(message, field);
    this.errorBox.dataset.code = code || "";
    this.errorBox.dataset.field = field || "";
    this.errorBox.hidden = false;
  }

  hideError() {
    this.errorBox.hidden = true;
    this.errorText.textContent = "";
  }

  showNotices(notices) {
    if (!notices || notices.length === 0) return;
    clearTimeout(this.noticeTimer);
    this.noticeBox.textContent = notices.join(" ");
    this.noticeBox.hidden = false;
    this.noticeTimer = setTimeout(() => (this.noticeBox.hidden = true), 8000);
  }
}

/** Control ids that are not the setting's name with "-" for "_". */
const CONTROL_IDS = { sweep: "sweep-sizes" };

/**
 * The session names a setting as the protocol does (`n_samples`, `hidden_layers[0].units`);
 * the page shows the control's own label instead ("Number of points must be an integer
 * 10..10000, got 5", "Neurons in layer 1 must be ..."). Other messages are unchanged.
 */
export function labelled(message, field, doc = document) {
  const name = (field || "").replace(/^config\./, ""); // "config.n_samples": a setting
  if (!name || !message.startsWith(name)) return message;
  const layer = /^hidden_layers\[(\d+)\]\.(units|activation)$/.exec(name);
  const id = layer ? `${layer[2]}-${layer[1]}` : CONTROL_IDS[name] || name.replace(/_/g, "-");
  const label = doc.getElementById(id)?.getAttribute("aria-label");
  return label ? label + message.slice(name.length) : message;
}
