// The three mandatory compliance webhooks through their routes, with Shopify-signed requests:
// what each reads or removes, table by table, for the shop asked about and for a shop that
// must stay untouched; redelivery, bad signatures, a forged shop header; 10k-row timings.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The SendGrid stand-in holds the shops' authenticated domains, which shop/redact deletes there.
const { ctx, sendgrid } = await vi.hoisted(async () => {
  const { startSendGridStandIn } = await import("../../simulator/sendgrid");
  const sendgrid = await startSendGridStandIn({ apiKeys: ["SG.compliance-key"] });
  const ctx = (await import("../helpers/env")).appTestEnv({
    name: "compliance",
    apiKey: "compliance-test-key",
    secret: "compliance-test-secret",
    env: { LOG_LEVEL: "error", SENDGRID_API_KEY: "SG.compliance-key", SENDGRID_API_URL: sendgrid.url, MAIL_TRANSPORT: "outbox" },
  });
  return { ctx, sendgrid };
});

import { sessionToken as embeddedSessionToken } from "../helpers/embedded";
import prisma from "~/db.server";
import { action as dataRequestAction } from "~/routes/webhooks.customers.data_request";
import { action as customersRedactAction } from "~/routes/webhooks.customers.redact";
import { action as shopRedactAction } from "~/routes/webhooks.shop.redact";
import { loader as downloadLoader } from "~/routes/app.data-requests.$id.$format";
import { dataRequestDownload, listDataRequests } from "~/services/compliance/reports.server";
import { hashedSuppressionEmail, suppressionLookupEmails } from "~/services/compliance/hashed-emails.server";
import type { CustomerDataReport } from "~/services/compliance/data-request.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { createOutboxTransport } from "~/adapters/mail/outbox.server";
import { listAudit } from "~/services/compliance/audit.server";
import { reclaimDone } from "~/services/compliance/reclaim.server";
import { authenticateDomain, brandLinks, domainClientForShop, removeShopDomainFromSendGrid } from "~/services/shop/domain-authentication.server";
import { createLogger } from "~/platform/logger.server";
import { createSeedStore, legacyId, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { customersDataRequestPayload, customersRedactPayload, orderCreatedPayload, shopRedactPayload } from "../../simulator/orders";
import { webhookRequest } from "../../simulator/webhooks";
import { turnOnFlow } from "../helpers/flows";

const SHOP_A = SIMULATOR_SHOP;
const SHOP_B = "other-boutique.myshopify.com";
const ADA = "gid://shopify/Customer/8201000000001";
const BEN = "gid://shopify/Customer/8201000000002";
const ADA_EMAIL = "ada.kowalska@example.com";

const storeA = createSeedStore();
const storeB = createSeedStore({ shop: SHOP_B, name: "Other Boutique" });

afterAll(async () => {
  await sendgrid.close();
  await ctx.cleanup();
});

type Action = typeof dataRequestAction;
const routes: Record<string, Action> = {
  "customers/data_request": dataRequestAction,
  "customers/redact": customersRedactAction,
  "shop/redact": shopRedactAction,
};

async function deliver(topic: string, shop: string, payload: unknown, opts: { webhookId?: string; secret?: string } = {}) {
  const { headers, body } = webhookRequest({ topic, shop, payload, secret: opts.secret ?? ctx.secret, webhookId: opts.webhookId });
  const request = new Request(`https://afterglow.test/webhooks/${topic}`, { method: "POST", headers, body });
  return routes[topic]({ request, params: {}, context: {} });
}

// ---------------------------------------------------------------------------------------------
// What each table holds for a shop, and the shop's rows in full (to prove nothing changed).

const TABLES = [
  "session",
  "shop",
  "webhookDelivery",
  "order",
  "flow",
  "flowStep",
  "followUp",
  "followUpEvent",
  "outboxMessage",
  "complianceRequest",
  "suppression",
  "messageEvent",
  "auditLog",
  "customerConsent",
  "consentWriteBack",
] as const;
type Table = (typeof TABLES)[number];

function whereShop(table: Table, shop: string): Record<string, unknown> {
  if (table === "shop") return { domain: shop };
  if (table === "flowStep") return { flow: { shop } };
  if (table === "followUpEvent") return { followUp: { shop } };
  return { shop };
}

type Delegate = { count(a: unknown): Promise<number>; findMany(a: unknown): Promise<unknown[]> };
const model = (t: Table) => prisma[t] as unknown as Delegate;

async function counts(shop: string): Promise<Record<Table, number>> {
  const out = {} as Record<Table, number>;
  for (const t of TABLES) out[t] = await model(t).count({ where: whereShop(t, shop) });
  return out;
}

async function rows(shop: string): Promise<Record<Table, unknown[]>> {
  const out = {} as Record<Table, unknown[]>;
  for (const t of TABLES) out[t] = await model(t).findMany({ where: whereShop(t, shop), orderBy: t === "shop" ? { domain: "asc" } : { id: "asc" } });
  return out;
}

async function everything(): Promise<Record<Table, number>> {
  const out = {} as Record<Table, number>;
  for (const t of TABLES) out[t] = await model(t).count({});
  return out;
}

const diff = (before: Record<Table, number>, after: Record<Table, number>) =>
  Object.fromEntries(TABLES.filter((t) => after[t] !== before[t]).map((t) => [t, after[t] - before[t]]));

// ---------------------------------------------------------------------------------------------
// A shop as it looks after a few weeks: orders through the real intake, sent follow-ups with
// their timeline, kept emails, SendGrid events, suppressions, consent, sessions, audit rows.

async function seedShop(store: SeedStore) {
  const shop = store.shop.myshopifyDomain;
  await connectShop({ prisma, shop, profile: { name: store.shop.name, ianaTimezone: store.shop.ianaTimezone } });
  await turnOnFlow({ prisma, shop });
  await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}`, scope: "read_orders,read_products" });
  await prisma.session.create({
    data: { id: `${shop}_online_1`, shop, state: "", isOnline: true, accessToken: "online", userId: 77n, firstName: "Olga", email: `olga@${shop}` },
  });
  const product = store.products.find((p) => p.status === "ACTIVE")!;
  const payloads = store.orders.map((o) =>
    orderCreatedPayload({
      store,
      customerId: o.customerId,
      lines: [{ productId: product.id, quantity: 1 }],
      orderId: legacyId(o.id),
      orderNumber: o.orderNumber,
      createdAt: "2026-10-01T09:00:00Z",
      record: false,
    }),
  );
  // A guest checkout with Ada's address: hers too, found by email.
  payloads.push(orderCreatedPayload({ store, email: ADA_EMAIL, countryCode: "PL", lines: [{ productId: product.id, quantity: 2 }], createdAt: "2026-10-05T09:00:00Z", orderNumber: 1006, record: false }));
  for (const payload of payloads) {
    const outcome = await receiveOrderCreated({ prisma, delivery: { shop, topic: "ORDERS_CREATE", webhookId: randomUUID() }, payload, now: new Date("2026-10-05T10:00:00Z") });
    expect(outcome.kind).toBe("scheduled");
  }
  const outbox = createOutboxTransport(prisma);
  const followUps = await prisma.followUp.findMany({ where: { shop }, include: { order: true } });
  for (const [i, f] of followUps.entries()) {
    const sent = await outbox.send({
      shop,
      followUpId: f.id,
      to: { email: f.recipient, name: f.order.firstName ?? undefined },
      from: { email: `hello@${shop}`, name: store.shop.name },
      subject: `Thank you for your order ${f.order.name}`,
      html: `<p>Hi ${f.order.firstName ?? "there"}, thanks for order ${f.order.name}.</p>`,
      text: `Hi ${f.order.firstName ?? "there"}, thanks for order ${f.order.name}.`,
      customArgs: {},
    });
    const sgId = `sg${i}-${randomUUID().slice(0, 8)}`;
    await prisma.followUp.update({ where: { id: f.id }, data: { status: "sent", sentAt: new Date("2026-10-05T11:00:00Z"), transport: "sendgrid", messageId: sgId, attempts: 2 } });
    await prisma.followUpEvent.create({ data: { followUpId: f.id, type: "retry", detail: `SendGrid answered 429 for ${f.recipient}. Next attempt soon.`, at: new Date("2026-10-05T10:59:00Z") } });
    await prisma.messageEvent.createMany({
      data: ["delivered", "open"].map((event, k) => ({
        dedupeKey: `${sgId}.filter0001-${event}-${k}`,
        sgEventId: randomUUID(),
        shop,
        followUpId: f.id,
        messageId: `${sgId}.filter0001.1234.5678`,
        event,
        email: f.recipient,
        detail: JSON.stringify({ useragent: "Mozilla/5.0", ip: "203.0.113.7" }),
        occurredAt: new Date("2026-10-05T11:05:00Z"),
      })),
    });
    // An event the ingestion could only tie to the message, not the shop.
    if (f.order.name === "#1001") {
      await prisma.messageEvent.create({
        data: { dedupeKey: `${sgId}-processed`, shop: null, messageId: `${sgId}.filter0002.1.2`, event: "processed", email: f.recipient, occurredAt: new Date("2026-10-05T11:00:01Z") },
      });
    }
    expect(sent.transport).toBe("outbox");
  }
  // A bounce from before Afterglow tracked follow-ups: only the email ties it to Ada.
  await prisma.messageEvent.create({
    data: { dedupeKey: `${shop}-old-bounce`, shop, event: "bounce", email: ADA_EMAIL, reason: "550 mailbox full", occurredAt: new Date("2026-09-01T00:00:00Z") },
  });
  await prisma.suppression.createMany({
    data: [
      { shop, email: ADA_EMAIL, scope: "marketing", reason: "unsubscribed", source: "unsubscribe-link", detail: `${ADA_EMAIL} clicked unsubscribe` },
      { shop, email: "clara.weber@example.com", scope: "all", reason: "hard_bounce", source: "sg-event-1" },
    ],
  });
  for (const c of store.customers.filter((c) => c.email)) {
    await prisma.customerConsent.create({
      data: { shop, customerId: c.id, email: c.email, marketingState: c.defaultEmailAddress?.marketingState ?? "NOT_SUBSCRIBED", consentUpdatedAt: new Date("2026-09-15T00:00:00Z") },
    });
  }
  // Unsubscribes still waiting to be written to Shopify.
  const waitingSince = new Date("2026-09-15T00:00:00Z");
  for (const customerId of [ADA, BEN]) {
    await prisma.consentWriteBack.create({
      data: { shop, customerId, marketingState: "UNSUBSCRIBED", requestedAt: waitingSince, nextAttemptAt: waitingSince, attempts: 2, lastError: "HTTP 503" },
    });
  }
  await prisma.auditLog.create({ data: { shop, actor: `olga@${shop}`, action: "settings.updated", detail: JSON.stringify({ senderName: "Shop" }) } });
}

beforeAll(async () => {
  await seedShop(storeA);
  await seedShop(storeB);
});

// ---------------------------------------------------------------------------------------------

describe("customers/data_request", () => {
  let reportId: string;

  it("answers 200 with a report of everything held on the customer, and changes nothing else", async () => {
    const before = await counts(SHOP_A);
    const otherBefore = await rows(SHOP_B);
    const webhookId = randomUUID();
    const res = await deliver("customers/data_request", SHOP_A, customersDataRequestPayload({ store: storeA, customerId: ADA }), { webhookId });
    expect(res.status).toBe(200);
    expect(diff(before, await counts(SHOP_A))).toEqual({ webhookDelivery: 1, complianceRequest: 1, auditLog: 1 });
    expect(await rows(SHOP_B)).toEqual(otherBefore);

    const request = await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId } });
    expect(request).toMatchObject({ status: "completed", customerId: ADA, shop: SHOP_A });
    expect(request.completedAt).toBeInstanceOf(Date);
    reportId = request.id;
    const report = JSON.parse(request.report!) as CustomerDataReport;
    expect(report.summary).toEqual({
      orders: 3, // two as a customer, one guest checkout with the same address
      followUps: 3,
      emails: 3,
      deliveryEvents: 9, // delivered + open per email, both shops' shopless "processed" (the same address), one old bounce
      suppressions: 1,
      consent: 1,
      webhookDeliveries: 3,
    });
    expect(report.orders.map((o) => o.name).sort()).toEqual(["#1001", "#1004", "#1006"]);
    expect(report.followUps.every((f) => f.recipient === ADA_EMAIL && f.status === "sent")).toBe(true);
    expect(report.followUps[0].timeline).toEqual([{ type: "retry", detail: `SendGrid answered 429 for ${ADA_EMAIL}. Next attempt soon.`, at: "2026-10-05T10:59:00.000Z" }]);
    expect(report.emails).toContainEqual(expect.objectContaining({ to: `Ada <${ADA_EMAIL}>`, subject: "Thank you for your order #1001" }));
    expect(report.consent).toEqual([expect.objectContaining({ customerId: ADA, marketingState: "SUBSCRIBED" })]);
    expect(report.suppressions).toEqual([expect.objectContaining({ email: ADA_EMAIL, reason: "unsubscribed" })]);
    // Nobody else's data.
    expect(request.report).not.toContain("ben.carter");
    expect(request.report).not.toContain("clara.weber");

    const [entry] = await listAudit(prisma, SHOP_A, { action: "customer.data_requested" });
    expect(entry).toMatchObject({ actor: "shopify", detail: { requestId: request.id, customerId: ADA } });
    expect(JSON.stringify(entry.detail)).not.toContain(ADA_EMAIL);
  });

  it("changes nothing when Shopify delivers the same request again", async () => {
    const request = await prisma.complianceRequest.findUniqueOrThrow({ where: { id: reportId } });
    const before = await everything();
    const res = await deliver("customers/data_request", SHOP_A, customersDataRequestPayload({ store: storeA, customerId: ADA }), { webhookId: request.webhookId });
    expect(res.status).toBe(200);
    expect(await everything()).toEqual(before);
    expect((await prisma.complianceRequest.findUniqueOrThrow({ where: { id: reportId } })).report).toBe(request.report);
  });

  it("offers the report as JSON and CSV to its own shop only", async () => {
    const json = await dataRequestDownload(prisma, SHOP_A, reportId, "json");
    expect(json).toMatchObject({ contentType: "application/json; charset=utf-8", filename: expect.stringMatching(/^afterglow-data-request-8201000000001-\d{4}-\d\d-\d\d\.json$/) });
    expect(JSON.parse(json!.body).summary.orders).toBe(3);
    const csv = await dataRequestDownload(prisma, SHOP_A, reportId, "csv");
    const lines = csv!.body.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(lines[0]).toBe("section,record,field,value");
    expect(lines).toContain(`request,,email,${ADA_EMAIL}`);
    expect(lines.filter((l) => l.startsWith("orders,") && l.includes(",name,"))).toHaveLength(3);
    expect(lines.some((l) => /^followUps,[^,]+,timeline\.0\.type,retry$/.test(l))).toBe(true);
    expect(await dataRequestDownload(prisma, SHOP_B, reportId, "json")).toBeNull();

    const [listed] = await listDataRequests(prisma, SHOP_A);
    expect(listed).toMatchObject({ id: reportId, kind: "data_request", status: "completed", downloadable: true, summary: { orders: 3 } });
  });

  it("serves the download to the embedded admin with a session token, and to no other shop", async () => {
    const get = (shop: string, format: string) =>
      downloadLoader({
        request: new Request(`https://afterglow.test/app/data-requests/${reportId}/${format}`, { headers: { Authorization: `Bearer ${sessionToken(shop)}` } }),
        params: { id: reportId, format },
        context: {},
      }) as Promise<Response>;
    const csv = await get(SHOP_A, "csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toMatch(/^attachment; filename="afterglow-data-request-8201000000001-.*\.csv"$/);
    expect(csv.headers.get("Cache-Control")).toBe("no-store");
    expect(await csv.text()).toContain(ADA_EMAIL);
    expect((await get(SHOP_B, "json")).status).toBe(404);
    expect((await get(SHOP_A, "xml")).status).toBe(404);
  });
});

