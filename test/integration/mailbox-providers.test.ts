// Mail per mailbox provider through the real path: signed orders/create webhooks for customers at
// gmail.com and hotmail.com, at a company on Google Workspace, one on Microsoft 365, one on its
// own mail server and one whose domain does not exist; the dispatcher sends to the SendGrid
// stand-in while DNS is down; signed SendGrid events come back; the analytics pass looks the
// custom domains' MX records up in the DNS stand-in, once each; the Analytics page's numbers per
// provider are checked against a count made in this file.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "mailbox-providers",
    apiKey: "mailbox-providers-key",
    secret: "mailbox-providers-secret",
    env: { LOG_LEVEL: "error", AFTERGLOW_DNS_SERVERS: undefined, AFTERGLOW_DNS_TIMEOUT_MS: "2000" },
  }),
);

import prisma from "~/db.server";
import { loader } from "~/routes/app.analytics";
import { action as ordersCreateAction } from "~/routes/webhooks.orders.create";
import { action as sendgridAction } from "~/routes/webhooks.sendgrid";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { runAnalyticsJobs } from "~/services/analytics/jobs.server";
import { classifyMailboxDomains } from "~/services/analytics/mailbox-providers.server";
import type { Dashboard } from "~/services/analytics/dashboard.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { createLogger } from "~/platform/logger.server";
import { MAILBOX_DOMAIN_ERROR_TTL_MS, type MailboxProvider, type ProviderCounts } from "~/domain/mailbox-providers";
import { startDnsServer, type DnsServer, type DnsZone } from "../../simulator/dns-server";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createEventWebhookKeys, sampleEvents, signedEventRequest, type SampleEventName } from "../../simulator/sendgrid-events";
import { orderCreatedPayload } from "../../simulator/orders";
import { createSeedStore } from "../../simulator/store";
import { webhookRequest } from "../../simulator/webhooks";
import { sessionToken } from "../helpers/embedded";
import { turnOnFlow } from "../helpers/flows";

const SHOP = "harbour-goods.myshopify.com";
const store = createSeedStore({ shop: SHOP, name: "Harbour Goods" });
const keys = createEventWebhookKeys();
const quiet = createLogger({}, { write: () => {} });

// The custom domains, as their owners publish them.
const ZONES: Record<string, DnsZone> = {
  // Google Workspace's classic five MX records.
  "fernhill.example": {
    "@": {
      MX: [
        { priority: 1, exchange: "aspmx.l.google.com" },
        { priority: 5, exchange: "alt1.aspmx.l.google.com" },
        { priority: 5, exchange: "alt2.aspmx.l.google.com" },
        { priority: 10, exchange: "alt3.aspmx.l.google.com" },
        { priority: 10, exchange: "alt4.aspmx.l.google.com" },
      ],
    },
  },
  // Microsoft 365.
  "harbourline.example": { "@": { MX: [{ priority: 0, exchange: "harbourline-example.mail.protection.outlook.com" }] } },
  // Its own server.
  "quietmail.example": { "@": { MX: [{ priority: 10, exchange: "mx1.quietmail-hosting.example" }] } },
};

// Who ordered, and what SendGrid reported of their email. "nowhere.example" has no zone: NXDOMAIN.
const RECIPIENTS: { email: string; provider: MailboxProvider; events: SampleEventName[] }[] = [
  { email: "ada@gmail.com", provider: "gmail", events: ["processed", "delivered", "open", "click"] },
  { email: "bo@gmail.com", provider: "gmail", events: ["processed", "delivered", "machineOpen", "spamreport"] },
  { email: "cy@gmail.com", provider: "gmail", events: ["processed", "bounce"] },
  { email: "dee@fernhill.example", provider: "gmail", events: ["processed", "delivered", "open", "open"] },
  { email: "eli@fernhill.example", provider: "gmail", events: ["processed", "deferred", "deferred", "delivered"] },
  { email: "fay@harbourline.example", provider: "outlook", events: ["processed", "delivered", "open", "click", "click"] },
  { email: "gus@harbourline.example", provider: "outlook", events: ["processed", "bounce"] },
  { email: "hal@hotmail.com", provider: "outlook", events: ["processed", "delivered", "spamreport"] },
  { email: "ivy@quietmail.example", provider: "other", events: ["processed", "delivered"] },
  { email: "jo@nowhere.example", provider: "other", events: ["processed", "deferred", "bounce"] },
];
const CUSTOM_DOMAINS = ["fernhill.example", "harbourline.example", "nowhere.example", "quietmail.example"];

