// A stand-in for the Shopify page that runs a UI extension, for the browser tests: the `shopify`
// global with the target's API (Shopify ships no test host for 2025-10 extensions), the s-*
// elements the surface has, and fetch() as each surface gives it. Strict: reading a part of
// `shopify` the target's API does not have, or an element the surface does not have, is recorded
// as a problem the test fails on. Compiled by esbuild and loaded into the page before the bundle.

export interface HostConfig {
  target: string;
  // The target's API as Shopify hands it: plain values; the keys named in `signals` become
  // Preact signals (SubscribableSignalLike: value, current, subscribe, destroy).
  api: Record<string, unknown>;
  signals: string[];
  // Session tokens the test signed: checkout's sessionToken.get(), the admin's fetch header.
  sessionToken?: string;
  adminIdToken?: string;
  appUrl: string;
  // The s-* tags of the target's surface, from @shopify/ui-extensions' component types.
  tags: string[];
}

type SignalClass = new (value: unknown) => { value: unknown; peek(): unknown; subscribe(fn: (v: unknown) => void): () => void };

declare global {
  interface Window {
    __hostConfig: HostConfig;
    __hostProblems: string[];
    __hostRequests: string[];
    __hostAnswered: number;
    __hostRender(): Promise<void>;
  }
}

const config = window.__hostConfig;
const problems: string[] = (window.__hostProblems = []);
const requests: string[] = (window.__hostRequests = []);
window.__hostAnswered = 0;
let Signal: SignalClass | null = null;
const extensions = new Map<string, (...args: unknown[]) => unknown>();

// SubscribableSignalLike: a Preact signal (so reading .value in a component subscribes it) with
// the `current` and `destroy` Shopify's own signals carry.
function signalLike(value: unknown) {
  if (!Signal) throw new Error("the extension did not hand its Signal class to shopify.setSignals before reading the API");
  const signal = new Signal(value) as unknown as Record<string, unknown>;
  Object.defineProperty(signal, "current", { get: () => (signal as { peek(): unknown }).peek() });
  signal.destroy = () => undefined;
  return signal;
}

// Every read of a key the object does not have is a problem (and throws, as undefined would
// break the extension later anyway): the extension may only use what the target's API has.
function strict<T extends object>(value: T, path: string): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || key === "then" || key === "toJSON") return Reflect.get(target, key, receiver);
      if (!(key in target)) {
        problems.push(`${path}.${key} is not part of ${config.target}'s API`);
        throw new TypeError(`${path}.${key} is not part of ${config.target}'s API`);
      }
      const found = Reflect.get(target, key, receiver);
      const plain = found && typeof found === "object" && !Array.isArray(found) && Object.getPrototypeOf(found) === Object.prototype;
      return plain ? strict(found as object, `${path}.${key}`) : found;
    },
  });
}

// Built when the extension hands over its Signal class (at import, before it renders).
let api: Record<string, unknown> | null = null;
function buildApi(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.api)) out[key] = value;
  for (const dotted of config.signals) {
    const keys = dotted.split(".");
    let parent = out;
    for (const k of keys.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
    const last = keys[keys.length - 1]!;
    parent[last] = signalLike(parent[last]);
  }
  if (config.sessionToken !== undefined) out.sessionToken = { get: async () => config.sessionToken };
  if (config.adminIdToken !== undefined) out.auth = { idToken: async () => config.adminIdToken };
  return out;
}

const host = {
  // Called by @shopify/ui-extensions/preact as it loads: the signals the API is made of.
  setSignals(signalClass: SignalClass) {
    Signal = signalClass;
    api = buildApi();
    Object.assign(host, api);
  },
  extend(target: string, fn: (...args: unknown[]) => unknown) {
    extensions.set(target, fn);
  },
} as Record<string, unknown>;

(globalThis as unknown as { shopify: unknown }).shopify = strict(host, "shopify");

// The admin's fetch: a relative URL goes to the app's URL with the staff member's ID token.
const pageFetch = window.fetch.bind(window);
window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  try {
    return await hostFetch(input, init);
  } finally {
    // Read by the test after the extension has had the answer (the promise's next turn).
    setTimeout(() => (window.__hostAnswered += 1));
  }
};
const hostFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  requests.push(`${init?.method ?? "GET"} ${raw}`);
  if (config.adminIdToken !== undefined && raw.startsWith("/")) {
    const headers = new Headers(init?.headers);
    headers.set("Authorization", `Bearer ${config.adminIdToken}`);
    return pageFetch(new URL(raw, config.appUrl).href, { ...init, headers });
  }
  return pageFetch(input, init);
};

// The surface's elements: properties, not attributes (Preact sets a property when the element
// has one); an s-* tag the surface does not have is a problem.
const PROPS = ["label", "checked", "disabled", "heading", "tone", "gap", "direction", "alignItems", "type", "color", "loading", "accessibilityLabel"];
for (const tag of config.tags) {
  class HostElement extends HTMLElement {}
  for (const prop of PROPS) {
    Object.defineProperty(HostElement.prototype, prop, {
      get(this: HTMLElement & { _props?: Record<string, unknown> }) {
        return this._props?.[prop];
      },
      set(this: HTMLElement & { _props?: Record<string, unknown> }, value: unknown) {
        this._props = { ...this._props, [prop]: value };
        // Shown for the test's reading; the real host renders its own UI from these.
        if (value === false || value === undefined || value === null) this.removeAttribute(`data-${prop}`);
        else this.setAttribute(`data-${prop}`, value === true ? "" : String(value));
      },
    });
  }
  customElements.define(tag, HostElement);
}
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes" && r.target instanceof Element && r.target.localName.startsWith("s-") && !r.attributeName!.startsWith("data-")) {
      problems.push(`<${r.target.localName}> got the attribute ${r.attributeName}, which is none of its properties`);
    }
    r.addedNodes.forEach((node) => {
      const name = node instanceof Element ? node.localName : "";
      if (name.startsWith("s-") && !config.tags.includes(name)) problems.push(`<${name}> is not an element of ${config.target}'s surface`);
    });
  }
}).observe(document.body, { childList: true, subtree: true, attributes: true });

window.__hostRender = async () => {
  const fn = extensions.get(config.target);
  if (!fn) throw new Error(`the bundle registered no extension for ${config.target} (it registered: ${[...extensions.keys()].join(", ")})`);
  if (!api) throw new Error("the extension never called shopify.setSignals");
  await fn();
};