describe("customers/redact", () => {
  it("erases the customer's orders, follow-ups, emails, events and consent, keeps a hashed suppression, and nobody else's data", async () => {
    const before = await counts(SHOP_A);
    const otherBefore = await rows(SHOP_B);
    const benBefore = await prisma.order.findMany({ where: { shop: SHOP_A, customerId: BEN }, include: { followUps: { include: { events: true } } } });
    const webhookId = randomUUID();
    const res = await deliver("customers/redact", SHOP_A, customersRedactPayload({ store: storeA, customerId: ADA }), { webhookId });
    expect(res.status).toBe(200);

    expect(diff(before, await counts(SHOP_A))).toEqual({
      webhookDelivery: 1, // this delivery; the orders' own deliveries stay (ids only) to catch late redeliveries
      order: -3,
      followUp: -3,
      followUpEvent: -3,
      outboxMessage: -3,
      messageEvent: -7, // the shopless "processed" event is counted under the whole table below
      complianceRequest: 1,
      auditLog: 1,
      customerConsent: -1,
      consentWriteBack: -1,
    });
    // Shop B's shop-less event carries the same address: whose it is cannot be told, so it goes too.
    expect(await prisma.messageEvent.count({ where: { shop: null } })).toBe(0);
    expect(await rows(SHOP_B)).toEqual(otherBefore);
    expect(await prisma.order.findMany({ where: { shop: SHOP_A, customerId: BEN }, include: { followUps: { include: { events: true } } } })).toEqual(benBefore);

    // Not one of shop A's rows still holds the address.
    const remaining = JSON.stringify(await rows(SHOP_A), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(remaining).not.toContain(ADA_EMAIL);
    expect(remaining).not.toContain("Kowalska");

    // The unsubscribe still holds: the row is kept under a one-way hash of the address.
    const suppression = await prisma.suppression.findFirstOrThrow({ where: { shop: SHOP_A, email: { in: suppressionLookupEmails("Ada.Kowalska@Example.com") } } });
    expect(suppression).toMatchObject({ email: hashedSuppressionEmail(ADA_EMAIL), scope: "marketing", reason: "unsubscribed", detail: null });

    // The earlier data request's report was a copy of the same data.
    const dataRequest = await prisma.complianceRequest.findFirstOrThrow({ where: { shop: SHOP_A, topic: "CUSTOMERS_DATA_REQUEST" } });
    expect(dataRequest).toMatchObject({ status: "erased", report: null });

    const request = await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId } });
    // Done, the request no longer names whom it erased, nor does its audit entry.
    expect(request).toMatchObject({ status: "completed", customerId: null, orderIds: null });
    const [entry] = await listAudit(prisma, SHOP_A, { action: "customer.redacted" });
    expect(entry).toMatchObject({ actor: "shopify", detail: { requestId: request.id, removed: { orders: 3, suppressionsHashed: 1 } } });
    expect(entry.detail).not.toHaveProperty("customerId");
    expect(await prisma.complianceRequest.count({ where: { customerId: ADA } })).toBe(0);
    expect(JSON.stringify(await prisma.auditLog.findMany({ where: { shop: SHOP_A } }))).not.toContain(ADA);
  });

  it("changes nothing when delivered again, and a repeat request under a new id finds nothing left", async () => {
    const request = await prisma.complianceRequest.findFirstOrThrow({ where: { shop: SHOP_A, topic: "CUSTOMERS_REDACT" } });
    const before = await everything();
    expect((await deliver("customers/redact", SHOP_A, customersRedactPayload({ store: storeA, customerId: ADA }), { webhookId: request.webhookId })).status).toBe(200);
    expect(await everything()).toEqual(before);

    const again = await deliver("customers/redact", SHOP_A, customersRedactPayload({ store: storeA, customerId: ADA }));
    expect(again.status).toBe(200);
    expect(diff(before, await everything())).toEqual({ webhookDelivery: 1, complianceRequest: 1, auditLog: 1 });
    const [entry] = await listAudit(prisma, SHOP_A, { action: "customer.redacted" });
    expect(entry.detail).toMatchObject({ removed: { orders: 0, followUps: 0, suppressionsHashed: 0 } });
  });

  it("a data request after the erasure finds only the hashed suppression", async () => {
    const webhookId = randomUUID();
    expect((await deliver("customers/data_request", SHOP_A, customersDataRequestPayload({ store: storeA, customerId: ADA }), { webhookId })).status).toBe(200);
    const report = JSON.parse((await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId } })).report!) as CustomerDataReport;
    expect(report.summary).toEqual({ orders: 0, followUps: 0, emails: 0, deliveryEvents: 0, suppressions: 1, consent: 0, webhookDeliveries: 0 });
    expect(report.suppressions[0].email).toMatch(/one-way hash/);
  });
});