// The count this file makes: each follow-up counted once per kind of event, opens by people only.
function expectedCounts(): Map<MailboxProvider, ProviderCounts> {
  const out = new Map<MailboxProvider, ProviderCounts>();
  for (const r of RECIPIENTS) {
    const c = out.get(r.provider) ?? { sent: 0, delivered: 0, bounces: 0, deferred: 0, spamReports: 0, opens: 0, clicks: 0 };
    const has = (e: SampleEventName) => (r.events.includes(e) ? 1 : 0);
    c.sent += 1;
    c.delivered += has("delivered");
    c.bounces += has("bounce");
    c.deferred += has("deferred");
    c.spamReports += has("spamreport");
    c.opens += has("open");
    c.clicks += has("click");
    out.set(r.provider, c);
  }
  return out;
}

async function post(route: (args: ActionFunctionArgs) => Promise<Response>, url: string, request: { headers: Record<string, string>; body: string }) {
  const res = await route({ request: new Request(url, { method: "POST", ...request }), params: {}, context: {} });
  expect(res.status, url).toBe(200);
}

const day = (at: Date) => at.toISOString().slice(0, 10);
const RANGE = { from: day(new Date(Date.now() - 3 * 24 * 3600_000)), to: day(new Date(Date.now() + 3 * 24 * 3600_000)) };

async function analyticsPage(): Promise<Dashboard> {
  const token = sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret });
  const request = new Request(`https://afterglow.test/app/analytics?${new URLSearchParams(RANGE)}`, { headers: { Authorization: `Bearer ${token}` } });
  return (await loader({ request, params: {}, context: {} })) as unknown as Dashboard;
}

const byProvider = (d: Dashboard) => Object.fromEntries(d.providers.map((p) => [p.provider, p.counts]));
const mxQueries = (dns: DnsServer) => dns.queries.filter((q) => q.type === "MX").map((q) => q.name);

let sendgrid: SendGridStandIn;
let dns: DnsServer | undefined;

beforeAll(async () => {
  process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  sendgrid = await startSendGridStandIn();
  await connectShop({
    prisma,
    shop: SHOP,
    profile: { name: store.shop.name, email: "hello@harbour.example", ianaTimezone: store.shop.ianaTimezone, storefrontUrl: store.shop.primaryDomain.url },
  });
  await turnOnFlow({ prisma, shop: SHOP });
  // The embedded admin's session, for the Analytics page.
  await storeOfflineToken({ prisma, shop: SHOP, accessToken: "shpat_mailboxproviders", scope: "read_orders" });
});

afterAll(async () => {
  delete process.env.SENDGRID_WEBHOOK_PUBLIC_KEY;
  delete process.env.AFTERGLOW_DNS_SERVERS;
  await sendgrid.close();
  await dns?.close();
  await ctx.cleanup();
});

