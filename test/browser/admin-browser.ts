// The embedded admin in Chromium, for the browser tests: the built app serves the real pages,
// the shop's Admin API is the store simulator, and only App Bridge's script (a Shopify CDN file)
// is a local stand-in. Nothing leaves the machine. Each test file calls startAdminBrowser once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";
import { sessionToken } from "../helpers/embedded";
import { ROOT, startApp, TEST_API_KEY, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { APP_BRIDGE_URL, appBridgeStandIn } from "./app-bridge-standin";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const chromiumFound = fs.existsSync(CHROMIUM);
if (!chromiumFound) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (.ci/run does) or set CHROMIUM_PATH.`);

export const SCREENSHOTS = path.join(ROOT, "var/screenshots");
// The widths every admin page is checked at: a desktop admin and a phone.
export const WIDTHS = [1280, 375] as const;

export type AdminBrowser = {
  app: RunningApp;
  context: BrowserContext;
  // How the admin opens an embedded page: the app's URL with shop, host and a fresh id_token.
  embeddedUrl(pathname: string, shop?: string): string;
  // A page that records what a merchant must never meet: script errors, console errors, failed requests.
  open(): Promise<WatchedPage>;
  close(): Promise<void>;
};

export type WatchedPage = { page: Page; problems: string[] };

// timezoneId: the merchant's browser's zone (e.g. "America/Los_Angeles"), when a test needs one
// other than the machine's.
export async function startAdminBrowser({ shop, env, timezoneId }: { shop: string; env: Record<string, string>; timezoneId?: string }): Promise<AdminBrowser> {
  const app = await startApp({ env: { AFTERGLOW_WORKER: "off", LOG_LEVEL: "error", ...env } });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: WIDTHS[0], height: 1000 },
      ...(timezoneId ? { timezoneId } : {}),
      // Shopify's library answers 410 to user agents that look like bots, HeadlessChrome included.
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
    });
  } catch (err) {
    await app.stop();
    throw err;
  }
  // The stand-in asks the test for session tokens, signed with the app's secret as Shopify signs them.
  await context.exposeFunction("__afterglowIdToken", () => sessionToken({ shop, apiKey: TEST_API_KEY, secret: TEST_API_SECRET }));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(app.url)) return route.continue();
    if (url.split("?")[0] === APP_BRIDGE_URL) return route.fulfill({ status: 200, contentType: "text/javascript", body: appBridgeStandIn });
    return route.abort();
  });

  return {
    app,
    context,
    embeddedUrl(pathname, forShop = shop) {
      const params = new URLSearchParams({
        embedded: "1",
        shop: forShop,
        host: Buffer.from(`admin.shopify.com/store/${forShop.split(".")[0]}`).toString("base64url"),
        id_token: sessionToken({ shop: forShop, apiKey: TEST_API_KEY, secret: TEST_API_SECRET }),
      });
      const [pathOnly, query] = pathname.split("?");
      if (query) for (const [k, v] of new URLSearchParams(query)) params.set(k, v);
      return `${app.url}${pathOnly}?${params}`;
    },
    async open() {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error: ${m.text()}`);
      });
      page.on("requestfailed", (r) => {
        // A fetch the page itself cancels (a newer preview replacing an older one, Remix dropping a
        // prefetch as it navigates) is no failure a merchant meets.
        if (r.failure()?.errorText === "net::ERR_ABORTED" && (r.resourceType() === "fetch" || r.resourceType() === "xhr")) return;
        // Aborted by the test's own routing (a request off the machine) counts as a failure too.
        problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? "?"})`);
      });
      page.on("response", (r) => {
        if (r.status() >= 500) problems.push(`server error: ${r.status()} ${r.url()}`);
      });
      return { page, problems };
    },
    async close() {
      await context.close().catch(() => {});
      await app.stop();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Runs a browser step; a failure keeps a full-page screenshot and the app's last log lines.
export async function withScreenshot(page: Page, app: RunningApp, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `failed-${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    (err as Error).message = `${(err as Error).message}\nScreenshot: ${file}\nApp log:\n${app.logs.slice(-20).join("\n")}`;
    throw err;
  }
}

// The page at each width, a screenshot kept as var/screenshots/<name>-<width>.png, and nothing
// wider than the viewport: neither the page nor a box in it (a table) scrolls sideways.
export async function screenshotAtWidths(page: Page, name: string, ready: () => Promise<void>): Promise<string[]> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 1000 });
    await ready();
    // The page itself, and any box inside it (a table's scroll container), must fit. Polaris
    // switches a table to its condensed layout a render after the width changes, so this waits
    // for the layout to settle before it fails.
    const sideways = () =>
      page.evaluate(() => {
        const found: string[] = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) found.push(`the page by ${root.scrollWidth - root.clientWidth}px`);
        for (const el of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
          const overflowX = getComputedStyle(el).overflowX;
          if ((overflowX === "auto" || overflowX === "scroll") && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
            found.push(`${el.tagName.toLowerCase()}.${String(el.className).split(" ")[0]} by ${el.scrollWidth - el.clientWidth}px`);
          }
        }
        return found;
      });
    await expect.poll(sideways, { message: `${name} scrolls sideways at ${width}px`, timeout: 5_000 }).toEqual([]);
    const file = path.join(SCREENSHOTS, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 1000 });
  return files;
}
