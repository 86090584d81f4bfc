// The operator's side of a shop, run as an operator runs it (the built CLI) against the database
// the app reads: `connect` stores a session the embedded admin accepts, and `settings show|set`
// read and change what the Settings page edits, with its checks and an audit row.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app asks for the scopes of shopify.app.toml, as `shopify app deploy` sets SCOPES.
const APP_SCOPES = "read_orders,read_fulfillments,read_products,read_customers,write_customers,write_discounts,read_locales,write_files,write_marketing_events";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "cli-shop-settings",
    apiKey: "cli-shop-key",
    secret: "cli-shop-secret",
    env: {
      MAIL_TRANSPORT: "outbox",
      AFTERGLOW_WORKER: "off",
      LOG_LEVEL: "error",
      SCOPES: "read_orders,read_fulfillments,read_products,read_customers,write_customers,write_discounts",
    },
  }),
);

import type { ServerBuild } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/node";
import prisma from "~/db.server";
import { listAudit } from "~/services/compliance/audit.server";
import { sessionToken } from "../helpers/embedded";
import { ROOT, runCli } from "../../scripts/harness";

const SHOP = "juniper-pine.myshopify.com";
const BASE = "https://afterglow.test";

let build: ServerBuild;
// The operator's shell has no SCOPES: the scopes come from shopify.app.toml.
const cli = (args: string[]) => runCli(args, { DATABASE_URL: ctx.url, SCOPES: "", USER: "olga" });