describe("mail per mailbox provider", () => {
  let downDns: DnsServer;

  it("sends every follow-up while DNS does not answer: no lookup stands in a send's way", async () => {
    // A DNS server that has gone away: its port refuses every query.
    downDns = await startDnsServer({ zones: ZONES });
    await downDns.close();
    process.env.AFTERGLOW_DNS_SERVERS = downDns.address;

    const product = store.products.find((p) => p.status === "ACTIVE")!;
    for (const r of RECIPIENTS) {
      const { headers, body } = webhookRequest({
        topic: "orders/create",
        shop: SHOP,
        payload: orderCreatedPayload({ store, email: r.email, lines: [{ productId: product.id, quantity: 1 }] }),
        secret: ctx.secret,
      });
      await post(ordersCreateAction as never, "https://afterglow.test/webhooks/orders/create", { headers, body });
    }
    // The thank-you step is due an hour after the order; the next noon is past it and out of quiet hours.
    const noon = new Date(Date.now() + 24 * 3600_000);
    noon.setUTCHours(12, 0, 0, 0);
    const dispatcher = createDispatcher({
      prisma,
      transport: createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 }),
      recommend: async () => [],
      render: async (req) => renderFollowUp(await prepareFollowUp(req)),
      now: () => noon,
      retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
      logger: quiet,
    });
    const summary = await dispatcher.drain();
    expect(summary).toMatchObject({ claimed: RECIPIENTS.length, sent: RECIPIENTS.length });
    expect(sendgrid.messages.map((m) => m.to[0].email).sort()).toEqual(RECIPIENTS.map((r) => r.email).sort());
  });

  it("counts SendGrid's signed events per provider; domains DNS could not answer for wait, unguessed", async () => {
    for (const r of RECIPIENTS) {
      const mail = sendgrid.messages.find((m) => m.to[0].email === r.email)!;
      const events = sampleEvents({
        followUpId: mail.customArgs.followUpId,
        shop: SHOP,
        messageId: mail.messageId,
        email: r.email,
        at: new Date(Date.now() - 3_600_000),
      });
      // A second open or click is its own event (its own sg_event_id), of the same follow-up.
      const again = (name: SampleEventName) =>
        sampleEvents({ followUpId: mail.customArgs.followUpId, shop: SHOP, messageId: mail.messageId, email: r.email, at: new Date(Date.now() - 1_800_000) })[
          name
        ];
      const batch = r.events.map((name, i) => (r.events.indexOf(name) === i ? events[name] : again(name)));
      await post(sendgridAction as never, "https://afterglow.test/webhooks/sendgrid", signedEventRequest(batch, { privateKey: keys.privateKey }));
    }
    await runAnalyticsJobs({ prisma, logger: quiet });

    const expected = expectedCounts();
    const page = byProvider(await analyticsPage());
    // gmail.com and hotmail.com need no DNS; the custom domains' lookups failed and are not guessed.
    const unchecked = (p: MailboxProvider) => RECIPIENTS.filter((r) => r.provider === p && CUSTOM_DOMAINS.includes(r.email.split("@")[1]));
    expect(page.unchecked.sent).toBe(RECIPIENTS.filter((r) => CUSTOM_DOMAINS.includes(r.email.split("@")[1])).length);
    expect(page.gmail.sent).toBe(expected.get("gmail")!.sent - unchecked("gmail").length);
    expect(page.outlook.sent).toBe(expected.get("outlook")!.sent - unchecked("outlook").length);
    expect(await prisma.mailboxDomain.findMany({ orderBy: { domain: "asc" }, select: { domain: true, provider: true, mxHosts: true } })).toEqual([
      { domain: "gmail.com", provider: "gmail", mxHosts: null },
      { domain: "hotmail.com", provider: "outlook", mxHosts: null },
    ]);
  });

  it("looks each custom domain up once when DNS answers again, and the page's numbers per provider are exact", async () => {
    dns = await startDnsServer({ zones: ZONES, ttl: 0 });
    process.env.AFTERGLOW_DNS_SERVERS = dns.address;
    // A failed lookup is tried again minutes later, not at once.
    await classifyMailboxDomains({ prisma });
    expect(mxQueries(dns)).toEqual([]);
    await classifyMailboxDomains({ prisma, now: new Date(Date.now() + MAILBOX_DOMAIN_ERROR_TTL_MS + 1000) });
    expect(mxQueries(dns).sort()).toEqual(CUSTOM_DOMAINS);

    const stored = await prisma.mailboxDomain.findMany({ where: { domain: { in: CUSTOM_DOMAINS } }, orderBy: { domain: "asc" } });
    expect(stored.map(({ domain, provider, mxHosts }) => ({ domain, provider, mxHosts }))).toEqual([
      {
        domain: "fernhill.example",
        provider: "gmail",
        mxHosts: "aspmx.l.google.com,alt1.aspmx.l.google.com,alt2.aspmx.l.google.com,alt3.aspmx.l.google.com,alt4.aspmx.l.google.com",
      },
      { domain: "harbourline.example", provider: "outlook", mxHosts: "harbourline-example.mail.protection.outlook.com" },
      { domain: "nowhere.example", provider: "other", mxHosts: null },
      { domain: "quietmail.example", provider: "other", mxHosts: "mx1.quietmail-hosting.example" },
    ]);

    const page = await analyticsPage();
    expect(Object.keys(byProvider(page))).toEqual(["gmail", "outlook", "other"]);
    expect(byProvider(page)).toEqual(Object.fromEntries(expectedCounts()));
    const gmail = page.providers.find((p) => p.provider === "gmail")!;
    // 5 sent, 4 delivered: Ada's and Dee's opens (Bo's was a machine's), Bo's complaint, Ada's click.
    expect(gmail.counts).toEqual({ sent: 5, delivered: 4, bounces: 1, deferred: 1, spamReports: 1, opens: 2, clicks: 1 });
    expect(gmail.rates).toEqual({ delivered: 4 / 5, bounced: 1 / 5, deferred: 1 / 5, spam: 1 / 4, opened: 2 / 4, clicked: 1 / 4 });
    // 25% spam, but on four delivered emails: no verdict yet against Gmail's line.
    expect(gmail.spam).toBe("too_little_mail");
    expect(gmail.guidance?.spam).toEqual({ fineBelow: 0.001, limit: 0.003 });
    expect(page.providers.find((p) => p.provider === "outlook")!.spam).toBe("no_line");
  });

  it("asks DNS no more for known domains: new mail and later passes use the stored answer", async () => {
    const before = mxQueries(dns!).length;
    const mail = sendgrid.messages.find((m) => m.to[0].email === "dee@fernhill.example")!;
    const late = sampleEvents({ followUpId: mail.customArgs.followUpId, shop: SHOP, messageId: mail.messageId, email: mail.to[0].email });
    await post(sendgridAction as never, "https://afterglow.test/webhooks/sendgrid", signedEventRequest([late.click], { privateKey: keys.privateKey }));
    await runAnalyticsJobs({ prisma, logger: quiet });
    await runAnalyticsJobs({ prisma, logger: quiet });
    expect(mxQueries(dns!).length).toBe(before);
    expect(byProvider(await analyticsPage()).gmail.clicks).toBe(expectedCounts().get("gmail")!.clicks + 1);
  });

  it("looks a domain up again once its answer is a week old, only while mail still goes there", async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    await prisma.mailboxDomain.updateMany({ where: { domain: { in: ["fernhill.example", "quietmail.example"] } }, data: { checkedAt: eightDaysAgo } });
    // Nothing went to quietmail.example for more than a week; fernhill.example's day was counted again just now.
    await prisma.dailyDomainStat.updateMany({ where: { domain: "quietmail.example" }, data: { updatedAt: eightDaysAgo } });
    const before = mxQueries(dns!);
    const now = new Date();
    await classifyMailboxDomains({ prisma, now });
    expect(mxQueries(dns!).slice(before.length)).toEqual(["fernhill.example"]);
    expect((await prisma.mailboxDomain.findUniqueOrThrow({ where: { domain: "fernhill.example" } })).checkedAt).toEqual(now);
    expect((await prisma.mailboxDomain.findUniqueOrThrow({ where: { domain: "quietmail.example" } })).checkedAt).toEqual(eightDaysAgo);
  });
});
