// What an erasure leaves behind, read from the database's own bytes: a customer with data in
// every table that can hold it is redacted through a signed customers/redact webhook, then the
// SQLite file (WAL checkpointed, free pages included) or a pg_dump of the PostgreSQL database is
// searched for the address, the names and the Shopify customer id. Late SendGrid events for the
// address, and shop/redact's shop-less rows, are held to the same scan.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "erasure",
    apiKey: "erasure-test-key",
    secret: "erasure-test-secret",
    env: { LOG_LEVEL: "error", AFTERGLOW_EMAIL_HASH_KEYS: undefined },
  }),
);

import prisma from "~/db.server";
import { action as ordersCreateAction } from "~/routes/webhooks.orders.create";
import { action as dataRequestAction } from "~/routes/webhooks.customers.data_request";
import { action as customersRedactAction } from "~/routes/webhooks.customers.redact";
import { action as shopRedactAction } from "~/routes/webhooks.shop.redact";
import { action as sendgridAction } from "~/routes/webhooks.sendgrid";
import { connectShop } from "~/services/shop/shops.server";
import { createOutboxTransport } from "~/adapters/mail/outbox.server";
import { audit } from "~/services/compliance/audit.server";
import { recordCustomerConsent } from "~/services/consent/consent.server";
import { isSuppressed } from "~/services/consent/suppressions.server";
import { reclaimDone } from "~/services/compliance/reclaim.server";
import { createSeedStore, legacyId, type SeedStore } from "../../simulator/store";
import { customersDataRequestPayload, customersRedactPayload, orderCreatedPayload, shopRedactPayload } from "../../simulator/orders";
import { webhookRequest } from "../../simulator/webhooks";
import { createEventWebhookKeys, sampleEvents, signedEventRequest } from "../../simulator/sendgrid-events";
import { turnOnFlow } from "../helpers/flows";

const keys = createEventWebhookKeys();
const SHOP = "erasure-boutique.myshopify.com";
const OTHER = "closing-boutique.myshopify.com";

// Distinctive enough that no other byte sequence in the database matches by chance.
const FIRST = "Zephyrine";
const LAST = "Quillfeather";
const EMAIL = "zephyrine.quillfeather@erasure.example";
const LEAVER_EMAIL = "oswin.marchbanks@closing.example";

const store = createSeedStore({ shop: SHOP, name: "Erasure Boutique" });
const closing = createSeedStore({ shop: OTHER, name: "Closing Boutique" });

function renameFirstCustomer(s: SeedStore, first: string, last: string, email: string) {
  const c = s.customers[0];
  Object.assign(c, { firstName: first, lastName: last, email });
  c.defaultEmailAddress = { ...c.defaultEmailAddress!, emailAddress: email, marketingState: "SUBSCRIBED" };
  if (c.address) Object.assign(c.address, { firstName: first, lastName: last });
  return c;
}
const customer = renameFirstCustomer(store, FIRST, LAST, EMAIL);
const leaver = renameFirstCustomer(closing, "Oswin", "Marchbanks", LEAVER_EMAIL);
// Both seed stores number their customers alike; the closing shop's gets its own id.
for (const o of closing.orders) if (o.customerId === leaver.id) o.customerId = "gid://shopify/Customer/7301999000042";
leaver.id = "gid://shopify/Customer/7301999000042";
const CUSTOMER_NUMBER = String(legacyId(customer.id));

type Route = (args: ActionFunctionArgs) => Promise<Response>;
const shopifyRoutes: Record<string, Route> = {
  "orders/create": ordersCreateAction as Route,
  "customers/data_request": dataRequestAction as Route,
  "customers/redact": customersRedactAction as Route,
  "shop/redact": shopRedactAction as Route,
};

async function deliver(topic: string, shop: string, payload: unknown): Promise<Response> {
  const { headers, body } = webhookRequest({ topic, shop, payload, secret: ctx.secret });
  const request = new Request(`https://afterglow.test/webhooks/${topic}`, { method: "POST", headers, body });
  const res = await shopifyRoutes[topic]({ request, params: {}, context: {} });
  expect(res.status, `${topic} for ${shop}`).toBe(200);
  return res;
}

