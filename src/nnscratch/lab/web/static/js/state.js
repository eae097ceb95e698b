// The page's one app object, and the URL hash that carries the whole playground state.
//
// The server owns the settings and encodes them (`state.url_state`); the page only keeps the
// latest copy of what the server said, so it can draw, and mirrors `url_state` into
// `location.hash`. A reload or a shared link sends that string back with `load_state`.

// e.g. "dataset=moons&noise=0.2&hidden_layers=4:tanh,2:tanh&...&epoch=120" (or the older
// "1.<base64url>"): the characters the server writes (docs/playground-protocol.md, URL state)
const URL_STATE = /^[A-Za-z0-9\-_.~=&,:^*()+]+$/;

/** Everything the page knows, in one object (no other module-level state). */
export function createApp() {
  return {
    connection: null,
    options: null, //   `hello.options`: choices, limits, defaults
    session: null, //   token for the HTTP endpoints of this tab's session
    state: null, //     latest `state` message (config, playing, speed, epoch, task, ...)
    data: null, //      latest `data` message (points and extent)
    frame: null, //     latest `frame` message
    restoreId: null, // id of a pending `load_state`, while the hash is being restored
    linkTime: 0, //     when the link (URL hash) was last refreshed while training
    view: { discretize: false, showTest: true, confusionSet: "test" },
    views: {}, //       drawing objects: heatmap, network, charts, confusion, sweep, controls
  };
}

/** The URL state in `location.hash`, or "" when there is none (or it is not one of ours). */
export function readHash(location) {
  let raw = location.hash.replace(/^#/, "");
  try {
    raw = decodeURIComponent(raw); // a browser may have escaped "^" or "(" in the address
  } catch {
    return "";
  }
  return URL_STATE.test(raw) ? raw : "";
}

/** Mirror the server's URL state into the address bar without adding a history entry. */
export function writeHash(history, location, urlState) {
  if (!urlState || readHash(location) === urlState) return;
  history.replaceState(null, "", `${location.pathname}${location.search}#${urlState}`);
}

/** A link that restores this state when opened. */
export function shareLink(location, urlState) {
  return `${location.origin}${location.pathname}${location.search}#${urlState}`;
}
