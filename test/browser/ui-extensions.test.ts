// The two UI extensions, bundled as Shopify CLI bundles them, running in Chromium on a stand-in of
// Shopify's page (extension-host.ts) with the data Shopify passes: the Thank you and Order status
// pages for a subscribed and a not subscribed buyer, the sign-up, and the admin order block with
// its Cancel. The page is served from one origin and the app's endpoints from another, so the
// browser makes the same cross-origin requests (and preflights) Shopify's pages make. The app's
// routes run in this process against the test database and the store simulator.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "ui-extensions",
    apiKey: "ui-extensions-client-id",
    secret: "ui-extensions-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import prisma from "~/db.server";
import { startExtensionShop, type ExtensionShop } from "../helpers/extension-shop";
import { CHROMIUM, chromiumFound } from "./admin-browser";
import type { HostConfig } from "./extension-host";
import { buildUiExtension, readUiExtensions, ROOT } from "../../scripts/build-extensions";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import * as offerRoute from "~/routes/extensions.thank-you.offer";
import * as signUpRoute from "~/routes/extensions.thank-you.sign-up";
import * as followUpsRoute from "~/routes/extensions.order-follow-ups";

const ROUTES: Record<string, { loader: (a: never) => unknown; action: (a: never) => unknown }> = {
  "/extensions/thank-you/offer": offerRoute,
  "/extensions/thank-you/sign-up": signUpRoute,
  "/extensions/order-follow-ups": followUpsRoute,
};

let shop: ExtensionShop;
let store: SeedStore;
let browser: Browser;
let appServer: http.Server;
let pageServer: http.Server;
let appUrl = "";
let pageUrl = "";
const appRequests: string[] = [];
const assets = new Map<string, string>();

// The s-* tags a surface has, from @shopify/ui-extensions' component types.
function surfaceTags(surface: "checkout" | "admin"): string[] {
  const dir = path.join(ROOT, `node_modules/@shopify/ui-extensions/build/ts/surfaces/${surface}/components`);
  const tags = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".d.ts"))
    .map((f) => /declare const tagName = ["'](s-[a-z-]+)["']/.exec(fs.readFileSync(path.join(dir, f), "utf8"))?.[1])
    .filter((t): t is string => Boolean(t));
  return [...new Set(tags)];
}

// The app's routes behind a plain HTTP server, as Remix would call them.
async function serveApp(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? "/", appUrl);
  appRequests.push(`${req.method} ${url.pathname}`);
  const route = ROUTES[url.pathname];
  if (!route) return res.writeHead(404).end();
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const request = new Request(url, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
    ...(req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS" ? {} : { body: Buffer.concat(chunks) }),
  });
  const handler = req.method === "GET" || req.method === "OPTIONS" ? route.loader : route.action;
  const answer = (await Promise.resolve(handler({ request, params: {}, context: {} } as never)).catch((thrown: unknown) => thrown)) as Response;
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const FLOWS = {
  version: 1,
  flows: [
    {
      key: "after-purchase",
      name: "After purchase",
      trigger: "order_created",
      active: true,
      steps: [
        { key: "thanks", delay: { amount: 1, unit: "hours" }, template: "thank-you", subject: "Thank you" },
        { key: "more", delay: { amount: 2, unit: "days" }, template: "cross-sell", subject: "Something for you" },
      ],
    },
    {
      key: "care",
      name: "Care guide",
      trigger: "order_fulfilled",
      active: true,
      steps: [{ key: "care", delay: { amount: 5, unit: "days" }, template: "care-guide", subject: "Caring for it" }],
    },
  ],
};

beforeAll(async () => {
  shop = await startExtensionShop({ prisma, apiKey: ctx.apiKey, secret: ctx.secret, flows: FLOWS });
  store = shop.store;
  await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { ianaTimezone: "Europe/Warsaw" } });

  appServer = http.createServer((req, res) => void serveApp(req, res).catch((err) => res.writeHead(500).end(String(err))));
  appUrl = await listen(appServer);
  // The extensions as Shopify CLI bundles them (into each extension's dist/), APP_URL being the app's URL.
  for (const dir of ["thank-you-opt-in", "order-follow-ups"]) {
    for (const extension of readUiExtensions(path.join(ROOT, "extensions", dir))) {
      const { outfile } = await buildUiExtension(extension, { appUrl });
      assets.set(`/${extension.handle}.js`, fs.readFileSync(outfile, "utf8"));
    }
  }
  const host = await build({ entryPoints: [path.join(__dirname, "extension-host.ts")], bundle: true, write: false, format: "iife", target: "es2020" });
  assets.set("/host.js", host.outputFiles[0]!.text);
  pageServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/") return res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><html><body></body></html>");
    if (url.pathname === "/favicon.ico") return res.writeHead(204).end();
    const asset = assets.get(url.pathname);
    if (!asset) return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "text/javascript" }).end(asset);
  });
  pageUrl = await listen(pageServer);
  if (chromiumFound) browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => appServer?.close(r));
  await new Promise((r) => pageServer?.close(r));
  await shop?.close();
  await ctx.cleanup();
});