describe("refused deliveries", () => {
  it("answers 401 to a bad signature and stores nothing", async () => {
    const before = await everything();
    for (const [topic, payload] of [
      ["customers/data_request", customersDataRequestPayload({ store: storeA, customerId: BEN })],
      ["customers/redact", customersRedactPayload({ store: storeA, customerId: BEN })],
      ["shop/redact", shopRedactPayload(storeA)],
    ] as const) {
      const res = await deliver(topic, SHOP_A, payload, { secret: "not-the-app-secret" });
      expect(res.status).toBe(401);
    }
    expect(await everything()).toEqual(before);
  });

  it("refuses with 400 and stores nothing when the signed body names another shop than the header", async () => {
    // The HMAC covers the body only; a replayed shop/redact for B must not erase A.
    const before = await everything();
    const res = await deliver("shop/redact", SHOP_A, shopRedactPayload(storeB));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(SHOP_B);
    for (const topic of ["customers/data_request", "customers/redact"]) {
      const other = topic === "customers/redact" ? customersRedactPayload({ store: storeB, customerId: BEN }) : customersDataRequestPayload({ store: storeB, customerId: BEN });
      expect((await deliver(topic, SHOP_A, other)).status).toBe(400);
    }
    expect(await everything()).toEqual(before);
  });

  it("refuses a null, [] or order body with 400, and acknowledges a shop it holds nothing for, storing nothing", async () => {
    const before = await everything();
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      expect((await deliver(topic, SHOP_A, null)).status).toBe(400);
      expect((await deliver(topic, SHOP_A, [])).status).toBe(400);
      expect((await deliver(topic, SHOP_A, { shop_domain: SHOP_A, line_items: [], id: 1 })).status).toBe(400);
      const unknown = "never-installed.myshopify.com";
      const body = topic === "shop/redact" ? { shop_id: 9, shop_domain: unknown } : { shop_id: 9, shop_domain: unknown, customer: { id: 5, email: "x@example.com" }, orders_to_redact: [1] };
      expect((await deliver(topic, unknown, body)).status).toBe(200);
    }
    expect(await everything()).toEqual(before);
    expect(await prisma.complianceRequest.count({ where: { shop: "never-installed.myshopify.com" } })).toBe(0);
  });

  it("deletes every row of the shop, keeps the request and one audit row as proof, and leaves other shops alone", async () => {
    const before = await counts(SHOP_A);
    expect(Object.values(before).every((n) => n > 0)).toBe(true);
    const otherBefore = await rows(SHOP_B);
    const webhookId = randomUUID();
    const res = await deliver("shop/redact", SHOP_A, shopRedactPayload(storeA), { webhookId });
    expect(res.status).toBe(200);

    const after = await counts(SHOP_A);
    expect(after).toEqual({ ...Object.fromEntries(TABLES.map((t) => [t, 0])), complianceRequest: 1, auditLog: 1 });
    expect(await rows(SHOP_B)).toEqual(otherBefore);
    const request = await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId } });
    expect(request).toMatchObject({ status: "completed", customerId: null });
    const [entry] = await listAudit(prisma, SHOP_A);
    expect(entry).toMatchObject({ actor: "shopify", action: "shop.redacted", detail: { requestId: request.id, removed: { shop: 1, sessions: 2 } } });
    expect(JSON.stringify(entry.detail)).not.toMatch(/@/);
  });

  it("changes nothing when delivered again", async () => {
    const request = await prisma.complianceRequest.findFirstOrThrow({ where: { shop: SHOP_A, topic: "SHOP_REDACT", status: "completed" } });
    const before = await everything();
    expect((await deliver("shop/redact", SHOP_A, shopRedactPayload(storeA), { webhookId: request.webhookId })).status).toBe(200);
    expect(await everything()).toEqual(before);
  });
});

