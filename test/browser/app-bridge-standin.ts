// A local stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js, as much of it as the
// embedded pages use: the `shopify` global (idToken, toast, saveBar, modal), the fetch patch that
// adds the session token to the app's own requests, and the ui-save-bar / ui-title-bar /
// ui-nav-menu / ui-modal elements. Tokens come from the test process (window.__afterglowIdToken), signed with the
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
      show: function (id) { var el = document.getElementById(id); return el && el.show ? el.show() : Promise.resolve(); },
      hide: function (id) { var el = document.getElementById(id); return el && el.hide ? el.hide() : Promise.resolve(); },
      toggle: function (id) { var el = document.getElementById(id); return el && el.toggle ? el.toggle() : Promise.resolve(); },
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
  // Hidden by a stylesheet, not an inline style: an attribute added before React hydrates the
  // server's HTML would be reported as a hydration mismatch, which real App Bridge doesn't cause.
  var hiding = document.createElement("style");
  hiding.textContent = "ui-title-bar, ui-nav-menu, ui-modal, ui-save-bar:not([data-shown]) { display: none; }";
  (document.head || document.documentElement).appendChild(hiding);
  class Hidden extends HTMLElement {}
  customElements.define("ui-save-bar", SaveBarElement);
  customElements.define("ui-title-bar", class extends Hidden {});
  customElements.define("ui-nav-menu", class extends Hidden {});
  // The admin draws a modal over the app: the title and buttons of its ui-title-bar, and the
  // element's content (where @shopify/app-bridge-react portals the children). A button in the
  // admin's modal clicks the app's own button, so its onClick runs.
  class ModalElement extends HTMLElement {
    constructor() { super(); this._content = document.createElement("div"); this._overlay = null; }
    disconnectedCallback() { if (this._overlay) { this._overlay.remove(); this._overlay = null; } }
    get content() { return this._content; }
    get showing() { return this._overlay !== null; }
    show() {
      if (this._overlay) return Promise.resolve();
      var bar = this.querySelector("ui-title-bar");
      var title = (bar && bar.getAttribute("title")) || "";
      var overlay = document.createElement("div");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2000;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center;padding:16px;";
      var dialog = document.createElement("div");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-label", title);
      dialog.style.cssText = "background:#fff;border-radius:12px;max-width:620px;width:100%;box-sizing:border-box;";
      var heading = document.createElement("h2");
      heading.textContent = title;
      heading.style.cssText = "margin:0;padding:16px;font:600 14px sans-serif;border-bottom:1px solid #ddd;";
      var footer = document.createElement("div");
      footer.style.cssText = "display:flex;justify-content:flex-end;gap:8px;padding:16px;border-top:1px solid #ddd;";
      var buttons = bar ? Array.prototype.slice.call(bar.querySelectorAll("button")) : [];
      buttons.reverse().forEach(function (button) {
        var proxy = document.createElement("button");
        proxy.type = "button";
        proxy.textContent = button.textContent;
        proxy.disabled = button.disabled;
        proxy.addEventListener("click", function () { button.click(); });
        footer.appendChild(proxy);
      });
      dialog.appendChild(heading);
      dialog.appendChild(this._content);
      dialog.appendChild(footer);
      overlay.appendChild(dialog);
      document.body.appendChild(overlay);
      this._overlay = overlay;
      // Escape closes the admin's modal, as a Cancel would.
      var self = this;
      this._escape = function (e) { if (e.key === "Escape") self.hide(); };
      document.addEventListener("keydown", this._escape);
      this.dispatchEvent(new CustomEvent("show"));
      return Promise.resolve();
    }
    hide() {
      if (!this._overlay) return Promise.resolve();
      this._overlay.remove();
      this._overlay = null;
      document.removeEventListener("keydown", this._escape);
      this.dispatchEvent(new CustomEvent("hide"));
      return Promise.resolve();
    }
    toggle() { return this.showing ? this.hide() : this.show(); }
  }
  customElements.define("ui-modal", ModalElement);
})();
`;
