// customers/data_request: a report of everything held on the customer, for the merchant to hand
// over (Shopify expects it within 30 days); shown on the Data requests page.
import { audit } from "./audit.server";
import { findCustomerRecords } from "./customer-records.server";
import { isHashedSuppressionEmail } from "./hashed-emails.server";
import {
  iso,
  openRequest,
  parseJson,
  type ComplianceOutcome,
  type ComplianceSubject,
  type ComplianceWebhookArgs,
  type Db,
  type Json,
} from "./requests.server";

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

export async function receiveCustomersDataRequest({ prisma, delivery, payload, now = new Date() }: ComplianceWebhookArgs): Promise<ComplianceOutcome> {
  const request = await openRequest({ prisma, delivery, payload, now, needsCustomer: true });
  if (request.kind === "answered") return request.outcome;
  const { id, subject } = request;

  const report = await buildCustomerDataReport({ prisma, shop: delivery.shop, subject, webhookId: delivery.webhookId, now });
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.complianceRequest.updateMany({
      where: { id, status: "received" },
      data: { status: "completed", report: JSON.stringify(report), completedAt: now },
    });
    if (count === 1) {
      await audit(tx, {
        shop: delivery.shop,
        actor: "shopify",
        action: "customer.data_requested",
        detail: { requestId: id, customerId: subject.customerId, dataRequestId: subject.dataRequestId, found: report.summary },
        at: now,
      });
    }
  });
  return { kind: "completed", requestId: id, counts: report.summary };
}