describe("shop/redact and the shop's domain in SendGrid", () => {
  // A shop that authenticated its domain and branded its links in SendGrid before it left.
  async function shopWithDomain(shop: string, domain: string) {
    await connectShop({ prisma, shop, profile: { name: "Leaving Boutique" } });
    const client = (await domainClientForShop({ prisma, shop }))!;
    await authenticateDomain({ prisma, shop, client, actor: "owner", domain });
    await brandLinks({ prisma, shop, client, actor: "owner" });
    return prisma.senderDomain.findUniqueOrThrow({ where: { shop } });
  }

  it("deletes the authenticated domain and its link branding at SendGrid with the shop's rows", async () => {
    const shop = "leaving-boutique.myshopify.com";
    const row = await shopWithDomain(shop, "leaving.example");
    expect(sendgrid.authenticatedDomains.has(row.sendgridDomainId)).toBe(true);
    const from = sendgrid.whitelabelCalls.length;
    expect((await deliver("shop/redact", shop, { shop_id: 41, shop_domain: shop })).status).toBe(200);
    expect(sendgrid.whitelabelCalls.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual([
      `DELETE /v3/whitelabel/domains/${row.sendgridDomainId} 204`,
      `DELETE /v3/whitelabel/links/${row.linkBrandingId} 204`,
    ]);
    expect(sendgrid.authenticatedDomains.has(row.sendgridDomainId)).toBe(false);
    expect(sendgrid.linkBrandings.has(row.linkBrandingId!)).toBe(false);
    expect(await prisma.senderDomain.count({ where: { shop } })).toBe(0);
    expect(await prisma.shop.count({ where: { domain: shop } })).toBe(0);
  });

  it("SendGrid out of reach does not stop the erasure; the domain left behind is logged", async () => {
    const shop = "unreachable-boutique.myshopify.com";
    const row = await shopWithDomain(shop, "unreachable.example");
    const lines: string[] = [];
    sendgrid.setDown(true);
    try {
      expect(await removeShopDomainFromSendGrid({ prisma, shop, logger: createLogger({}, { level: "warn", write: (line) => lines.push(line) }) })).toBe("failed");
      expect(lines.join("\n")).toContain(String(row.sendgridDomainId));
      expect((await deliver("shop/redact", shop, { shop_id: 42, shop_domain: shop })).status).toBe(200);
    } finally {
      sendgrid.setDown(false);
    }
    expect(await prisma.senderDomain.count({ where: { shop } })).toBe(0);
    expect(await prisma.shop.count({ where: { domain: shop } })).toBe(0);
    expect(await prisma.complianceRequest.findFirstOrThrow({ where: { shop, topic: "SHOP_REDACT" } })).toMatchObject({ status: "completed" });
    // Still in SendGrid, for the operator to delete by the id the log names.
    expect(sendgrid.authenticatedDomains.has(row.sendgridDomainId)).toBe(true);
  });

  it("a shop without a domain in SendGrid asks SendGrid nothing", async () => {
    const shop = "plain-boutique.myshopify.com";
    await connectShop({ prisma, shop, profile: { name: "Plain Boutique" } });
    const from = sendgrid.whitelabelCalls.length;
    expect((await deliver("shop/redact", shop, { shop_id: 43, shop_domain: shop })).status).toBe(200);
    expect(sendgrid.whitelabelCalls.length).toBe(from);
  });
});

describe("a delivery that failed halfway", () => {
  it("is finished by Shopify's next attempt instead of being taken for a duplicate", async () => {
    // As left by a crash after the request was recorded and before the erasure committed.
    const webhookId = randomUUID();
    await prisma.webhookDelivery.create({ data: { webhookId, shop: SHOP_B, topic: "CUSTOMERS_REDACT", outcome: "compliance" } });
    await prisma.complianceRequest.create({ data: { webhookId, shop: SHOP_B, topic: "CUSTOMERS_REDACT", customerId: BEN } });
    const before = await counts(SHOP_B);
    const res = await deliver("customers/redact", SHOP_B, customersRedactPayload({ store: storeB, customerId: BEN }), { webhookId });
    expect(res.status).toBe(200);
    expect(diff(before, await counts(SHOP_B))).toMatchObject({ order: -1, followUp: -1, customerConsent: -1, auditLog: 1 });
    expect(await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId } })).toMatchObject({ status: "completed" });
  });
});

