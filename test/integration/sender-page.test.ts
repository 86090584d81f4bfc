// The sender domain page as the embedded admin loads it, against a DNS server on loopback.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "sender-page",
    apiKey: "sender-page-key",
    secret: "sender-page-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import prisma from "~/db.server";
import { loader } from "~/routes/app.sender";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { authenticatedZones, startDnsServer } from "../../simulator/dns-server";
import { sessionToken } from "../helpers/embedded";

const GOOD = "good-sender.myshopify.com";
const BARE = "bare-sender.myshopify.com";
let dns: Awaited<ReturnType<typeof startDnsServer>>;

beforeAll(async () => {
  dns = await startDnsServer({ zones: { ...authenticatedZones("northwind.example"), "plain.example": { "@": { A: ["192.0.2.10"] } } } });
  process.env.AFTERGLOW_DNS_SERVERS = dns.address;
  for (const [shop, sender] of [[GOOD, "hello@northwind.example"], [BARE, "orders@plain.example"]]) {
    await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}` });
    await connectShop({ prisma, shop });
    await prisma.shop.update({ where: { domain: shop }, data: { senderEmail: sender } });
  }
});
afterAll(async () => {
  await dns.close();
  await ctx.cleanup();
});

const load = (shop: string, query = "") =>
  loader({
    request: new Request(`https://afterglow.test/app/sender${query}`, {
      headers: { Authorization: `Bearer ${sessionToken({ shop, apiKey: ctx.apiKey, secret: ctx.secret })}` },
    }),
    params: {},
    context: {},
  });

describe("sender domain page", () => {
  it("shows an authenticated domain as such", async () => {
    const data = (await load(GOOD, "?returnPath=em1234.northwind.example")) as Awaited<ReturnType<typeof loader>>;
    expect(data.email).toBe("hello@northwind.example");
    expect(data.result!.verdict.status).toBe("authenticated");
    expect(data.result!.checks.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
  });

  it("warns about an unauthenticated domain and lists the exact records to add", async () => {
    const data = (await load(BARE)) as Awaited<ReturnType<typeof loader>>;
    expect(data.result!.verdict.status).toBe("not_authenticated");
    expect(data.result!.verdict.explanation).toMatch(/Gmail|Yahoo/);
    const hosts = data.result!.records.map((r) => `${r.type} ${r.host}`);
    expect(hosts).toEqual(expect.arrayContaining(["CNAME s1._domainkey.plain.example", "CNAME s2._domainkey.plain.example", "TXT _dmarc.plain.example"]));
  });

  it("answers only for the shop in the session token", async () => {
    const forged = new Request("https://afterglow.test/app/sender", {
      headers: { Authorization: `Bearer ${sessionToken({ shop: GOOD, apiKey: ctx.apiKey, secret: "not-the-secret" })}` },
    });
    await expect(loader({ request: forged, params: {}, context: {} })).rejects.toSatisfy(
      (r: unknown) => r instanceof Response && r.status === 401,
    );
  });
});
