// One shop for a browser test, set up the way every page test needs it: the store simulator with
// the shop's seed store, the shop's token and profile stored as an install leaves them (or nothing
// stored, for a test that installs from the embedded load), the SendGrid stand-in with a DNS
// server when the test needs SendGrid, and the built app in Chromium against them
// (startAdminBrowser). Call it once per test file, after appTestEnv.
import { randomUUID } from "node:crypto";
import prisma from "~/db.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { startAdminBrowser, type AdminBrowser } from "./admin-browser";
import { TEST_API_KEY, TEST_API_SECRET } from "../../scripts/harness";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startDnsServer, type DnsServer, type DnsZone } from "../../simulator/dns-server";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, type SeedStore } from "../../simulator/store";

// What most page tests grant: orders, products, customers and the consent write-back.
export const BROWSER_SCOPES = "read_orders,read_products,read_customers,write_customers";
// A 1×1 PNG: the stand-in for Shopify's CDN, so a page's pictures load without the network.
export const PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

export type BrowserShop = {
  shop: string;
  store: SeedStore;
  admin: AdminSimulator;
  browser: AdminBrowser;
  // Present when started with `sendgrid`.
  sendgrid: SendGridStandIn | null;
  dns: DnsServer | null;
  // The DNS server's zones, live: publishRecords() into them shows up at once (TTL 0).
  zones: Record<string, DnsZone>;
  // What the app was started with.
  env: Record<string, string>;
  close(): Promise<void>;
};

export async function startBrowserShop({
  shop,
  databaseUrl,
  scopes = BROWSER_SCOPES,
  install = "stored",
  profile = { name: "Juniper & Pine", email: "owner@juniper.example" },
  seedStore,
  sendgrid: withSendGrid,
  mail = "outbox",
  cdn,
  env: extra = {},
  timezoneId,
}: {
  shop: string;
  databaseUrl: string;
  scopes?: string;
  // "stored": the token and profile are in the database; "embedded": nothing is, and the first
  // embedded load installs the shop through token exchange at the simulator.
  install?: "stored" | "embedded";
  profile?: NonNullable<Parameters<typeof connectShop>[0]["profile"]>;
  // Changes to the simulator's store before anything reads it.
  seedStore?: (store: SeedStore) => void;
  // The SendGrid stand-in with this key, validating domains against a DNS server with these zones.
  sendgrid?: { apiKey: string; zones: Record<string, DnsZone> };
  // "sendgrid": mail goes through the stand-in; "outbox": it stays in the app's outbox.
  mail?: "outbox" | "sendgrid";
  // Shopify's CDN: the simulator's Files (404 for anything else), or a 1×1 PNG for every file.
  cdn?: "files" | "pixel";
  env?: Record<string, string>;
  timezoneId?: string;
}): Promise<BrowserShop> {
  const accessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
  const store = createSeedStore({ shop, accessToken });
  seedStore?.(store);
  const zones = withSendGrid?.zones ?? {};
  let admin: AdminSimulator | undefined;
  let dns: DnsServer | undefined;
  let sendgrid: SendGridStandIn | undefined;
  let browser: AdminBrowser | undefined;
  const close = async () => {
    await browser?.close();
    await sendgrid?.close();
    await dns?.close();
    await admin?.close();
  };
  try {
    admin = await startAdminSimulator({ stores: [store], ...(install === "embedded" ? { apps: [{ clientId: TEST_API_KEY, clientSecret: TEST_API_SECRET }] } : {}) });
    if (withSendGrid) {
      dns = await startDnsServer({ zones, ttl: 0 });
      sendgrid = await startSendGridStandIn({ apiKeys: [withSendGrid.apiKey], dnsServers: [dns.address] });
    }
    if (mail === "sendgrid" && !sendgrid) throw new Error("mail: \"sendgrid\" needs the `sendgrid` option");
    if (install === "stored") {
      await storeOfflineToken({ prisma, shop, accessToken, scope: scopes });
      await connectShop({ prisma, shop, profile });
    }
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      SHOPIFY_ADMIN_API_URL: admin.url,
      ...(install === "embedded" ? { SHOPIFY_ACCESS_TOKEN_URL: admin.accessTokenUrl } : { SCOPES: scopes }),
      ...(mail === "outbox" ? { MAIL_TRANSPORT: "outbox" } : {}),
      ...(sendgrid && dns
        ? { SENDGRID_API_KEY: withSendGrid!.apiKey, SENDGRID_API_URL: sendgrid.url, AFTERGLOW_FROM_EMAIL: "mail@afterglow.example", AFTERGLOW_DNS_SERVERS: dns.address }
        : {}),
      ...extra,
    };
    browser = await startAdminBrowser({ shop, env, ...(timezoneId ? { timezoneId } : {}) });
    const simulator = admin;
    // Registered after the harness's routes, so it answers first.
    if (cdn === "files") {
      await browser.context.route("https://cdn.shopify.com/s/files/**", (route) => {
        const file = simulator.cdnFile(route.request().url());
        return file ? route.fulfill({ status: 200, contentType: file.mimeType, body: file.bytes }) : route.fulfill({ status: 404, body: "" });
      });
    } else if (cdn === "pixel") {
      await browser.context.route("https://cdn.shopify.com/s/files/**", (route) => route.fulfill({ status: 200, contentType: "image/png", body: PIXEL_PNG }));
    }
    return { shop, store, admin, browser, sendgrid: sendgrid ?? null, dns: dns ?? null, zones, env, close };
  } catch (err) {
    await close();
    throw err;
  }
}
