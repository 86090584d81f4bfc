// A local stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js, as much of it as the
// embedded pages use: the `shopify` global (idToken, toast, saveBar), the fetch patch that adds
// the session token to the app's own requests, and the ui-save-bar / ui-title-bar / ui-nav-menu
// elements, and ui-modal (show, hide, its content and title-bar buttons). Tokens come from the test process (window.__afterglowIdToken), signed with the
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
      show: function (id) { var el = document.getElementById(id); if (el) el.show(); return Promise.resolve(); },
      hide: function (id) { var el = document.getElementById(id); if (el) el.hide(); return Promise.resolve(); },
      toggle: function (id) { var el = document.getElementById(id); if (el) el.toggle(); return Promise.resolve(); },
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
  // The admin draws a modal over the app: the title bar's title and buttons, and the content the
  // app renders into modal.content. Here it is an overlay with role="dialog"; Escape closes it.
  class ModalElement extends HTMLElement {
    constructor() {
      super();
      this._content = document.createElement("div");
      this._content.className = "ui-modal-content";
    }
    get content() { return this._content; }
    get open() { return this.hasAttribute("data-shown"); }
    connectedCallback() { if (!this.open) this.style.display = "none"; }
    show() {
      if (this.open) return Promise.resolve();
      this.setAttribute("data-shown", "");
      this.setAttribute("role", "dialog");
      this.setAttribute("aria-modal", "true");
      var bar = this.querySelector("ui-title-bar");
      if (bar) this.setAttribute("aria-label", bar.getAttribute("title") || "");
      this.style.cssText = "display:block;position:fixed;inset:0;z-index:1000;background:rgba(0,0,0,.5);padding:40px 16px;";
      var panel = this._panel || (this._panel = document.createElement("div"));
      panel.style.cssText = "background:#fff;max-width:620px;margin:0 auto;border-radius:12px;overflow:hidden;";
      var title = this._title || (this._title = document.createElement("h2"));
      title.style.cssText = "margin:0;padding:16px;font:600 14px sans-serif;border-bottom:1px solid #ddd;";
      title.textContent = bar ? bar.getAttribute("title") || "" : "";
      var footer = this._footer || (this._footer = document.createElement("div"));
      footer.style.cssText = "display:flex;gap:8px;justify-content:flex-end;padding:12px 16px;border-top:1px solid #ddd;";
      // As the admin does, the buttons are drawn from the title bar's and a click is passed on.
      var draw = function () {
        footer.replaceChildren();
        if (!bar) return;
        Array.from(bar.querySelectorAll("button")).forEach(function (source) {
          if (source.getAttribute("variant") === "breadcrumb") return;
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = source.textContent;
          b.disabled = source.disabled || source.hasAttribute("loading");
          if (source.hasAttribute("loading")) b.setAttribute("aria-busy", "true");
          if (source.getAttribute("variant") === "primary") b.style.fontWeight = "600";
          if (source.getAttribute("tone") === "critical") b.style.color = "#b3261e";
          b.addEventListener("click", function () { source.click(); });
          footer.appendChild(b);
        });
      };
      draw();
      if (bar) {
        this._observer = new MutationObserver(draw);
        this._observer.observe(bar, { subtree: true, childList: true, attributes: true, characterData: true });
      }
      panel.replaceChildren(title, this._content, footer);
      this.appendChild(panel);
      var self = this;
      this._onKey = function (e) { if (e.key === "Escape") self.hide(); };
      document.addEventListener("keydown", this._onKey);
      this.dispatchEvent(new CustomEvent("show"));
      return Promise.resolve();
    }
    hide() {
      if (!this.open) return Promise.resolve();
      this.removeAttribute("data-shown");
      this.style.display = "none";
      if (this._observer) this._observer.disconnect();
      if (this._panel) this._panel.remove();
      document.removeEventListener("keydown", this._onKey);
      this.dispatchEvent(new CustomEvent("hide"));
      return Promise.resolve();
    }
    toggle() { return this.open ? this.hide() : this.show(); }
  }
  customElements.define("ui-modal", ModalElement);
})();
`;