// ---------------------------------------------------------------------------------------------
// Shopify waits 5 s for an answer; the work is done inline, so it must be quick on a busy shop.

describe("timing with 10,000 rows per table", () => {
  const SHOP_C = "busy-shop.myshopify.com";
  const N = 10_000;
  const CUSTOMER_ORDERS = 20;
  const times: Record<string, number> = {};

  beforeAll(async () => {
    await connectShop({ prisma, shop: SHOP_C });
    await storeOfflineToken({ prisma, shop: SHOP_C, accessToken: "shpat_busy" });
    const at = new Date("2026-10-01T00:00:00Z");
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP_C }, include: { steps: true } });
    for (let start = 0; start < N; start += 1000) {
      const ids = Array.from({ length: 1000 }, (_, k) => start + k);
      const email = (i: number) => (i < CUSTOMER_ORDERS ? ADA_EMAIL : `buyer${i}@example.com`);
      await prisma.order.createMany({
        data: ids.map((i) => ({
          id: `o${i}`,
          shop: SHOP_C,
          orderId: `gid://shopify/Order/${7_000_000 + i}`,
          name: `#${10_000 + i}`,
          customerId: i < CUSTOMER_ORDERS ? ADA : `gid://shopify/Customer/${9_000_000 + i}`,
          email: email(i),
          firstName: "Buyer",
          currency: "USD",
          totalPrice: "42.00",
          productIds: "[]",
          orderedAt: at,
        })),
      });
      await prisma.followUp.createMany({
        data: ids.map((i) => ({
          id: `f${i}`,
          shop: SHOP_C,
          orderRef: `o${i}`,
          orderId: `gid://shopify/Order/${7_000_000 + i}`,
          flowId: flow.id,
          stepId: flow.steps[0].id,
          stepKey: flow.steps[0].key,
          template: "thank-you",
          recipient: email(i),
          status: "sent",
          dueAt: at,
          nextAttemptAt: at,
          messageId: `sg-${i}`,
        })),
      });
      await prisma.followUpEvent.createMany({ data: ids.map((i) => ({ followUpId: `f${i}`, type: "retry", detail: "SendGrid 429", at })) });
      await prisma.outboxMessage.createMany({
        data: ids.map((i) => ({
          messageId: `outbox_${i}`,
          shop: SHOP_C,
          followUpId: `f${i}`,
          toAddress: `Buyer <${email(i)}>`,
          fromAddress: "shop@example.com",
          subject: "Thank you",
          headers: "{}",
          html: `<p>${"Thank you for your order. ".repeat(40)}</p>`,
          text: "Thank you for your order.",
        })),
      });
      await prisma.messageEvent.createMany({
        data: ids.map((i) => ({ dedupeKey: `c-${i}`, shop: SHOP_C, followUpId: `f${i}`, messageId: `sg-${i}.filter`, event: "delivered", email: email(i), occurredAt: at, detail: "{}" })),
      });
      await prisma.suppression.createMany({ data: ids.map((i) => ({ shop: SHOP_C, email: email(i) === ADA_EMAIL ? `x${i}@example.com` : email(i), reason: "hard_bounce" })) });
      await prisma.customerConsent.createMany({ data: ids.map((i) => ({ shop: SHOP_C, customerId: `gid://shopify/Customer/${9_000_000 + i}`, email: email(i), marketingState: "SUBSCRIBED" })) });
      await prisma.webhookDelivery.createMany({ data: ids.map((i) => ({ webhookId: `c-wh-${i}`, shop: SHOP_C, topic: "ORDERS_CREATE", orderId: `gid://shopify/Order/${7_000_000 + i}`, outcome: "scheduled 1" })) });
      await prisma.auditLog.createMany({ data: ids.map((i) => ({ shop: SHOP_C, actor: "system", action: "test.seeded", detail: JSON.stringify({ i }) })) });
    }
  }, 120_000);

  afterAll(() => {
    console.log(`compliance webhooks on ${N} rows per table (ms): ${JSON.stringify(times)}`);
  });

  const payload = (extra: Record<string, unknown>) => ({
    shop_id: 1,
    shop_domain: SHOP_C,
    customer: { id: 8201000000001, email: ADA_EMAIL, phone: null },
    ...extra,
  });
  const orders = Array.from({ length: CUSTOMER_ORDERS }, (_, i) => 7_000_000 + i);
  // Shopify's own limit for an answer; how fast it is, on a loaded 2-core machine, is printed above
  // and is a benchmark's business, not a test's.
  const SHOPIFY_ANSWER_LIMIT_MS = 5000;

  it("answers customers/data_request inside Shopify's 5 s", async () => {
    const t0 = performance.now();
    const res = await deliver("customers/data_request", SHOP_C, payload({ orders_requested: orders, data_request: { id: 1 } }));
    times.dataRequest = Math.round(performance.now() - t0);
    expect(res.status).toBe(200);
    const [listed] = await listDataRequests(prisma, SHOP_C);
    expect(listed.summary).toMatchObject({ orders: CUSTOMER_ORDERS, followUps: CUSTOMER_ORDERS, emails: CUSTOMER_ORDERS, deliveryEvents: CUSTOMER_ORDERS });
    expect(times.dataRequest).toBeLessThan(SHOPIFY_ANSWER_LIMIT_MS);
  });

  it("answers customers/redact inside Shopify's 5 s", async () => {
    await reclaimDone(); // the database file rewrite after earlier erasures
    const t0 = performance.now();
    const res = await deliver("customers/redact", SHOP_C, payload({ orders_to_redact: orders }));
    times.customersRedact = Math.round(performance.now() - t0);
    // The file is rewritten after the answer (VACUUM), not within Shopify's 5 s.
    await reclaimDone();
    times.fileRewrittenAfter = Math.round(performance.now() - t0);
    if (ctx.database.kind === "sqlite") {
      const v0 = performance.now();
      await prisma.$executeRawUnsafe("VACUUM");
      times.vacuumAlone = Math.round(performance.now() - v0);
      times.fileMiB = Math.round(fs.statSync(ctx.url.replace(/^file:/, "")).size / 1048576);
    }
    expect(res.status).toBe(200);
    expect(await prisma.order.count({ where: { shop: SHOP_C } })).toBe(N - CUSTOMER_ORDERS);
    expect(times.customersRedact).toBeLessThan(SHOPIFY_ANSWER_LIMIT_MS);
  });

  it("answers shop/redact inside Shopify's 5 s", async () => {
    await reclaimDone();
    const t0 = performance.now();
    const res = await deliver("shop/redact", SHOP_C, { shop_id: 1, shop_domain: SHOP_C });
    times.shopRedact = Math.round(performance.now() - t0);
    expect(res.status).toBe(200);
    const left = await counts(SHOP_C);
    expect(left).toMatchObject({ order: 0, followUp: 0, outboxMessage: 0, messageEvent: 0, auditLog: 1, complianceRequest: 1 });
    expect(times.shopRedact).toBeLessThan(SHOPIFY_ANSWER_LIMIT_MS);
  });
});

// An App Bridge session token, as the embedded admin sends it with fetch.
function sessionToken(shop: string): string {
  return embeddedSessionToken({ shop, apiKey: ctx.apiKey, secret: ctx.secret });
}
