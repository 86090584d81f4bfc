// Core Web Vitals measured in the page, as Built for Shopify reads them (LCP < 2.5 s, CLS < 0.1,
// INP < 200 ms), without the web-vitals package: PerformanceObserver in a script added with
// page.addInitScript, following web-vitals' (v4) definitions:
// - LCP: the last largest-contentful-paint entry reported before the first keydown or click
//   (web-vitals stops listening there), startTime less the activation start, only if the page
//   had not been hidden before it.
// - CLS: layout-shift entries without recent input, grouped into session windows (a shift less
//   than 1 s after the previous one and less than 5 s after the window's first joins it); CLS is
//   the largest window's sum.
// - INP: "event" entries (durationThreshold 16, the lowest Chromium allows) and "first-input",
//   grouped by interactionId; an interaction's latency is its longest entry's duration; INP is
//   the worst interaction's (web-vitals drops one per 50 interactions; a scripted page has few).
// - TTFB: the navigation's responseStart less the activation start; the server's time is
//   responseStart - requestStart (on loopback, what the server took before its first byte).
import type { Page } from "playwright-core";

export interface WebVitals {
  lcp: number | null;
  lcpElement: string | null;
  cls: number;
  // The shifts of the largest window, with what moved, to find a shift's cause.
  clsShifts: { value: number; at: number; sources: string[] }[];
  inp: number | null;
  inpTarget: string | null;
  // The slowest interaction's parts (the event timing entry's): waiting for the main thread,
  // the handlers, and until the next frame was painted.
  inpParts: { inputDelay: number; processing: number; presentation: number } | null;
  // The long animation frames overlapping it: when (ms from the input), how long, the render
  // part, and the scripts that ran.
  inpFrames: { at: number; ms: number; render: number; scripts: string[] }[];
  // Responses that arrived from 300 ms before it until it was painted (ms from the input).
  inpResponses: string[];
  interactions: number;
  ttfb: number | null;
  serverMs: number | null;
}

