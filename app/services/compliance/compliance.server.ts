// Shopify's mandatory compliance webhooks, answered in full:
// - customers/data_request: a report of everything held on the customer, for the merchant to
//   hand over (Shopify expects it within 30 days); shown on the Data requests page.
// - customers/redact: the customer's orders, follow-ups, rendered emails, delivery events and
//   consent are deleted; suppressions stay, keyed by a one-way hash so they still block sends.
// - shop/redact (48 hours after uninstall): every row of the shop is deleted; one audit row and
//   the request itself stay as proof of erasure, with the shop's domain and counts only.
// Each is recorded once per X-Shopify-Webhook-Id; a redelivery of a finished request changes
// nothing, and one that failed halfway runs again (every step can be repeated).
import { isUniqueViolation } from "../../platform/db-errors.server";
import { createHash } from "node:crypto";
import {
  Prisma,
  type CustomerConsent,
  type FollowUp,
  type FollowUpEvent,
  type MessageEvent,
  type Order,
  type OutboxMessage,
  type PrismaClient,
  type Suppression,
  type WebhookDelivery,
} from "@prisma/client";
import type { WebhookDeliveryInfo } from "../intake/intake.server";
import { audit } from "./audit.server";
import { shopSettingsChanged } from "../flows/flows.server";
import { logger } from "../../platform/logger.server";
import { csvLine, UTF8_BOM } from "~/domain/csv";

// authenticate.webhook names topics in enum form; the simulator and older rows use the REST form.
export const COMPLIANCE_TOPICS = {
  dataRequest: ["CUSTOMERS_DATA_REQUEST", "customers/data_request"],
  customerRedact: ["CUSTOMERS_REDACT", "customers/redact"],
  shopRedact: ["SHOP_REDACT", "shop/redact"],
} as const;

export const DATA_REQUEST_DEADLINE_DAYS = 30;

type Db = PrismaClient | Prisma.TransactionClient;
type Json = Record<string, unknown>;

export interface ComplianceSubject {
  shopDomain: string | null;
  customerId: string | null; // gid://shopify/Customer/…
  email: string | null; // lower-cased
  orderIds: string[]; // gid://shopify/Order/…
  dataRequestId: string | null;
}

export type ComplianceOutcome =
  | { kind: "completed"; requestId: string; counts: Record<string, number> }
  | { kind: "duplicate"; requestId: string | null }
  | { kind: "rejected"; requestId: string; reason: string };

interface Args {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  now?: Date;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function numericId(v: unknown): string | null {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v)) return v;
  return null;
}

export function parseCompliancePayload(payload: unknown): ComplianceSubject {
  const body = isObject(payload) ? payload : {};
  const customer = isObject(body.customer) ? body.customer : {};
  const customerNumber = numericId(customer.id);
  const email = typeof customer.email === "string" && customer.email.includes("@") ? customer.email.trim().toLowerCase() : null;
  const orders = [
    ...(Array.isArray(body.orders_requested) ? body.orders_requested : []),
    ...(Array.isArray(body.orders_to_redact) ? body.orders_to_redact : []),
  ]
    .map(numericId)
    .filter((id): id is string => id !== null);
  const dataRequest = isObject(body.data_request) ? numericId(body.data_request.id) : null;
  return {
    shopDomain: typeof body.shop_domain === "string" ? body.shop_domain.trim().toLowerCase() : null,
    customerId: customerNumber ? `gid://shopify/Customer/${customerNumber}` : null,
    email,
    orderIds: [...new Set(orders)].map((id) => `gid://shopify/Order/${id}`),
    dataRequestId: dataRequest,
  };
}

// The HMAC covers the body, not the X-Shopify-Shop-Domain header, so the shop named in the
// signed body must agree with the header before anything is read out or deleted.
function problemWith(subject: ComplianceSubject, shop: string, needsCustomer: boolean): string | null {
  if (!subject.shopDomain) return "The payload does not name the shop (shop_domain is missing).";
  if (subject.shopDomain !== shop.toLowerCase()) {
    return `The payload names ${subject.shopDomain} but the delivery came for ${shop}; nothing was done.`;
  }
  if (needsCustomer && !subject.customerId && !subject.email && subject.orderIds.length === 0) {
    return "The payload names no customer id, email or order, so there is nothing to look up.";
  }
  return null;
}

