// The WebSocket to the training session: JSON messages in and out, reconnecting with back-off.
//
// A new connection means a new session on the server (it sends `hello`, `state`, `data`,
// `frame`); the page then restores its URL state, so a dropped connection costs nothing.

export class Connection {
  /**
   * @param {string} url  ws:// or wss:// address of the session endpoint
   * @param {{onMessage: (msg: object) => void, onStatus: (status: string) => void}} handlers
   */
  constructor(url, { onMessage, onStatus }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.socket = null;
    this.nextId = 1;
    this.retryDelay = 500;
    this.closedByPage = false;
  }

  open() {
    this.onStatus("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retryDelay = 500;
      this.onStatus("open");
    });
    socket.addEventListener("message", (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        this.onMessage({ type: "error", message: "the server sent a message that is not JSON" });
        return;
      }
      this.onMessage(msg);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onStatus("closed");
      if (this.closedByPage) return;
      setTimeout(() => this.open(), this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 8000);
    });
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a request; returns its id (echoed as `re` in the replies), or null when offline. */
  send(type, fields = {}) {
    if (!this.isOpen) return null;
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ type, id, ...fields }));
    return id;
  }

  close() {
    this.closedByPage = true;
    if (this.socket) this.socket.close();
  }
}

/** The session endpoint next to the page (same host and port, ws or wss). */
export function sessionUrl(location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