// A route of the build called as the embedded admin's fetch calls it, with a session token.
async function embedded(routeId: string, url: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const fn = build.routes[routeId]?.module[form ? "action" : "loader"] as (a: unknown) => Promise<unknown>;
  const headers = { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` };
  const init: RequestInit = form
    ? { method: "POST", headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) }
    : { headers };
  let result: unknown;
  try {
    result = await fn({ request: new Request(`${BASE}${url}`, init), params: {}, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    result = thrown;
  }
  if (result instanceof Response) return { status: result.status, body: await result.text() };
  return { status: 200, body: JSON.stringify(result) };
}

// The Settings page as the admin's iframe loads it: a document request with App Bridge's id_token.
async function settingsPage(): Promise<string> {
  const token = sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret });
  const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
  const url = `${BASE}/app/settings?embedded=1&shop=${SHOP}&host=${host}&id_token=${token}`;
  const res = await createRequestHandler(build, "production")(new Request(url));
  const body = await res.text();
  expect(res.status, body.slice(0, 500)).toBe(200);
  return body;
}

const settingsRow = () => prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });

beforeAll(async () => {
  build = (await import(path.join(ROOT, "build/server/index.js"))) as ServerBuild;
}, 120_000);

afterAll(async () => {
  await ctx.cleanup();
});

describe("afterglow connect", () => {
  it("stores the scopes of shopify.app.toml, so every embedded page loads for the shop", async () => {
    const r = await cli(["connect", SHOP, "--token", "shpat_0123456789abcdef0123456789abcdef", "--no-profile"]);
    expect(r.status, r.stderr).toBe(0);
    for (const [routeId, url] of [
      ["routes/app._index", "/app"],
      ["routes/app.settings", "/app/settings"],
      ["routes/app.flows._index", "/app/flows"],
    ]) {
      const page = await embedded(routeId, url);
      expect(page.status, `${url}: ${page.body.slice(0, 300)}`).toBe(200);
    }
    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(session.scope).toBe(APP_SCOPES);
  }, 120_000);

  it("takes --scope, then SCOPES, over the file", async () => {
    const r = await cli(["connect", SHOP, "--token", "shpat_0123456789abcdef0123456789abcdef", "--no-profile", "--scope", "read_orders"]);
    expect(r.status, r.stderr).toBe(0);
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).scope).toBe("read_orders");
    const fromEnv = await runCli(["connect", SHOP, "--token", "shpat_0123456789abcdef0123456789abcdef", "--no-profile"], { DATABASE_URL: ctx.url, SCOPES: "read_orders,read_products" });
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).scope).toBe("read_orders,read_products");
    // Back to the app's scopes for the tests below.
    expect((await cli(["connect", SHOP, "--token", "shpat_0123456789abcdef0123456789abcdef", "--no-profile"])).status).toBe(0);
  }, 120_000);
});

describe("afterglow settings", () => {
  it("shows every setting as key=value lines and as JSON", async () => {
    const lines = await cli(["settings", "show", SHOP]);
    expect(lines.status, lines.stderr).toBe(0);
    expect(lines.stdout.trim().split("\n")).toEqual([
      "sendingEnabled=on",
      "senderName=",
      "senderEmail=",
      "replyTo=",
      "marketingConsentRequired=on",
      "frequencyCap.enabled=on",
      "frequencyCap.maxSends=1",
      "frequencyCap.periodHours=16",
      "defaultSendWindow=off",
      "brand.logoUrl=",
      "brand.accentColor=",
      "brand.font=",
    ]);
    const json = await cli(["settings", "show", SHOP, "--json"]);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      sendingEnabled: true,
      senderName: "",
      senderEmail: "",
      replyTo: "",
      defaultSendWindow: null,
      frequencyCap: { enabled: true, maxSends: 1, periodHours: 16 },
      marketingConsentRequired: true,
      brand: {},
    });
  }, 120_000);

  it("sets settings, audits which changed with the operator as actor, and shows them back; the Settings page shows them", async () => {
    const r = await cli([
      "settings",
      "set",
      SHOP,
      "sendingEnabled=off",
      "senderName=Juniper & Pine",
      "senderEmail=Hello@Juniper.example",
      "replyTo=care@juniper.example",
      "marketingConsentRequired=off",
      "frequencyCap.maxSends=3",
      "frequencyCap.periodHours=48",
      "defaultSendWindow.days=mon,wed",
      "defaultSendWindow.start=08:30",
      "brand.accentColor=#2f5d50",
      "brand.font=Georgia",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `Saved sendingEnabled, senderName, senderEmail, replyTo, defaultSendWindow, frequencyCap, marketingConsentRequired, brand for ${SHOP}.\n`,
    );
    const row = await settingsRow();
    expect(row).toMatchObject({ sendingEnabled: false, senderName: "Juniper & Pine", senderEmail: "hello@juniper.example", replyTo: "care@juniper.example", marketingConsentRequired: false });
    expect(JSON.parse(row.frequencyCap!)).toEqual({ enabled: true, maxSends: 3, periodHours: 48 });
    expect(JSON.parse(row.defaultSendWindow!)).toEqual({ days: ["mon", "wed"], start: "08:30", end: "20:00" });
    expect(JSON.parse(row.brand!)).toEqual({ accentColor: "#2f5d50", font: "Georgia" });
    const [entry] = await listAudit(prisma, SHOP, { action: "settings.updated" });
    expect(entry).toMatchObject({ actor: "cli:olga", detail: { changed: expect.arrayContaining(["sendingEnabled", "brand"]) } });

    const shown = await cli(["settings", "show", SHOP]);
    expect(shown.stdout).toContain("sendingEnabled=off\nsenderName=Juniper & Pine\nsenderEmail=hello@juniper.example\n");
    expect(shown.stdout).toContain("defaultSendWindow.days=mon,wed\ndefaultSendWindow.start=08:30\ndefaultSendWindow.end=20:00\n");
    expect(shown.stdout).toContain("brand.accentColor=#2f5d50\nbrand.font=Georgia\n");

    // Given back unchanged, the printed lines change nothing.
    const again = await cli(["settings", "set", SHOP, ...shown.stdout.trim().split("\n")]);
    expect(again.stdout).toBe(`Nothing changed for ${SHOP}.\n`);

    const page = await settingsPage();
    for (const shownValue of ['value="Juniper &amp; Pine"', 'value="hello@juniper.example"', 'value="care@juniper.example"', 'value="08:30"', 'value="3"', 'value="48"'])
      expect(page).toContain(shownValue);
    // Unticked: marketing goes to everyone, as the CLI set it.
    expect(page).toMatch(/<input[^>]*name="marketingConsentRequired"[^>]*aria-checked="false"\/>/);
    expect(page).toMatch(/<input[^>]*name="frequencyCapEnabled"[^>]*aria-checked="true" checked=""\/>/);

    const cleared = await cli(["settings", "set", SHOP, "defaultSendWindow=off", "brand.font="]);
    expect(cleared.stdout).toBe(`Saved defaultSendWindow, brand for ${SHOP}.\n`);
    expect(JSON.parse((await settingsRow()).brand!)).toEqual({ accentColor: "#2f5d50" });

    // The page's own save keeps what it has no field for (sending on or off, brand).
    const saved = await embedded("routes/app.settings", "/app/settings", {
      senderName: "Juniper and Pine",
      senderEmail: "hello@juniper.example",
      frequencyCapEnabled: "on",
      frequencyCapMaxSends: "3",
      frequencyCapPeriodHours: "48",
    });
    expect(saved.status, saved.body).toBe(200);
    expect(await settingsRow()).toMatchObject({ senderName: "Juniper and Pine", replyTo: null, sendingEnabled: false, brand: JSON.stringify({ accentColor: "#2f5d50" }) });
  }, 120_000);

  it("refuses bad values under their field names with exit code 2, changing nothing", async () => {
    const before = await settingsRow();
    const audits = (await listAudit(prisma, SHOP)).length;
    const bad = await cli([
      "settings",
      "set",
      SHOP,
      "senderName=Fine Name",
      "senderEmail=hello@",
      "frequencyCap.maxSends=0",
      "defaultSendWindow.start=9am",
      "brand.accentColor=green",
      "brand.font=Comic Sans",
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(`Nothing was changed for ${SHOP}:`);
    expect(bad.stderr).toContain("senderEmail: Enter a complete email address");
    expect(bad.stderr).toMatch(/frequencyCap: Emails per customer must be a whole number from 1 to 50/);
    expect(bad.stderr).toMatch(/defaultSendWindow: Start/);
    expect(bad.stderr).toContain('brand.accentColor: "green" is not a colour like #2f5d50');
    expect(bad.stderr).toContain('Unknown font "Comic Sans"');

    const words = await cli(["settings", "set", SHOP, "sendingEnabled=maybe", "smartSending=on", "senderName"]);
    expect(words.status).toBe(2);
    expect(words.stderr).toContain('sendingEnabled: sendingEnabled takes on or off, not "maybe".');
    expect(words.stderr).toContain('smartSending: Unknown setting "smartSending". Settings: sendingEnabled, senderName');
    expect(words.stderr).toContain("senderName: Give senderName a value: senderName=<value>.");

    const unknownShop = await cli(["settings", "set", "elsewhere.myshopify.com", "sendingEnabled=on"]);
    expect(unknownShop.status).toBe(2);
    expect(unknownShop.stderr).toContain("elsewhere.myshopify.com is not connected; run connect first.");
    expect(await prisma.shop.findUnique({ where: { domain: "elsewhere.myshopify.com" } })).toBeNull();

    expect({ ...(await settingsRow()), updatedAt: null }).toEqual({ ...before, updatedAt: null });
    expect((await listAudit(prisma, SHOP)).length).toBe(audits);
  }, 120_000);
});