// Shopify's page for one target: the host, then the extension's bundle, then the target rendered.
async function openExtension(bundle: string, config: HostConfig): Promise<{ page: Page; problems: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error: ${m.text()}`);
  });
  await page.goto(pageUrl);
  await page.evaluate((c) => {
    window.__hostConfig = c;
  }, config);
  await page.addScriptTag({ url: `${pageUrl}/host.js` });
  await page.addScriptTag({ url: `${pageUrl}/${bundle}.js` });
  await page.evaluate(() => window.__hostRender());
  return { page, problems: async () => [...errors, ...(await page.evaluate(() => window.__hostProblems))] };
}

const signal = <T>(v: T) => v; // marked in `signals`, made a signal by the host

function thankYouConfig({ orderId, email, customer }: { orderId: string; email: string; customer?: Record<string, unknown> }): HostConfig {
  return {
    target: "purchase.thank-you.block.render",
    appUrl,
    tags: surfaceTags("checkout"),
    sessionToken: shop.checkoutToken({ customerId: customer?.id as string | undefined }),
    api: {
      extension: { target: "purchase.thank-you.block.render", apiVersion: "2025-10", scriptUrl: `${pageUrl}/thank-you-opt-in.js` },
      shop: { id: "gid://shopify/Shop/1", name: store.shop.name, myshopifyDomain: SIMULATOR_SHOP, storefrontUrl: `https://${SIMULATOR_SHOP}` },
      orderConfirmation: signal({ order: { id: orderId }, number: "ABC123", isFirstOrder: false }),
      buyerIdentity: { customer: signal(customer), email: signal(email), phone: signal(undefined), purchasingCompany: signal(undefined) },
    },
    signals: ["orderConfirmation", "buyerIdentity.customer", "buyerIdentity.email", "buyerIdentity.phone", "buyerIdentity.purchasingCompany"],
  };
}

// What the block shows, as text per element.
async function shown(page: Page) {
  return page.evaluate(() =>
    [...document.body.querySelectorAll("s-checkbox, s-heading, s-paragraph, s-banner, s-text, s-badge, s-button")].map((el) => {
      const e = el as HTMLElement & { label?: string; heading?: string };
      return `${el.localName}: ${e.label ?? e.heading ?? ""}${e.label || e.heading ? "" : (el.textContent ?? "").trim()}`;
    }),
  );
}