// One-way key kept in Suppression.email after a customer is redacted. The suppression lookup
// must match either form: see suppressionLookupEmails.
export function hashedSuppressionEmail(email: string): string {
  return `sha256:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`;
}

export function isHashedSuppressionEmail(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

// Every value Suppression.email can hold for this address: as written, and after redaction.
export function suppressionLookupEmails(email: string): string[] {
  const plain = email.trim().toLowerCase();
  return [plain, hashedSuppressionEmail(plain)];
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

function chunks<T>(xs: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

// "Ada <ada@example.com>" -> ada@example.com
function addressOf(formatted: string): string {
  const m = /<([^<>]+)>\s*$/.exec(formatted);
  return (m ? m[1] : formatted).trim().toLowerCase();
}

type Begun = { kind: "run"; id: string } | { kind: "duplicate"; requestId: string | null };

// Records the delivery and the request; tells whether this delivery still has work to do.
async function begin(prisma: PrismaClient, delivery: WebhookDeliveryInfo, subject: ComplianceSubject, now: Date): Promise<Begun> {
  const requestRow = {
    shop: delivery.shop,
    topic: delivery.topic,
    webhookId: delivery.webhookId,
    customerId: subject.customerId,
    orderIds: subject.orderIds.length ? JSON.stringify(subject.orderIds) : null,
    receivedAt: now,
  };
  try {
    const [, request] = await prisma.$transaction([
      prisma.webhookDelivery.create({
        data: {
          webhookId: delivery.webhookId,
          shop: delivery.shop,
          topic: delivery.topic,
          eventId: delivery.eventId ?? null,
          outcome: "compliance",
          receivedAt: now,
        },
      }),
      prisma.complianceRequest.create({ data: requestRow }),
    ]);
    return { kind: "run", id: request.id };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  // Either row may exist without the other: shop/redact deletes the shop's deliveries.
  const existing = await prisma.complianceRequest.findUnique({ where: { webhookId: delivery.webhookId } });
  if (!existing) {
    const request = await prisma.complianceRequest.create({ data: requestRow });
    return { kind: "run", id: request.id };
  }
  if (existing.status !== "received") return { kind: "duplicate", requestId: existing.id };
  return { kind: "run", id: existing.id };
}

async function reject(prisma: PrismaClient, delivery: WebhookDeliveryInfo, id: string, reason: string, now: Date): Promise<ComplianceOutcome> {
  logger.warn("compliance request not acted on", { shop: delivery.shop, topic: delivery.topic, webhookId: delivery.webhookId, reason });
  await prisma.complianceRequest.updateMany({
    where: { id, status: "received" },
    data: { status: "rejected", report: JSON.stringify({ problem: reason }), completedAt: now },
  });
  return { kind: "rejected", requestId: id, reason };
}

// ---------------------------------------------------------------------------------------------
// What is held on one customer of one shop

interface CustomerRecords {
  emails: string[]; // every address of theirs we found, lower-cased
  orders: Order[];
  followUps: (FollowUp & { events: FollowUpEvent[] })[];
  outbox: OutboxMessage[];
  messageEvents: MessageEvent[];
  suppressions: Suppression[];
  consents: CustomerConsent[];
  deliveries: WebhookDelivery[];
}

// By customer id, by the listed orders and by email (the payload's, and those on their orders,
// which also finds guest checkouts made with the same address).
async function findCustomerRecords(db: Db, shop: string, subject: ComplianceSubject): Promise<CustomerRecords> {
  const byKey: Prisma.OrderWhereInput[] = [];
  if (subject.orderIds.length) byKey.push({ orderId: { in: subject.orderIds } });
  if (subject.customerId) byKey.push({ customerId: subject.customerId });
  if (subject.email) byKey.push({ email: subject.email });
  const orders = byKey.length ? await db.order.findMany({ where: { shop, OR: byKey } }) : [];
  const emails = uniq([subject.email, ...orders.map((o) => o.email?.toLowerCase() ?? null)].filter((e): e is string => !!e));
  const known = new Set(orders.map((o) => o.id));
  const moreEmails = emails.filter((e) => e !== subject.email);
  if (moreEmails.length) {
    for (const o of await db.order.findMany({ where: { shop, email: { in: moreEmails } } })) {
      if (!known.has(o.id)) {
        known.add(o.id);
        orders.push(o);
      }
    }
  }
  orders.sort((a, b) => a.orderedAt.getTime() - b.orderedAt.getTime());

  const followUpWhere: Prisma.FollowUpWhereInput[] = [];
  for (const part of chunks([...known])) followUpWhere.push({ orderRef: { in: part } });
  if (emails.length) followUpWhere.push({ recipient: { in: emails } });
  const followUps = followUpWhere.length
    ? await db.followUp.findMany({
        where: { shop, OR: followUpWhere },
        include: { events: { orderBy: { at: "asc" } } },
        orderBy: { createdAt: "asc" },
      })
    : [];
  const followUpIds = followUps.map((f) => f.id);
  const messageIds = uniq(followUps.map((f) => f.messageId).filter((m): m is string => !!m));

  const outbox = new Map<string, OutboxMessage>();
  for (const part of chunks(followUpIds)) {
    for (const m of await db.outboxMessage.findMany({ where: { followUpId: { in: part } } })) outbox.set(m.id, m);
  }
  for (const email of emails) {
    // LIKE narrows the scan; the exact address is checked here.
    for (const m of await db.outboxMessage.findMany({ where: { shop, toAddress: { contains: email } } })) {
      if (addressOf(m.toAddress) === email) outbox.set(m.id, m);
    }
  }

  const events = new Map<string, MessageEvent>();
  for (const part of chunks(followUpIds)) {
    for (const e of await db.messageEvent.findMany({ where: { followUpId: { in: part } } })) events.set(e.id, e);
  }
  // SendGrid's sg_message_id is the X-Message-Id it answered the send with, a dot, and more.
  for (const part of chunks(messageIds, 100)) {
    const rows = await db.messageEvent.findMany({
      where: { OR: [{ messageId: { in: part } }, ...part.map((id) => ({ messageId: { startsWith: `${id}.` } }))] },
    });
    for (const e of rows) if (e.shop === null || e.shop === shop) events.set(e.id, e);
  }
  if (emails.length) {
    for (const e of await db.messageEvent.findMany({ where: { shop, email: { in: emails } } })) events.set(e.id, e);
  }

  const suppressions = emails.length
    ? await db.suppression.findMany({ where: { shop, email: { in: emails.flatMap(suppressionLookupEmails) } }, orderBy: { createdAt: "asc" } })
    : [];
  const consentWhere: Prisma.CustomerConsentWhereInput[] = [];
  if (subject.customerId) consentWhere.push({ customerId: subject.customerId });
  if (emails.length) consentWhere.push({ email: { in: emails } });
  const consents = consentWhere.length ? await db.customerConsent.findMany({ where: { shop, OR: consentWhere } }) : [];

  const orderGids = orders.map((o) => o.orderId);
  const deliveries: WebhookDelivery[] = [];
  for (const part of chunks(orderGids)) {
    deliveries.push(...(await db.webhookDelivery.findMany({ where: { shop, orderId: { in: part } }, orderBy: { receivedAt: "asc" } })));
  }

  return {
    emails,
    orders,
    followUps,
    outbox: [...outbox.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    messageEvents: [...events.values()].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()),
    suppressions,
    consents,
    deliveries,
  };
}

// ---------------------------------------------------------------------------------------------
// customers/data_request

export const REPORT_SECTIONS = ["orders", "followUps", "emails", "deliveryEvents", "suppressions", "consent", "webhookDeliveries"] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

export interface CustomerDataReport {
  format: "afterglow.customer-data/1";
  shop: string;
  generatedAt: string;
  request: {
    webhookId: string | null;
    dataRequestId: string | null;
    customerId: string | null;
    email: string | null;
    ordersRequested: string[];
    emailsFound: string[];
  };
  summary: Record<ReportSection, number>;
  orders: Json[];
  followUps: Json[];
  emails: Json[];
  deliveryEvents: Json[];
  suppressions: Json[];
  consent: Json[];
  webhookDeliveries: Json[];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function parseJson(text: string | null): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function buildCustomerDataReport({
  prisma,
  shop,
  subject,
  webhookId = null,
  now = new Date(),
}: {
  prisma: Db;
  shop: string;
  subject: ComplianceSubject;
  webhookId?: string | null;
  now?: Date;
}): Promise<CustomerDataReport> {
  const r = await findCustomerRecords(prisma, shop, subject);
  const orderName = new Map(r.orders.map((o) => [o.id, o.name]));
  const sections = {
    orders: r.orders.map((o) => ({
      orderId: o.orderId,
      name: o.name,
      customerId: o.customerId,
      email: o.email,
      firstName: o.firstName,
      locale: o.locale,
      countryCode: o.countryCode,
      currency: o.currency,
      totalPrice: o.totalPrice,
      subtotalPrice: o.subtotalPrice,
      shopCurrency: o.shopCurrency,
      totalPriceShop: o.totalPriceShop,
      productIds: parseJson(o.productIds),
      orderedAt: iso(o.orderedAt),
      cancelledAt: iso(o.cancelledAt),
      storedAt: iso(o.createdAt),
      updatedAt: iso(o.updatedAt),
    })),
    followUps: r.followUps.map((f) => ({
      id: f.id,
      orderId: f.orderId,
      orderName: orderName.get(f.orderRef) ?? null,
      template: f.template,
      flowId: f.flowId,
      stepKey: f.stepKey,
      recipient: f.recipient,
      status: f.status,
      dueAt: iso(f.dueAt),
      attempts: f.attempts,
      skipReason: f.skipReason,
      lastError: f.lastError,
      transport: f.transport,
      messageId: f.messageId,
      sentAt: iso(f.sentAt),
      createdAt: iso(f.createdAt),
      updatedAt: iso(f.updatedAt),
      timeline: f.events.map((e) => ({ type: e.type, detail: e.detail, at: iso(e.at) })),
    })),
    emails: r.outbox.map((m) => ({
      messageId: m.messageId,
      followUpId: m.followUpId,
      to: m.toAddress,
      from: m.fromAddress,
      subject: m.subject,
      headers: parseJson(m.headers),
      text: m.text,
      html: m.html,
      createdAt: iso(m.createdAt),
    })),
    deliveryEvents: r.messageEvents.map((e) => ({
      event: e.event,
      email: e.email,
      reason: e.reason,
      detail: parseJson(e.detail),
      machineOpen: e.machineOpen,
      messageId: e.messageId,
      followUpId: e.followUpId,
      sgEventId: e.sgEventId,
      occurredAt: iso(e.occurredAt),
      receivedAt: iso(e.receivedAt),
    })),
    suppressions: r.suppressions.map((s) => ({
      email: isHashedSuppressionEmail(s.email) ? "(kept as a one-way hash after an earlier erasure)" : s.email,
      scope: s.scope,
      reason: s.reason,
      source: s.source,
      detail: s.detail,
      createdAt: iso(s.createdAt),
    })),
    consent: r.consents.map((c) => ({
      customerId: c.customerId,
      email: c.email,
      marketingState: c.marketingState,
      consentUpdatedAt: iso(c.consentUpdatedAt),
      updatedAt: iso(c.updatedAt),
    })),
    webhookDeliveries: r.deliveries.map((d) => ({
      topic: d.topic,
      webhookId: d.webhookId,
      orderId: d.orderId,
      outcome: d.outcome,
      triggeredAt: iso(d.triggeredAt),
      receivedAt: iso(d.receivedAt),
    })),
  } satisfies Record<ReportSection, Json[]>;
  const summary = Object.fromEntries(REPORT_SECTIONS.map((s) => [s, sections[s].length])) as Record<ReportSection, number>;
  return {
    format: "afterglow.customer-data/1",
    shop,
    generatedAt: now.toISOString(),
    request: {
      webhookId,
      dataRequestId: subject.dataRequestId,
      customerId: subject.customerId,
      email: subject.email,
      ordersRequested: subject.orderIds,
      emailsFound: r.emails,
    },
    summary,
    ...sections,
  };
}

export async function receiveCustomersDataRequest({ prisma, delivery, payload, now = new Date() }: Args): Promise<ComplianceOutcome> {
  const subject = parseCompliancePayload(payload);
  const begun = await begin(prisma, delivery, subject, now);
  if (begun.kind === "duplicate") return begun;
  const problem = problemWith(subject, delivery.shop, true);
  if (problem) return reject(prisma, delivery, begun.id, problem, now);

  const report = await buildCustomerDataReport({ prisma, shop: delivery.shop, subject, webhookId: delivery.webhookId, now });
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.complianceRequest.updateMany({
      where: { id: begun.id, status: "received" },
      data: { status: "completed", report: JSON.stringify(report), completedAt: now },
    });
    if (count === 1) {
      await audit(tx, {
        shop: delivery.shop,
        actor: "shopify",
        action: "customer.data_requested",
        detail: { requestId: begun.id, customerId: subject.customerId, dataRequestId: subject.dataRequestId, found: report.summary },
        at: now,
      });
    }
  });
  return { kind: "completed", requestId: begun.id, counts: report.summary };
}

// ---------------------------------------------------------------------------------------------
// customers/redact

export async function receiveCustomersRedact({ prisma, delivery, payload, now = new Date() }: Args): Promise<ComplianceOutcome> {
  const subject = parseCompliancePayload(payload);
  const begun = await begin(prisma, delivery, subject, now);
  if (begun.kind === "duplicate") return begun;
  const problem = problemWith(subject, delivery.shop, true);
  if (problem) return reject(prisma, delivery, begun.id, problem, now);

  const counts = await prisma.$transaction(
    async (tx) => {
      const counts = await redactCustomer(tx, delivery.shop, subject);
      const { count } = await tx.complianceRequest.updateMany({
        where: { id: begun.id, status: "received" },
        data: { status: "completed", report: JSON.stringify({ removed: counts }), completedAt: now },
      });
      if (count === 1) {
        await audit(tx, {
          shop: delivery.shop,
          actor: "shopify",
          action: "customer.redacted",
          detail: { requestId: begun.id, customerId: subject.customerId, orders: subject.orderIds.length, removed: counts },
          at: now,
        });
      }
      return counts;
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
  return { kind: "completed", requestId: begun.id, counts };
}

// Orders and their follow-ups are deleted, not blanked: without the address and name nothing in
// them is useful to the merchant, and a deleted row cannot leak. Webhook deliveries stay (order
// ids and outcomes only), so a late redelivery of the order is still recognised as a duplicate.
async function redactCustomer(tx: Prisma.TransactionClient, shop: string, subject: ComplianceSubject): Promise<Record<string, number>> {
  const r = await findCustomerRecords(tx, shop, subject);
  const counts: Record<string, number> = {
    orders: 0,
    followUps: 0,
    followUpEvents: 0,
    outboxMessages: 0,
    messageEvents: 0,
    consents: 0,
    suppressionsHashed: 0,
    dataRequestReportsErased: 0,
  };
  for (const part of chunks(r.outbox.map((m) => m.id))) {
    counts.outboxMessages += (await tx.outboxMessage.deleteMany({ where: { id: { in: part } } })).count;
  }
  for (const part of chunks(r.messageEvents.map((e) => e.id))) {
    counts.messageEvents += (await tx.messageEvent.deleteMany({ where: { id: { in: part } } })).count;
  }
  for (const part of chunks(r.followUps.map((f) => f.id))) {
    counts.followUpEvents += (await tx.followUpEvent.deleteMany({ where: { followUpId: { in: part } } })).count;
    counts.followUps += (await tx.followUp.deleteMany({ where: { id: { in: part } } })).count;
  }
  for (const part of chunks(r.orders.map((o) => o.id))) {
    // Follow-ups reached only through the order (another recipient) go with it.
    counts.followUpEvents += (await tx.followUpEvent.deleteMany({ where: { followUp: { orderRef: { in: part } } } })).count;
    counts.followUps += (await tx.followUp.deleteMany({ where: { orderRef: { in: part } } })).count;
    counts.orders += (await tx.order.deleteMany({ where: { id: { in: part } } })).count;
    // An order's attribution names it; the shop's daily totals keep no customer.
    await tx.attribution.deleteMany({ where: { orderRef: { in: part } } });
  }
  for (const part of chunks(r.consents.map((c) => c.id))) {
    counts.consents += (await tx.customerConsent.deleteMany({ where: { id: { in: part } } })).count;
  }
  // An opt-out must outlive the erasure, or the next order would email them again.
  for (const s of r.suppressions) {
    if (isHashedSuppressionEmail(s.email)) continue;
    const hashed = hashedSuppressionEmail(s.email);
    const twin = await tx.suppression.findUnique({ where: { shop_email_scope: { shop, email: hashed, scope: s.scope } } });
    if (twin) await tx.suppression.delete({ where: { id: s.id } });
    else await tx.suppression.update({ where: { id: s.id }, data: { email: hashed, detail: null } });
    counts.suppressionsHashed += 1;
  }
  // An earlier data request's report is a full copy of what was just erased.
  const quoted = r.emails.map((email) => JSON.stringify(email));
  const reportMatches: Prisma.ComplianceRequestWhereInput[] = quoted.map((q) => ({ report: { contains: q } }));
  if (subject.customerId) reportMatches.push({ customerId: subject.customerId });
  if (reportMatches.length) {
    const candidates = await tx.complianceRequest.findMany({
      where: { shop, topic: { in: [...COMPLIANCE_TOPICS.dataRequest] }, report: { not: null }, OR: reportMatches },
      select: { id: true, customerId: true, report: true },
    });
    // SQLite's LIKE ignores case and treats _ and % as wildcards: confirm the exact address.
    const ids = candidates
      .filter((c) => (subject.customerId && c.customerId === subject.customerId) || quoted.some((q) => c.report!.toLowerCase().includes(q)))
      .map((c) => c.id);
    for (const part of chunks(ids)) {
      counts.dataRequestReportsErased += (
        await tx.complianceRequest.updateMany({ where: { id: { in: part } }, data: { report: null, status: "erased" } })
      ).count;
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// shop/redact

export async function receiveShopRedact({ prisma, delivery, payload, now = new Date() }: Args): Promise<ComplianceOutcome> {
  const subject = parseCompliancePayload(payload);
  const begun = await begin(prisma, delivery, subject, now);
  if (begun.kind === "duplicate") return begun;
  const problem = problemWith(subject, delivery.shop, false);
  if (problem) return reject(prisma, delivery, begun.id, problem, now);

  const shop = delivery.shop;
  const counts = await prisma.$transaction(
    async (tx) => {
      const counts = await eraseShop(tx, shop, begun.id);
      const { count } = await tx.complianceRequest.updateMany({
        where: { id: begun.id, status: "received" },
        data: { status: "completed", report: JSON.stringify({ removed: counts }), completedAt: now },
      });
      // The proof of erasure: the domain, when, and how many rows went. Nothing about anyone.
      if (count === 1) {
        await audit(tx, { shop, actor: "shopify", action: "shop.redacted", detail: { requestId: begun.id, removed: counts }, at: now });
      }
      return counts;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  shopSettingsChanged();
  return { kind: "completed", requestId: begun.id, counts };
}

async function eraseShop(tx: Prisma.TransactionClient, shop: string, keepRequestId: string): Promise<Record<string, number>> {
  // Events that arrived without a shop still belong to this shop's follow-ups.
  const followUpIds = (await tx.followUp.findMany({ where: { shop }, select: { id: true } })).map((f) => f.id);
  let messageEvents = (await tx.messageEvent.deleteMany({ where: { shop } })).count;
  for (const part of chunks(followUpIds)) {
    messageEvents += (await tx.messageEvent.deleteMany({ where: { shop: null, followUpId: { in: part } } })).count;
  }
  const counts: Record<string, number> = { messageEvents };
  counts.followUpEvents = (await tx.followUpEvent.deleteMany({ where: { followUp: { shop } } })).count;
  counts.followUps = (await tx.followUp.deleteMany({ where: { shop } })).count;
  counts.orders = (await tx.order.deleteMany({ where: { shop } })).count;
  counts.outboxMessages = (await tx.outboxMessage.deleteMany({ where: { shop } })).count;
  counts.flowSteps = (await tx.flowStep.deleteMany({ where: { flow: { shop } } })).count;
  counts.flows = (await tx.flow.deleteMany({ where: { shop } })).count;
  counts.suppressions = (await tx.suppression.deleteMany({ where: { shop } })).count;
  counts.consents = (await tx.customerConsent.deleteMany({ where: { shop } })).count;
  counts.webhookDeliveries = (await tx.webhookDelivery.deleteMany({ where: { shop } })).count;
  counts.complianceRequests = (await tx.complianceRequest.deleteMany({ where: { shop, id: { not: keepRequestId } } })).count;
  // Staff names and emails are in the audit details and sessions; the shop is gone, so are they.
  counts.auditLog = (await tx.auditLog.deleteMany({ where: { shop } })).count;
  counts.sessions = (await tx.session.deleteMany({ where: { shop } })).count;
  // Analytics: rollups, attributions, what the recommendation engine learned, health.
  await tx.dailyStat.deleteMany({ where: { shop } });
  await tx.attribution.deleteMany({ where: { shop } });
  await tx.recommendationSourceStat.deleteMany({ where: { shop } });
  await tx.deliverabilityHealth.deleteMany({ where: { shop } });
  counts.shop = (await tx.shop.deleteMany({ where: { domain: shop } })).count;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// The Data requests page and its downloads

export interface DataRequestView {
  id: string;
  kind: "data_request" | "customer_redact";
  customerId: string | null;
  orders: number;
  status: string; // received | completed | rejected | erased | expired
  receivedAt: string;
  completedAt: string | null;
  dueBy: string; // Shopify's 30 days
  summary: Record<string, number> | null;
  problem: string | null;
  downloadable: boolean;
}

export async function listDataRequests(
  prisma: Pick<PrismaClient, "complianceRequest">,
  shop: string,
  { limit = 50 }: { limit?: number } = {},
): Promise<DataRequestView[]> {
  const rows = await prisma.complianceRequest.findMany({
    where: { shop, topic: { in: [...COMPLIANCE_TOPICS.dataRequest, ...COMPLIANCE_TOPICS.customerRedact] } },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, Math.floor(limit)), 200),
  });
  return rows.map((row) => {
    const isDataRequest = (COMPLIANCE_TOPICS.dataRequest as readonly string[]).includes(row.topic);
    const report = parseJson(row.report) as Json | null;
    const summary = isObject(report)
      ? ((isObject(report.summary) ? report.summary : isObject(report.removed) ? report.removed : null) as Record<string, number> | null)
      : null;
    return {
      id: row.id,
      kind: isDataRequest ? "data_request" : "customer_redact",
      customerId: row.customerId,
      orders: row.orderIds ? (parseJson(row.orderIds) as unknown[]).length : 0,
      status: row.status,
      receivedAt: row.receivedAt.toISOString(),
      completedAt: iso(row.completedAt),
      dueBy: new Date(row.receivedAt.getTime() + DATA_REQUEST_DEADLINE_DAYS * 86_400_000).toISOString(),
      summary,
      problem: isObject(report) && typeof report.problem === "string" ? report.problem : null,
      downloadable: isDataRequest && row.status === "completed" && !!row.report,
    };
  });
}

export interface ReportDownload {
  filename: string;
  contentType: string;
  body: string;
}

export async function dataRequestDownload(
  prisma: Pick<PrismaClient, "complianceRequest">,
  shop: string,
  id: string,
  format: "json" | "csv",
): Promise<ReportDownload | null> {
  // Scoped to the shop, so one merchant can never read another's report by guessing an id.
  const row = await prisma.complianceRequest.findFirst({
    where: { id, shop, topic: { in: [...COMPLIANCE_TOPICS.dataRequest] }, report: { not: null } },
  });
  if (!row?.report) return null;
  const report = JSON.parse(row.report) as CustomerDataReport;
  const who = (row.customerId?.split("/").pop() ?? "customer").replace(/[^\w-]/g, "");
  const base = `afterglow-data-request-${who}-${row.receivedAt.toISOString().slice(0, 10)}`;
  return format === "json"
    ? { filename: `${base}.json`, contentType: "application/json; charset=utf-8", body: JSON.stringify(report, null, 2) }
    : { filename: `${base}.csv`, contentType: "text/csv; charset=utf-8", body: reportToCsv(report) };
}

// Long form (section, record, field, value) so every section fits one sheet; nested values get
// dotted paths, e.g. followUps / <id> / timeline.2.detail.
export function reportToCsv(report: CustomerDataReport): string {
  const lines = [["section", "record", "field", "value"]];
  for (const [field, value] of flatten(report.request)) lines.push(["request", "", field, value]);
  lines.push(["request", "", "generatedAt", report.generatedAt]);
  for (const section of REPORT_SECTIONS) {
    report[section].forEach((item, index) => {
      const record = String(item.id ?? item.messageId ?? item.orderId ?? item.webhookId ?? index + 1);
      for (const [field, value] of flatten(item)) lines.push([section, record, field, value]);
    });
  }
  return UTF8_BOM + lines.map(csvLine).join("");
}

function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value === null || value === undefined) return prefix ? [[prefix, ""]] : [];
  if (Array.isArray(value)) {
    if (value.length === 0) return prefix ? [[prefix, ""]] : [];
    return value.flatMap((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i)));
  }
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, String(value)]];
}