export const webVitalsScript = String.raw`
(function () {
  if (window.__webVitals) return;
  var firstHidden = document.visibilityState === "hidden" ? 0 : Infinity;
  addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") firstHidden = Math.min(firstHidden, performance.now()); }, true);
  function activationStart() {
    var nav = performance.getEntriesByType("navigation")[0];
    return (nav && nav.activationStart) || 0;
  }
  function describe(node) {
    if (!node || node.nodeType !== 1) return node && node.nodeName ? node.nodeName.toLowerCase() : null;
    var id = node.id ? "#" + node.id : "";
    var cls = typeof node.className === "string" && node.className ? "." + node.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    var text = (node.textContent || "").trim().slice(0, 40);
    return node.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : "");
  }
  var state = { lcp: null, lcpElement: null, lcpDone: false, cls: 0, clsShifts: [], session: [], sessionValue: 0, interactions: new Map() };
  var observers = [];
  function observe(type, handle, options) {
    try {
      var po = new PerformanceObserver(function (list) { handle(list.getEntries()); });
      po.observe(Object.assign({ type: type, buffered: true }, options || {}));
      observers.push({ po: po, handle: handle, type: type });
    } catch (e) {
      // An entry type this browser does not support: that metric stays empty.
    }
  }
  function flush(type) {
    observers.forEach(function (o) { if (!type || o.type === type) o.handle(o.po.takeRecords()); });
  }

  observe("largest-contentful-paint", function (entries) {
    if (state.lcpDone) return;
    entries.forEach(function (e) {
      if (e.startTime >= firstHidden) return;
      state.lcp = Math.max(e.startTime - activationStart(), 0);
      state.lcpElement = describe(e.element);
    });
  });
  // web-vitals reports LCP once the user first presses a key or clicks.
  ["keydown", "click"].forEach(function (type) {
    addEventListener(type, function () { flush("largest-contentful-paint"); state.lcpDone = true; }, { once: true, capture: true });
  });

  observe("layout-shift", function (entries) {
    entries.forEach(function (e) {
      if (e.hadRecentInput) return;
      var first = state.session[0];
      var last = state.session[state.session.length - 1];
      var shift = { value: e.value, at: e.startTime, sources: (e.sources || []).map(function (s) { return describe(s.node); }).filter(Boolean) };
      if (first && e.startTime - last.at < 1000 && e.startTime - first.at < 5000) {
        state.sessionValue += e.value;
        state.session.push(shift);
      } else {
        state.sessionValue = e.value;
        state.session = [shift];
      }
      if (state.sessionValue > state.cls) {
        state.cls = state.sessionValue;
        state.clsShifts = state.session.slice();
      }
    });
  });

  function interaction(entries) {
    entries.forEach(function (e) {
      if (!e.interactionId) return;
      var seen = state.interactions.get(e.interactionId);
      if (!seen) {
        seen = { duration: 0, target: null, name: null, start: e.startTime, firstProcessingStart: e.processingStart, lastProcessingEnd: e.processingEnd };
        state.interactions.set(e.interactionId, seen);
      }
      if (e.duration > seen.duration) {
        seen.duration = e.duration;
        seen.target = describe(e.target);
        seen.name = e.name;
      }
      // As web-vitals' attribution: the delay before the first handler, all the handlers of the
      // interaction's events (pointerdown to click), and the time until the frame was painted.
      if (e.startTime < seen.start) {
        seen.start = e.startTime;
        seen.firstProcessingStart = e.processingStart;
      }
      seen.lastProcessingEnd = Math.max(seen.lastProcessingEnd, e.processingEnd);
      seen.inputDelay = seen.firstProcessingStart - seen.start;
      seen.processing = seen.lastProcessingEnd - seen.firstProcessingStart;
      seen.presentation = Math.max(seen.start + seen.duration - seen.lastProcessingEnd, 0);
    });
  }
  observe("event", interaction, { durationThreshold: 16 });
  // Long animation frames name the scripts that held the main thread: kept to explain the
  // slowest interaction (the frames that overlap it).
  var frames = [];
  observe("long-animation-frame", function (entries) {
    entries.forEach(function (f) {
      frames.push({
        start: f.startTime,
        end: f.startTime + f.duration,
        blocking: f.blockingDuration,
        render: f.renderStart ? f.startTime + f.duration - f.renderStart : 0,
        scripts: (f.scripts || []).map(function (s) {
          var where = (s.sourceURL || "").split("/").pop() + (s.sourceFunctionName ? " " + s.sourceFunctionName : "");
          return Math.round(s.duration) + " ms " + s.invokerType + " " + s.invoker + (where.trim() ? " (" + where.trim() + ")" : "");
        }),
      });
    });
  });
  observe("first-input", interaction);

  window.__webVitals = function () {
    flush();
    var worst = null;
    state.interactions.forEach(function (i) { if (!worst || i.duration > worst.duration) worst = i; });
    var nav = performance.getEntriesByType("navigation")[0];
    return {
      lcp: state.lcp,
      lcpElement: state.lcpElement,
      cls: state.cls,
      clsShifts: state.clsShifts,
      inp: worst ? worst.duration : null,
      inpTarget: worst ? worst.name + " on " + worst.target : null,
      inpParts: worst ? { inputDelay: worst.inputDelay, processing: worst.processing, presentation: worst.presentation } : null,
      inpFrames: worst
        ? frames
            .filter(function (f) { return f.end > worst.start - 50 && f.start < worst.start + worst.duration; })
            .map(function (f) { return { at: Math.round(f.start - worst.start), ms: Math.round(f.end - f.start), render: Math.round(f.render), scripts: f.scripts }; })
        : [],
      // Responses that arrived just before or during it: what the page was busy taking in.
      inpResponses: worst
        ? performance
            .getEntriesByType("resource")
            .filter(function (r) { return r.responseEnd > worst.start - 300 && r.responseEnd < worst.start + worst.duration; })
            .map(function (r) { return Math.round(r.responseEnd - worst.start) + " ms " + r.initiatorType + " " + r.name.replace(location.origin, "").split("?")[0]; })
        : [],
      interactions: state.interactions.size,
      ttfb: nav ? Math.max(nav.responseStart - activationStart(), 0) : null,
      serverMs: nav ? nav.responseStart - nav.requestStart : null,
    };
  };
})();
`;

// Call before the page's first navigation.
export async function watchWebVitals(page: Page): Promise<void> {
  await page.addInitScript({ content: webVitalsScript });
}

// Event timing entries arrive after the next frame is presented; wait for two frames and a
// moment before reading, so the last interaction is counted.
export async function readWebVitals(page: Page): Promise<WebVitals> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 100)))));
  return page.evaluate(() => (window as unknown as { __webVitals: () => WebVitals }).__webVitals());
}