async function sendEvents(events: unknown[]) {
  const { headers, body } = signedEventRequest(events, { privateKey: keys.privateKey });
  const request = new Request("https://afterglow.test/webhooks/sendgrid", { method: "POST", headers, body });
  const res = await sendgridAction({ request, params: {}, context: {} } as ActionFunctionArgs);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Every model of the schema, and what it holds of a customer. A model added later fails the
// test until it is listed here, with its rows seeded or a reason it holds nobody.

const CUSTOMER_TABLES = [
  "order",
  "customerTimeZone",
  "followUp",
  "followUpEvent",
  "outboxMessage",
  "messageEvent",
  "suppression",
  "customerConsent",
  "attribution",
  "auditLog",
  "complianceRequest",
  "consentWriteBack",
  "flowTriggerFire",
] as const;

const SKIPPED: Record<string, string> = {
  Session: "the merchant's staff (shop/redact deletes them), no customer",
  Shop: "the merchant's own profile",
  Flow: "the merchant's flows",
  FlowStep: "the merchant's templates and copy",
  WebhookDelivery: "webhook ids, topics and order ids: no address, name or customer id (kept to recognise redeliveries)",
  DailyStat: "counts per day, flow step and variant",
  DailyDomainStat: "counts per day and recipient domain, no address (a customer's own domain goes with them, below; shop/redact deletes them all)",
  MailboxDomain: "which mailbox provider a domain's MX records name, shared by every shop: no address (a customer's own domain goes with them, below)",
  JobState: "watermarks of periodic jobs",
  RecommendationSourceStat: "counts per recommendation source",
  DeliverabilityHealth: "rates and counts per shop",
  SenderDomain: "the merchant's sending domain and its DNS records (shop/redact deletes it)",
  MarketingActivityReport: "what Shopify's Marketing section was told of each flow (shop/redact deletes it)",
  MarketingEngagementReport: "a flow's daily counts as reported to Shopify (shop/redact deletes them)",
  MarketingSync: "when a shop's marketing pass ran, and why it was left out (shop/redact deletes it)",
  FlowActionRun: "Shopify Flow's run ids, flow ids and order ids: no address, name or customer id (shop/redact deletes them)",
  FlowTriggerUse: "which Flow triggers the shop's workflows use (shop/redact deletes it)",
  PlanSubscription: "the shop's app subscriptions: plan, Shopify's status and dates (shop/redact deletes them)",
  MonthlyEmailCount: "emails sent per shop and month (shop/redact deletes them)",
  CountedEmail: "the follow-up ids counted towards the shop's monthly allowance, no address (shop/redact deletes them)",
  ThankYouPageSetting: "the merchant's choice for the thank-you page (shop/redact deletes it)",
  FollowUpFailure: "a failed follow-up's cause as a code and its time, no address (deleted with its follow-up)",
  FlowActionStep: "which flow a Shopify Flow workflow step starts (shop/redact deletes it)",
  ShopReviewSetting: "the merchant's review app, anchor, period and its encrypted token (shop/redact deletes it)",
  ReviewRequest:
    "a hash of the shop and address, product ids and when they were asked about: no address, name or customer id (customers/redact and shop/redact delete them)",
};

const modelOf = (t: string) => t[0].toUpperCase() + t.slice(1);

it("every model of the schema is seeded below or skipped with a reason", () => {
  const covered = new Set([...CUSTOMER_TABLES.map(modelOf), ...Object.keys(SKIPPED)]);
  const models = [...fs.readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
  expect(models.length).toBeGreaterThan(10);
  expect(models.filter((m) => !covered.has(m))).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// The database's bytes.

const NEEDLES = [EMAIL, FIRST, LAST, CUSTOMER_NUMBER];

async function databaseText(): Promise<string> {
  if (ctx.database.kind === "postgresql") {
    return execFileSync("pg_dump", ["--no-owner", "--no-privileges", ctx.url], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  }
  // Everything committed into the main file; the WAL truncated to nothing.
  const [checkpoint] = await prisma.$queryRawUnsafe<{ busy: number | bigint }[]>("PRAGMA wal_checkpoint(TRUNCATE)");
  expect(Number(checkpoint.busy)).toBe(0);
  const file = ctx.url.replace(/^file:/, "");
  const parts = [file, `${file}-wal`, `${file}-journal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1"));
  return parts.join("\n");
}

async function found(needles: string[]): Promise<string[]> {
  // The file is rewritten after the webhook is answered.
  await reclaimDone();
  const text = (await databaseText()).toLowerCase();
  return needles.filter((n) => text.includes(n.toLowerCase()));
}

// ---------------------------------------------------------------------------------------------
// A customer as the app comes to know them.

async function seedCustomer(s: SeedStore, customerId: string, email: string) {
  const shop = s.shop.myshopifyDomain;
  await connectShop({ prisma, shop, profile: { name: s.shop.name, ianaTimezone: s.shop.ianaTimezone, storefrontUrl: s.shop.primaryDomain.url } });
  await turnOnFlow({ prisma, shop });
  const product = s.products.find((p) => p.status === "ACTIVE")!;
  // Their own order, and a guest checkout with the same address.
  await deliver("orders/create", shop, orderCreatedPayload({ store: s, customerId, lines: [{ productId: product.id, quantity: 1 }] }));
  await deliver("orders/create", shop, orderCreatedPayload({ store: s, email, lines: [{ productId: product.id, quantity: 2 }] }));

  // The shop's Flow workflows listen for clicks: each click below writes a trigger naming the customer.
  await prisma.flowTriggerUse.create({ data: { shop, trigger: "follow-up-clicked", enabled: true, reportedAt: new Date() } });
  const outbox = createOutboxTransport(prisma);
  const followUps = await prisma.followUp.findMany({ where: { shop, recipient: email }, include: { order: true } });
  expect(followUps.length).toBeGreaterThan(0);
  for (const [i, f] of followUps.entries()) {
    const messageId = `${randomUUID().replace(/-/g, "").slice(0, 22)}`;
    await outbox.send({
      shop,
      followUpId: f.id,
      to: { email: f.recipient, name: `${f.order.firstName} ${s.customers[0].lastName}` },
      from: { email: `hello@${shop}`, name: s.shop.name },
      subject: `Thank you, ${f.order.firstName}`,
      html: `<p>Hi ${f.order.firstName} ${s.customers[0].lastName}, thanks for order ${f.order.name}.</p>`,
      text: `Hi ${f.order.firstName} ${s.customers[0].lastName}, thanks for order ${f.order.name}.`,
      customArgs: {},
    });
    await prisma.followUp.update({ where: { id: f.id }, data: { status: "sent", sentAt: new Date(), transport: "sendgrid", messageId } });
    const events = sampleEvents({ followUpId: f.id, shop, messageId, email, at: new Date(Date.now() - 3_600_000) });
    // Matched by custom args: stored with the shop, on the follow-up's timeline.
    await sendEvents([events.processed, events.delivered, events.open, events.click, ...(i === 0 ? [events.unsubscribe] : [])]);
    // Without custom args and under a message id nobody knows: stored without a shop.
    const { followUpId: _f, shop: _s, flow: _fl, step: _st, ...bare } = sampleEvents({ followUpId: "", shop: "", messageId: `zz${messageId}`, email }).deferred;
    await sendEvents([bare]);
  }
  // A "Follow-up sent" trigger for the guest order, whose subject holds the customer's name.
  const guest = followUps.find((f) => !f.order.customerId)!;
  await prisma.flowTriggerFire.create({
    data: {
      shop,
      trigger: "follow-up-sent",
      factKey: `followUp:${guest.id}`,
      followUpId: guest.id,
      orderId: guest.order.orderId,
      payload: JSON.stringify({ order_id: 1, "Email subject": `Thank you, ${s.customers[0].firstName}` }),
      nextAttemptAt: new Date(),
    },
  });
  // A shop-less event stored with the address by an earlier version of the app.
  await prisma.messageEvent.create({
    data: { dedupeKey: `legacy-${randomUUID()}`, shop: null, messageId: "legacy.1", event: "bounce", email, reason: `550 <${email}> mailbox full`, occurredAt: new Date() },
  });
  // A suppression hashed before keys existed: sha256 of the address, nothing else.
  const { createHash } = await import("node:crypto");
  await prisma.suppression.create({
    data: { shop, email: `sha256:${createHash("sha256").update(email).digest("hex")}`, scope: "marketing", reason: "unsubscribed", source: "earlier-erasure" },
  });
  await recordCustomerConsent({ prisma, shop, customerId, email, state: "SUBSCRIBED", at: new Date() });
  const [order] = await prisma.order.findMany({ where: { shop, customerId } });
  await prisma.attribution.create({
    data: {
      shop,
      orderRef: order.id,
      orderId: order.orderId,
      followUpId: followUps[0].id,
      flowId: followUps[0].flowId,
      stepKey: followUps[0].stepKey,
      reason: "click",
      revenue: order.totalPrice,
      currency: order.currency,
      orderedAt: order.orderedAt,
      day: order.orderedAt.toISOString().slice(0, 10),
    },
  });
  await audit(prisma, { shop, actor: "system", action: "consent.shopify_unsubscribed", detail: { customerId, previousState: "SUBSCRIBED" } });
  await audit(prisma, { shop, actor: email, action: "email.unsubscribed", detail: { customerId } });
  // An unsubscribe still waiting to be written to Shopify.
  await prisma.consentWriteBack.create({
    data: { shop, customerId, marketingState: "UNSUBSCRIBED", requestedAt: new Date(), nextAttemptAt: new Date(Date.now() + 3_600_000) },
  });
  await deliver("customers/data_request", shop, customersDataRequestPayload({ store: s, customerId }));
  // What the analytics pass keeps of the address's domain, and of a consumer domain beside it.
  const domain = email.split("@")[1];
  for (const d of [domain, "gmail.com"]) {
    await prisma.dailyDomainStat.create({ data: { shop, day: "2026-11-30", domain: d, sent: 2, delivered: 2 } });
    const provider = d === "gmail.com" ? "gmail" : "other";
    await prisma.mailboxDomain.upsert({ where: { domain: d }, create: { domain: d, provider, checkedAt: new Date() }, update: {} });
  }
}

beforeAll(async () => {
  process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  await seedCustomer(store, customer.id, EMAIL);
  await seedCustomer(closing, leaver.id, LEAVER_EMAIL);
});

afterAll(async () => {
  delete process.env.SENDGRID_WEBHOOK_PUBLIC_KEY;
  await ctx.cleanup();
});

describe("SQLite", () => {
  it.skipIf(ctx.database.kind !== "sqlite")("zeroes what a delete frees, on the app's connections", async () => {
    const marker = `freed-${randomUUID()}@erasure.example`;
    const row = await prisma.suppression.create({ data: { shop: "marker.myshopify.com", email: marker, reason: "manual" } });
    expect(await found([marker])).toEqual([marker]);
    await prisma.suppression.delete({ where: { id: row.id } });
    expect(await found([marker])).toEqual([]);
  });
});

describe("customers/redact", () => {
  it("leaves neither the address, the names nor the customer id anywhere in the database's bytes", async () => {
    // Every table that can hold the customer does, and the scan sees them.
    const where: Record<(typeof CUSTOMER_TABLES)[number], object> = {
      order: { shop: SHOP, email: EMAIL },
      customerTimeZone: { order: { shop: SHOP, email: EMAIL } },
      followUp: { shop: SHOP, recipient: EMAIL },
      followUpEvent: { followUp: { shop: SHOP, recipient: EMAIL } },
      outboxMessage: { shop: SHOP, toAddress: { contains: EMAIL } },
      messageEvent: { email: EMAIL },
      suppression: { shop: SHOP },
      customerConsent: { shop: SHOP, email: EMAIL },
      attribution: { shop: SHOP },
      auditLog: { shop: SHOP, detail: { contains: customer.id } },
      complianceRequest: { shop: SHOP, customerId: customer.id },
      consentWriteBack: { shop: SHOP, customerId: customer.id },
      flowTriggerFire: { shop: SHOP, customerId: customer.id },
    };
    for (const t of CUSTOMER_TABLES) {
      const n = await (prisma[t] as unknown as { count(a: unknown): Promise<number> }).count({ where: where[t] });
      expect(n, t).toBeGreaterThan(0);
    }
    expect(await prisma.messageEvent.count({ where: { shop: null, email: EMAIL } })).toBeGreaterThan(0);
    expect(await found(NEEDLES)).toEqual(NEEDLES);

    await deliver("customers/redact", SHOP, customersRedactPayload({ store, customerId: customer.id }));

    expect(await found(NEEDLES)).toEqual([]);
    expect(await prisma.flowTriggerFire.count({ where: { shop: SHOP } })).toBe(0);
    // The customer's own domain is gone from the per-domain counts and the MX answers; gmail.com
    // names nobody and stays, as does the other shop's customer's domain.
    expect(await prisma.dailyDomainStat.findMany({ where: { shop: SHOP }, select: { domain: true } })).toEqual([{ domain: "gmail.com" }]);
    expect(await prisma.mailboxDomain.count({ where: { domain: "erasure.example" } })).toBe(0);
    expect(await prisma.dailyDomainStat.count({ where: { shop: OTHER, domain: "closing.example" } })).toBe(1);
    // The zone estimated from the address goes with the order.
    expect(await prisma.customerTimeZone.count({ where: { order: { shop: SHOP, email: EMAIL } } })).toBe(0);
    expect(await prisma.customerTimeZone.count({ where: { shop: SHOP } })).toBe(0);
    // The other shop's customer is untouched.
    expect(await found([LEAVER_EMAIL, "Marchbanks"])).toEqual([LEAVER_EMAIL, "Marchbanks"]);
    // The unsubscribe and the earlier hashed row still hold, both under the keyed hash now.
    expect(await isSuppressed(prisma, { shop: SHOP, email: EMAIL, marketing: true })).toMatchObject({ reason: "unsubscribed" });
    const kept = await prisma.suppression.findMany({ where: { shop: SHOP } });
    expect(kept.map((k) => k.email.replace(/:[0-9a-f]{64}$/, "")).sort()).toEqual(["hmac:app", "hmac:app"]);
  });

  it("a SendGrid event that arrives later for the address does not bring it back", async () => {
    const gone = sampleEvents({ followUpId: "fu-erased", shop: SHOP, messageId: "erasedMessage000000001", email: EMAIL });
    const { followUpId: _f, shop: _s, flow: _fl, step: _st, ...bare } = gone.open;
    const summary = await sendEvents([gone.delivered, gone.bounce, gone.spamreport, bare]);
    expect(summary).toMatchObject({ stored: 4, matched: 0 });
    expect(await prisma.messageEvent.count({ where: { sgEventId: { in: [gone.delivered, gone.bounce, gone.spamreport, bare].map((e) => String(e.sg_event_id)) } } })).toBe(4);
    expect(await found(NEEDLES)).toEqual([]);
    // Every email to the address stays stopped, by rows that hold only the keyed hash.
    expect(await isSuppressed(prisma, { shop: SHOP, email: EMAIL, marketing: false })).toMatchObject({ email: expect.stringMatching(/^hmac:app:/) });
    expect(await prisma.suppression.count({ where: { shop: SHOP, NOT: { email: { startsWith: "hmac:app:" } } } })).toBe(0);
  });

  it("a customer who orders again after the erasure is known again, and their events keep the address", async () => {
    const product = store.products.find((p) => p.status === "ACTIVE")!;
    await deliver("orders/create", SHOP, orderCreatedPayload({ store, email: EMAIL, lines: [{ productId: product.id, quantity: 1 }] }));
    const later = sampleEvents({ followUpId: "fu-none", shop: SHOP, messageId: "unknownMessage00000001", email: EMAIL }).bounce;
    await sendEvents([later]);
    expect(await prisma.messageEvent.findFirstOrThrow({ where: { sgEventId: String(later.sg_event_id) } })).toMatchObject({ shop: SHOP, email: EMAIL });
  });
});

describe("shop/redact", () => {
  it("leaves none of the shop's customers' addresses in rows without a shop, before or after", async () => {
    expect(await prisma.messageEvent.count({ where: { shop: null, email: LEAVER_EMAIL } })).toBeGreaterThan(0);
    await deliver("shop/redact", OTHER, shopRedactPayload(closing));
    expect(await prisma.messageEvent.count({ where: { email: LEAVER_EMAIL } })).toBe(0);
    const late = sampleEvents({ followUpId: "fu-closed", shop: OTHER, messageId: "closedMessage000000001", email: LEAVER_EMAIL });
    await sendEvents([late.delivered, late.bounce]);
    expect(await found([LEAVER_EMAIL, "Oswin", "Marchbanks", String(legacyId(leaver.id))])).toEqual([]);
  });
});
