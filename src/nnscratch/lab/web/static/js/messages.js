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
    this.errorText.textContent = message;
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
