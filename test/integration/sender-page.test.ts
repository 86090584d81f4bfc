// The Sender page as the embedded admin loads and posts it: the domain authenticated in the
// SendGrid stand-in, verified against a DNS server on loopback, and the address mail goes from
// before and after.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "sender-page",
    apiKey: "sender-page-key",
    secret: "sender-page-secret",
    env: { LOG_LEVEL: "error", AFTERGLOW_FROM_EMAIL: "mail@afterglow.example", SENDGRID_API_KEY: "SG.sender-page.key", MAIL_TRANSPORT: "outbox" },
  }),
);

import prisma from "~/db.server";
import { action, loader, type SenderActionData } from "~/routes/app.sender";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { senderInUse } from "~/services/shop/sender-in-use.server";
import { publishRecords, startDnsServer, type DnsZone } from "../../simulator/dns-server";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { sessionToken } from "../helpers/embedded";

const SHOP = "juniper-sender.myshopify.com";
const OTHER = "other-sender.myshopify.com";
const zones: Record<string, DnsZone> = { "juniper.example": { "@": { A: ["192.0.2.10"] } } };
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let sg: SendGridStandIn;

beforeAll(async () => {
  dns = await startDnsServer({ zones, ttl: 0 });
  sg = await startSendGridStandIn({ apiKeys: ["SG.sender-page.key"], dnsServers: [dns.address] });
  process.env.AFTERGLOW_DNS_SERVERS = dns.address;
  process.env.SENDGRID_API_URL = sg.url;
  for (const shop of [SHOP, OTHER]) {
    await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}` });
    await connectShop({ prisma, shop, profile: { name: "Juniper & Pine", email: "hello@juniper.example" } });
  }
  await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "care@juniper.example", replyTo: "help@juniper.example" } });
});
afterAll(async () => {
  await sg.close();
  await dns.close();
  await ctx.cleanup();
});

const headers = (shop: string) => ({ Authorization: `Bearer ${sessionToken({ shop, apiKey: ctx.apiKey, secret: ctx.secret })}` });
const load = async (shop = SHOP, query = "") =>
  (await loader({ request: new Request(`https://afterglow.test/app/sender${query}`, { headers: headers(shop) }), params: {}, context: {} })) as Awaited<ReturnType<typeof loader>>;
const post = async (fields: Record<string, string>, shop = SHOP) => {
  const res = (await action({
    request: new Request("https://afterglow.test/app/sender", { method: "POST", headers: headers(shop), body: new URLSearchParams(fields) }),
    params: {},
    context: {},
  })) as Response;
  return { status: res.status, data: (await res.json()) as SenderActionData };
};

describe("sender page", () => {
  it("says mail goes from the app's address under the store's name until the domain is verified, and prefills the domain", async () => {
    const data = await load();
    expect(data.sender).toMatchObject({ from: { email: "mail@afterglow.example", name: "Juniper & Pine" }, replyTo: { email: "help@juniper.example" }, source: "app_default" });
    expect(data.sender!.why).toMatch(/juniper\.example isn't verified in SendGrid yet.*Gmail and Yahoo/);
    expect(data).toMatchObject({ domain: null, suggestedDomain: "juniper.example", sendGridConnected: true });
  });

  it("refuses a domain that can't be authenticated, beside the field", async () => {
    const { status, data } = await post({ intent: "authenticate", domain: "gmail.com" });
    expect(status).toBe(400);
    expect(data).toMatchObject({ ok: false, field: "domain", error: expect.stringMatching(/mailbox provider/) });
    expect(sg.authenticatedDomains.size).toBe(0);
  });

  it("authenticates the domain in SendGrid, verifies it once the records are published, and then sends from the store's address", async () => {
    const created = await post({ intent: "authenticate", domain: "Juniper.example" });
    expect(created).toMatchObject({ status: 200, data: { ok: true } });
    let data = await load();
    expect(data.domain!.domain).toBe("juniper.example");
    expect(data.domain!.records.map((r) => r.host)).toEqual([expect.stringMatching(/^em\d+\.juniper\.example$/), "s1._domainkey.juniper.example", "s2._domainkey.juniper.example"]);
    expect(data.domain!.records.every((r) => r.valid === null)).toBe(true);
    // SendGrid creates no DMARC: the page gives the exact record, reports to the merchant.
    expect(data.dmarc).toMatchObject({ ok: false, record: { type: "TXT", host: "_dmarc.juniper.example", value: "v=DMARC1; p=none; rua=mailto:help@juniper.example;" } });
    expect(await post({ intent: "authenticate", domain: "juniper.example" })).toMatchObject({ status: 400, data: { error: expect.stringMatching(/already being authenticated/) } });

    const failing = await post({ intent: "verify" });
    expect(failing.data).toEqual({ ok: true, message: "Some records aren't found yet" });
    data = await load();
    expect(data.domain!.records.map((r) => r.valid)).toEqual([false, false, false]);
    expect(data.domain!.records[0].reason).toMatch(/^Expected CNAME for/);
    expect(data.domain!.verifiedAt).toBeNull();
    expect((await senderInUse({ prisma, shop: SHOP }))!.source).toBe("app_default");

    publishRecords(zones, "juniper.example", [...data.domain!.records, data.dmarc!.record!]);
    expect((await post({ intent: "verify" })).data).toEqual({ ok: true, message: "juniper.example is verified" });
    data = await load(SHOP, "?refresh=1");
    expect(data.domain!.records.map((r) => r.valid)).toEqual([true, true, true]);
    expect(data.domain!.verifiedAt).not.toBeNull();
    expect(data.dmarc).toMatchObject({ ok: true, record: null });
    expect(data.sender).toMatchObject({ from: { email: "care@juniper.example" }, replyTo: { email: "help@juniper.example" }, source: "verified_domain" });
    expect(await senderInUse({ prisma, shop: SHOP })).toMatchObject({ from: { email: "care@juniper.example" }, source: "verified_domain", why: expect.stringContaining("verified") });
    // Another shop is not verified by this one's domain.
    expect((await load(OTHER)).sender!.source).toBe("app_default");
    expect((await prisma.auditLog.findMany({ where: { shop: SHOP }, orderBy: { at: "asc" } })).map((a) => a.action)).toEqual(["sender_domain.created", "sender_domain.verified"]);
  });

  it("brands links the same way", async () => {
    expect((await post({ intent: "brand-links" })).data.ok).toBe(true);
    const link = (await load()).domain!.link!;
    expect(link.records.map((r) => r.value)).toEqual(["sendgrid.net", "sendgrid.net"]);
    publishRecords(zones, "juniper.example", link.records);
    expect((await post({ intent: "verify-links" })).data).toEqual({ ok: true, message: "Branded links verified" });
  });

  it("starts over: gone from SendGrid and from the shop, and mail goes from the app's address again", async () => {
    expect((await post({ intent: "start-over" })).data).toEqual({ ok: true, message: "Domain removed" });
    expect(sg.authenticatedDomains.size).toBe(0);
    expect(sg.linkBrandings.size).toBe(0);
    expect(await prisma.senderDomain.count({ where: { shop: SHOP } })).toBe(0);
    expect((await load()).sender!.source).toBe("app_default");
  });

  it("answers only for the shop in the session token", async () => {
    const forged = new Request("https://afterglow.test/app/sender", {
      headers: { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: "not-the-secret" })}` },
    });
    await expect(loader({ request: forged, params: {}, context: {} })).rejects.toSatisfy((r: unknown) => r instanceof Response && r.status === 401);
  });
});
