// A local stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js, as much of it as the
// embedded pages use: the `shopify` global (idToken, toast, saveBar), the fetch patch that adds
// the session token to the app's own requests, and the ui-save-bar / ui-title-bar / ui-nav-menu /
// ui-modal elements. Tokens come from the test process (window.__afterglowIdToken), signed with the
// app's secret as Shopify signs them, so the server checks them for real.
export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

export const appBridgeStandIn = String.raw`
(function () {
  var script = document.currentScript;
  var apiKey = script && script.getAttribute("data-api-key");
  var params = new URLSearchParams(location.search);
  function idToken() { return window.__afterglowIdToken(); }

  var toasts = document.createElement("div");
  toasts.id = "app-bridge-toasts";
  toasts.setAttribute("role", "status");
  function mountToasts() { if (!toasts.isConnected) document.body.appendChild(toasts); }

  window.shopify = {
    config: { apiKey: apiKey, shop: params.get("shop"), host: params.get("host"), locale: "en" },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: {
      show: function (message, opts) {
        mountToasts();
        var el = document.createElement("div");
        el.className = "app-bridge-toast" + (opts && opts.isError ? " error" : "");
        el.textContent = message;
        toasts.appendChild(el);
        return String(toasts.children.length);
      },
      hide: function () {},
    },
    saveBar: {
      show: function (id) { var el = document.getElementById(id); if (el) el.show(); return Promise.resolve(); },
      hide: function (id) { var el = document.getElementById(id); if (el) el.hide(); return Promise.resolve(); },
      toggle: function (id) { var el = document.getElementById(id); if (el) el.toggle(); return Promise.resolve(); },
      leaveConfirmation: function () { return Promise.resolve(); },
    },
    modal: {
      show: function (id) { var el = document.getElementById(id); return el ? el.show() : Promise.resolve(); },
      hide: function (id) { var el = document.getElementById(id); return el ? el.hide() : Promise.resolve(); },
      toggle: function (id) { var el = document.getElementById(id); return el ? el.toggle() : Promise.resolve(); },
    },
    loading: function () {},
  };

  // App Bridge adds the session token to every fetch to the app's own origin.
  var nativeFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    var url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    var request = new Request(input, init);
    var headers = new Headers(request.headers);
    headers.set("Authorization", "Bearer " + (await idToken()));
    return nativeFetch(new Request(request, { headers: headers }));
  };

  // The admin draws the save bar above the app; here it sits at the top of the page.
  class SaveBarElement extends HTMLElement {
    connectedCallback() { if (!this.hasAttribute("data-shown")) this.style.display = "none"; }
    get showing() { return this.hasAttribute("data-shown"); }
    show() {
      this.setAttribute("data-shown", "");
      this.style.cssText = "display:flex;gap:8px;position:sticky;top:0;z-index:1000;padding:8px;background:#1a1a1a;";
      this.dispatchEvent(new CustomEvent("show"));
    }
    hide() {
      var was = this.showing;
      this.removeAttribute("data-shown");
      this.style.display = "none";
      if (was) this.dispatchEvent(new CustomEvent("hide"));
    }
    toggle() { this.showing ? this.hide() : this.show(); }
  }
  // The admin draws a modal over the whole page: its title bar's title and buttons, and the
  // content the app renders into modal.content (React's Modal portals there). The content lives
  // outside the app's own DOM and styles (here: a shadow root), so the page React hydrates is
  // left as the server sent it. Hidden until shown; show and hide fire "show" and "hide".
  var modalStyle = document.createElement("style");
  modalStyle.textContent = "ui-modal[data-shown] > ui-title-bar { display:flex !important; gap:8px; align-items:center; padding:12px 16px; border-top:1px solid #ddd; }" +
    "ui-modal[data-shown] > ui-title-bar::before { content: attr(title); font-weight:600; margin-right:auto; }";
  document.head.appendChild(modalStyle);
  class ModalElement extends HTMLElement {
    constructor() {
      super();
      var root = this.attachShadow({ mode: "open" });
      this._content = document.createElement("div");
      root.appendChild(this._content);
      root.appendChild(document.createElement("slot"));
    }
    get content() { return this._content; }
    connectedCallback() { if (!this.showing) this.style.display = "none"; }
    get showing() { return this.hasAttribute("data-shown"); }
    show() {
      if (this.showing) return Promise.resolve();
      var bar = this.querySelector(":scope > ui-title-bar");
      this.setAttribute("data-shown", "");
      this.setAttribute("role", "dialog");
      this.setAttribute("aria-modal", "true");
      this.setAttribute("aria-label", (bar && bar.getAttribute("title")) || "");
      this.style.cssText = "display:flex;flex-direction:column;position:fixed;top:15%;left:50%;transform:translateX(-50%);width:min(520px,92vw);z-index:2000;background:#fff;border-radius:12px;box-shadow:0 0 0 100vmax rgba(0,0,0,.45);font-family:sans-serif;";
      this.dispatchEvent(new CustomEvent("show"));
      return Promise.resolve();
    }
    hide() {
      var was = this.showing;
      this.removeAttribute("data-shown");
      this.style.cssText = "display:none";
      if (was) this.dispatchEvent(new CustomEvent("hide"));
      return Promise.resolve();
    }
    toggle() { return this.showing ? this.hide() : this.show(); }
  }
  class Hidden extends HTMLElement { connectedCallback() { this.style.display = "none"; } }
  customElements.define("ui-save-bar", SaveBarElement);
  customElements.define("ui-title-bar", class extends Hidden {});
  customElements.define("ui-nav-menu", class extends Hidden {});
  customElements.define("ui-modal", ModalElement);
})();
`;