describe.skipIf(!chromiumFound)("the Thank you page block", () => {
  it("offers the sign-up to a guest not subscribed, says what happens next, and subscribes them on a tick", async () => {
    const customer = shop.customerIn("NOT_SUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    const { page, problems } = await openExtension("thank-you-opt-in", thankYouConfig({ orderId, email }));
    await page.waitForSelector("s-checkbox", { state: "attached" });
    expect(await shown(page)).toEqual([
      "s-checkbox: Send me care tips and offers for my order",
      "s-heading: What happens next",
      "s-paragraph: Your care guide arrives by email about 5 days after your order ships.",
      "s-paragraph: Questions about your order? Write to help@juniper.example.",
    ]);

    // The buyer ticks the box: the host sets it and tells the element, as Shopify's checkbox does.
    await page.evaluate(() => {
      const box = document.querySelector("s-checkbox") as HTMLElement & { checked: boolean };
      box.checked = true;
      box.dispatchEvent(new Event("change"));
    });
    await page.waitForSelector(`s-banner[data-heading="You're subscribed"]`, { state: "attached" });
    expect(await page.evaluate(() => (document.querySelector("s-checkbox") as HTMLElement & { disabled: boolean }).disabled)).toBe(true);
    expect(customer.defaultEmailAddress).toMatchObject({ marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" });
    expect(await prisma.customerConsent.findFirst({ where: { customerId: customer.id } })).toMatchObject({ marketingState: "SUBSCRIBED" });
    // Cross-origin, with a JSON body and a bearer token: each POST was preflighted.
    expect(appRequests.filter((r) => r.endsWith("/sign-up"))).toEqual(["OPTIONS /extensions/thank-you/sign-up", "POST /extensions/thank-you/sign-up"]);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it("shows nothing to a logged-in subscribed customer, without asking the app", async () => {
    const customer = shop.customerIn("SUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    appRequests.length = 0;
    const subscribed = { id: customer.id, acceptsEmailMarketing: true, acceptsMarketing: true, acceptsSmsMarketing: false, ordersCount: 3 };
    const { page, problems } = await openExtension("thank-you-opt-in", thankYouConfig({ orderId, email, customer: subscribed }));
    // Preact renders synchronously: what the target rendered is there once __hostRender returns.
    expect(await page.evaluate(() => document.body.querySelectorAll("*").length)).toBe(0);
    expect(appRequests).toEqual([]);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it("shows nothing to a subscribed guest: the app knows Shopify's consent and says so", async () => {
    const { orderId, email } = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    appRequests.length = 0;
    const { page, problems } = await openExtension("thank-you-opt-in", thankYouConfig({ orderId, email }));
    await expect.poll(() => page.evaluate(() => window.__hostAnswered)).toBe(1);
    expect(appRequests).toEqual(["OPTIONS /extensions/thank-you/offer", "POST /extensions/thank-you/offer"]);
    expect(await page.evaluate(() => document.body.querySelectorAll("*").length)).toBe(0);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it("offers the same sign-up on the Order status page", async () => {
    const customer = shop.customerIn("UNSUBSCRIBED");
    const { orderId, email } = await shop.placeOrder(customer);
    const config: HostConfig = {
      target: "customer-account.order-status.block.render",
      appUrl,
      tags: surfaceTags("checkout"),
      sessionToken: shop.checkoutToken({ customerId: customer.id }),
      api: {
        extension: { target: "customer-account.order-status.block.render", apiVersion: "2025-10" },
        shop: { id: "gid://shopify/Shop/1", name: store.shop.name, myshopifyDomain: SIMULATOR_SHOP },
        order: signal({ id: orderId, name: "#1001", processedAt: new Date().toISOString() }),
        buyerIdentity: {
          customer: signal({ id: customer.id, acceptsMarketing: false }),
          email: signal(email),
          phone: signal(undefined),
          purchasingCompany: signal(undefined),
        },
      },
      signals: ["order", "buyerIdentity.customer", "buyerIdentity.email", "buyerIdentity.phone", "buyerIdentity.purchasingCompany"],
    };
    const { page, problems } = await openExtension("thank-you-opt-in", config);
    await page.waitForSelector("s-checkbox", { state: "attached" });
    expect((await shown(page))[0]).toBe("s-checkbox: Send me care tips and offers for my order");
    expect(await problems()).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!chromiumFound)("the admin order block", () => {
  it("lists the order's follow-ups and cancels a scheduled one", async () => {
    const { orderId } = await shop.placeOrder(shop.customerIn("SUBSCRIBED"));
    const config: HostConfig = {
      target: "admin.order-details.block.render",
      appUrl,
      tags: surfaceTags("admin"),
      adminIdToken: shop.adminToken(),
      api: {
        extension: { target: "admin.order-details.block.render" },
        data: { selected: [{ id: orderId }] },
      },
      signals: [],
    };
    const { page, problems } = await openExtension("order-follow-ups", config);
    await page.waitForSelector("s-button");
    expect(await page.evaluate(() => (document.querySelector("s-admin-block") as HTMLElement & { heading: string }).heading)).toBe("Afterglow follow-ups");
    const rows = await shown(page);
    expect(rows.filter((r) => r.startsWith("s-text: After purchase"))).toEqual(["s-text: After purchase · Step 1", "s-text: After purchase · Step 2"]);
    expect(rows.filter((r) => r.startsWith("s-badge"))).toEqual(["s-badge: Scheduled", "s-badge: Scheduled"]);
    // Times in the shop's zone (Warsaw), as the Messages page shows them.
    const [first] = await prisma.followUp.findMany({ where: { order: { orderId } }, orderBy: { dueAt: "asc" } });
    const warsaw = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Warsaw" }).format(first!.dueAt);
    expect(rows).toContain(`s-text: ${warsaw}`);

    await page.locator("s-button").first().click();
    await page.waitForFunction(() => [...document.querySelectorAll("s-badge")].some((b) => b.textContent === "Cancelled"));
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "cancelled" });
    const after = await shown(page);
    expect(after.filter((r) => r.startsWith("s-badge"))).toEqual(["s-badge: Cancelled", "s-badge: Scheduled"]);
    expect(after).toContain("s-text: Cancelled by the merchant.");
    expect(after.filter((r) => r.startsWith("s-button"))).toHaveLength(1);
    expect(await page.evaluate(() => window.__hostRequests)).toEqual([
      `GET /extensions/order-follow-ups?orderId=${encodeURIComponent(orderId)}`,
      "POST /extensions/order-follow-ups",
      `GET /extensions/order-follow-ups?orderId=${encodeURIComponent(orderId)}`,
    ]);
    expect(await problems()).toEqual([]);
    await page.close();
  });
});
