// Shopify's mandatory compliance webhooks, answered in full:
// - customers/data_request: a report of everything held on the customer, for the merchant to
//   hand over (Shopify expects it within 30 days); shown on the Data requests page.
// - customers/redact: the customer's orders, follow-ups, rendered emails, delivery events and
//   consent are deleted; suppressions stay, under a keyed hash so they still block sends; the
//   customer's Shopify id leaves the audit log and the requests.
// - shop/redact (48 hours after uninstall): every row of the shop is deleted; one audit row and
//   the request itself stay as proof of erasure, with the shop's domain and counts only.
// Each is recorded once per X-Shopify-Webhook-Id; a redelivery of a finished request changes
// nothing, and one that failed halfway runs again (every step can be repeated).
// This module holds what the three share: the payload, the request row, and refusal.
import type { Prisma, PrismaClient } from "@prisma/client";
import { isUniqueViolation } from "../../platform/db-errors.server";
import { logger } from "../../platform/logger.server";
import type { WebhookDeliveryInfo } from "../intake/intake.server";

// authenticate.webhook names topics in enum form; the simulator and older rows use the REST form.
export const COMPLIANCE_TOPICS = {
  dataRequest: ["CUSTOMERS_DATA_REQUEST", "customers/data_request"],
  customerRedact: ["CUSTOMERS_REDACT", "customers/redact"],
  shopRedact: ["SHOP_REDACT", "shop/redact"],
} as const;

export const DATA_REQUEST_DEADLINE_DAYS = 30;

export type Db = PrismaClient | Prisma.TransactionClient;
export type Json = Record<string, unknown>;

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

export interface ComplianceWebhookArgs {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  now?: Date;
}

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

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
export function payloadProblem(subject: ComplianceSubject, shop: string, needsCustomer: boolean): string | null {
  if (!subject.shopDomain) return "The payload does not name the shop (shop_domain is missing).";
  if (subject.shopDomain !== shop.toLowerCase()) {
    return `The payload names ${subject.shopDomain} but the delivery came for ${shop}; nothing was done.`;
  }
  if (needsCustomer && !subject.customerId && !subject.email && subject.orderIds.length === 0) {
    return "The payload names no customer id, email or order, so there is nothing to look up.";
  }
  return null;
}

export const uniq = <T>(xs: T[]) => [...new Set(xs)];

export function chunks<T>(xs: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function parseJson(text: string | null): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Begun = { kind: "run"; id: string } | { kind: "duplicate"; requestId: string | null };

// Records the delivery and the request; tells whether this delivery still has work to do.
export async function beginRequest(prisma: PrismaClient, delivery: WebhookDeliveryInfo, subject: ComplianceSubject, now: Date): Promise<Begun> {
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

export async function rejectRequest(prisma: PrismaClient, delivery: WebhookDeliveryInfo, id: string, reason: string, now: Date): Promise<ComplianceOutcome> {
  logger.warn("compliance request not acted on", { shop: delivery.shop, topic: delivery.topic, webhookId: delivery.webhookId, reason });
  await prisma.complianceRequest.updateMany({
    where: { id, status: "received" },
    data: { status: "rejected", report: JSON.stringify({ problem: reason }), completedAt: now },
  });
  return { kind: "rejected", requestId: id, reason };
}

// How each of the three starts: the request recorded once, and a payload for another shop (or,
// where a customer is needed, naming none) refused with the reason. "answered" ends the delivery.
export async function openRequest({
  prisma,
  delivery,
  payload,
  now,
  needsCustomer,
}: Required<ComplianceWebhookArgs> & { needsCustomer: boolean }): Promise<
  { kind: "open"; id: string; subject: ComplianceSubject } | { kind: "answered"; outcome: ComplianceOutcome }
> {
  const subject = parseCompliancePayload(payload);
  const begun = await beginRequest(prisma, delivery, subject, now);
  if (begun.kind === "duplicate") return { kind: "answered", outcome: begun };
  const problem = payloadProblem(subject, delivery.shop, needsCustomer);
  if (problem) return { kind: "answered", outcome: await rejectRequest(prisma, delivery, begun.id, problem, now) };
  return { kind: "open", id: begun.id, subject };
}
