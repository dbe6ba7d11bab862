// A small W3C WebDriver client over fetch: enough to drive the real Kasir app through
// tauri-driver (which forwards to WebKitWebDriver). No dependencies.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, env = {}) {
    const body = {
      capabilities: {
        alwaysMatch: { browserName: "wry", "tauri:options": { application, env } },
      },
    };
    const r = await request(base, "POST", "/session", body);
    return new Session(base, r.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async quit() {
    await this.cmd("DELETE", "").catch(() => {});
  }

  /** All elements matching a CSS selector (may be empty). */
  async all(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.map((e) => new Element(this, e[ELEMENT]));
  }

  /** Waits until `css` matches at least one element and returns the first. */
  async find(css, { timeout = 10_000 } = {}) {
    let last = [];
    await waitFor(async () => (last = await this.all(css)).length > 0, timeout, `no element matches ${css}`);
    return last[0];
  }

  async byTestId(id, extra = "", opts) {
    return this.find(`[data-testid="${id}"]${extra}`, opts);
  }

  /** Waits until `css` matches nothing. */
  async gone(css, timeout = 10_000) {
    await waitFor(async () => (await this.all(css)).length === 0, timeout, `${css} is still there`);
  }

  /** Presses keys as fast as the driver can: what a barcode scanner does. */
  async typeFast(text) {
    const actions = [];
    for (const ch of text) {
      actions.push({ type: "keyDown", value: ch }, { type: "keyUp", value: ch });
    }
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "scanner", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  async script(source, args = []) {
    return this.cmd("POST", "/execute/sync", { script: source, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async setWindowSize(width, height) {
    await this.cmd("POST", "/window/rect", { width, height, x: 0, y: 0 });
  }
}

export class Element {
  constructor(session, id) {
    this.session = session;
    this.id = id;
  }
  cmd(method, path, body) {
    return this.session.cmd(method, `/element/${this.id}${path}`, body);
  }
  click() {
    return this.cmd("POST", "/click", {});
  }
  type(text) {
    return this.cmd("POST", "/value", { text });
  }
  clear() {
    return this.cmd("POST", "/clear", {});
  }
  text() {
    return this.cmd("GET", "/text");
  }
  attr(name) {
    return this.cmd("GET", `/attribute/${name}`);
  }
  /** A DOM property's current value (an input's `value` as typed, not its attribute). */
  prop(name) {
    return this.cmd("GET", `/property/${name}`);
  }
  async find(css) {
    const e = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this.session, e[ELEMENT]);
  }
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    const err = json.value || {};
    throw new Error(`${method} ${path}: ${err.error || res.status} ${err.message || ""}`);
  }
  return json.value;
}

export async function waitFor(check, timeout, message, every = 100) {
  const end = Date.now() + timeout;
  let lastError;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`${message}${lastError ? ` (last error: ${lastError.message})` : ""}`);
}
