// A local stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js, as much of it as the
// embedded pages use: the `shopify` global (idToken, toast, saveBar, modal), the fetch patch that adds
// the session token to the app's own requests, and the ui-save-bar / ui-title-bar / ui-nav-menu / ui-modal
// elements. Tokens come from the test process (window.__afterglowIdToken), signed with the
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
  class Hidden extends HTMLElement { connectedCallback() { this.style.display = "none"; } }
  customElements.define("ui-save-bar", SaveBarElement);
  customElements.define("ui-title-bar", class extends Hidden {});
  customElements.define("ui-nav-menu", class extends Hidden {});
  // The admin draws ui-modal over the app: the ui-title-bar inside gives its title and buttons
  // (their clicks reach the app's own handlers), its content is where the app puts the body. It
  // opens with show() or shopify.modal.show(id), closes with hide() or Escape, firing show/hide.
  class ModalElement extends HTMLElement {
    connectedCallback() { if (!this.hasAttribute("data-shown")) this.style.display = "none"; }
    get content() {
      if (!this._content) { this._content = document.createElement("div"); this._content.style.order = "1"; this.appendChild(this._content); }
      return this._content;
    }
    get showing() { return this.hasAttribute("data-shown"); }
    show() {
      var bar = this.querySelector("ui-title-bar");
      var title = (bar && bar.getAttribute("title")) || "";
      if (!this._heading) { this._heading = document.createElement("h2"); this._heading.style.cssText = "order:0;margin:0;font:600 16px sans-serif;"; this.insertBefore(this._heading, this.firstChild); }
      this._heading.textContent = title;
      this.content;
      if (bar) bar.style.cssText = "order:2;display:flex;gap:8px;justify-content:flex-end;";
      this.setAttribute("data-shown", "");
      this.setAttribute("role", "dialog");
      this.setAttribute("aria-modal", "true");
      this.setAttribute("aria-label", title);
      this.style.cssText = "display:flex;flex-direction:column;gap:12px;position:fixed;z-index:1001;top:15vh;left:50%;transform:translateX(-50%);width:min(560px,calc(100vw - 32px));box-sizing:border-box;padding:16px;background:#fff;border-radius:12px;box-shadow:0 0 0 100vmax rgba(0,0,0,.5);";
      var self = this;
      this._escape = function (e) { if (e.key === "Escape") self.hide(); };
      document.addEventListener("keydown", this._escape);
      this.dispatchEvent(new CustomEvent("show"));
      return Promise.resolve();
    }
    hide() {
      var was = this.showing;
      this.removeAttribute("data-shown");
      this.removeAttribute("role");
      this.style.cssText = "display:none;";
      if (this._escape) document.removeEventListener("keydown", this._escape);
      if (was) this.dispatchEvent(new CustomEvent("hide"));
      return Promise.resolve();
    }
    toggle() { return this.showing ? this.hide() : this.show(); }
  }
  customElements.define("ui-modal", ModalElement);
})();
`;
