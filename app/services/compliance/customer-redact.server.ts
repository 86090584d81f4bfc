// customers/redact: the customer's orders, follow-ups, rendered emails, delivery events and consent
// are deleted; suppressions stay, keyed by a keyed hash so they still block sends; the customer's
// Shopify id is taken out of the audit log and the compliance requests that named it.
import type { Prisma } from "@prisma/client";
import { knownProviderOfDomain, recipientDomain } from "~/domain/mailbox-providers";
import { audit } from "./audit.server";
import { reclaimErasedSpace } from "./reclaim.server";
import { findCustomerRecords } from "./customer-records.server";
import { reviewCustomerKey } from "../dispatch/review-requests.server";
import { hashedSuppressionEmail, isCurrentHash, isHashedSuppressionEmail, suppressionLookupEmails } from "./hashed-emails.server";
import {
  chunks,
  COMPLIANCE_TOPICS,
  openRequest,
  type ComplianceOutcome,
  type ComplianceSubject,
  type ComplianceWebhookArgs,
} from "./requests.server";

export async function receiveCustomersRedact({ prisma, delivery, payload, now = new Date() }: ComplianceWebhookArgs): Promise<ComplianceOutcome> {
  const request = await openRequest({ prisma, delivery, payload, now, needsCustomer: true });
  if (request.kind === "answered") return request.outcome;
  const { id, subject } = request;

  const counts = await prisma.$transaction(
    async (tx) => {
      const counts = await redactCustomer(tx, delivery.shop, subject);
      const { count } = await tx.complianceRequest.updateMany({
        where: { id, status: "received" },
        data: { status: "completed", report: JSON.stringify({ removed: counts }), completedAt: now, customerId: null, orderIds: null },
      });
      // The proof of erasure names the request, not the customer.
      if (count === 1) {
        await audit(tx, {
          shop: delivery.shop,
          actor: "shopify",
          action: "customer.redacted",
          detail: { requestId: id, orders: subject.orderIds.length, removed: counts },
          at: now,
        });
      }
      return counts;
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
  reclaimErasedSpace(prisma, delivery.shop);
  return { kind: "completed", requestId: id, counts };
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
  // A domain of their own (jane@janedoe.name) can name them: its per-domain counts and its MX
  // answer go too. Consumer domains (gmail.com…) name nobody and stay.
  const ownDomains = [...new Set(r.emails.map(recipientDomain))].filter((d): d is string => d !== null && knownProviderOfDomain(d) === null);
  if (ownDomains.length) {
    await tx.dailyDomainStat.deleteMany({ where: { shop, domain: { in: ownDomains } } });
    await tx.mailboxDomain.deleteMany({ where: { domain: { in: ownDomains } } });
  }
  // Shopify erases the customer too; a consent change still waiting for it has no one to reach.
  if (subject.customerId) await tx.consentWriteBack.deleteMany({ where: { shop, customerId: subject.customerId } });
  // Flow triggers name the customer, their orders and follow-ups (a subject may hold a name),
  // sent or waiting: all go, and a trigger not sent yet is not sent.
  counts.flowTriggers = 0;
  const triggerMatches: Prisma.FlowTriggerFireWhereInput[] = [];
  if (subject.customerId) triggerMatches.push({ customerId: subject.customerId });
  for (const part of chunks(r.orders.map((o) => o.orderId))) triggerMatches.push({ orderId: { in: part } });
  for (const part of chunks(r.followUps.map((f) => f.id))) triggerMatches.push({ followUpId: { in: part } });
  for (const where of triggerMatches) counts.flowTriggers += (await tx.flowTriggerFire.deleteMany({ where: { shop, ...where } })).count;
  // The products they were asked to review: keyed by a hash of the address, and by the follow-ups.
  const reviewKeys = r.emails.map((email) => reviewCustomerKey(shop, email));
  if (reviewKeys.length) await tx.reviewRequest.deleteMany({ where: { shop, customerKey: { in: reviewKeys } } });
  for (const part of chunks(r.followUps.map((f) => f.id))) await tx.reviewRequest.deleteMany({ where: { shop, followUpId: { in: part } } });
  // An opt-out must outlive the erasure, or the next order would email them again. A row hashed
  // the old way (bare sha256, or an earlier key) is re-hashed while the address is known.
  const addressOf = new Map(r.emails.flatMap((email) => suppressionLookupEmails(email).map((form) => [form, email] as const)));
  for (const s of r.suppressions) {
    if (isCurrentHash(s.email)) continue;
    const address = isHashedSuppressionEmail(s.email) ? addressOf.get(s.email) : s.email;
    if (!address) continue;
    const hashed = hashedSuppressionEmail(address);
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
  const erased = await eraseCustomerIds(tx, shop, subject, r.emails);
  counts.auditEntriesErased = erased.auditEntries;
  counts.requestsErased = erased.requests;
  return counts;
}

// The audit log and earlier compliance requests keep what happened, not to whom: the customer's
// Shopify id and addresses are replaced where they appear.
async function eraseCustomerIds(
  tx: Prisma.TransactionClient,
  shop: string,
  subject: ComplianceSubject,
  emails: string[],
): Promise<{ auditEntries: number; requests: number }> {
  const needles = [...(subject.customerId ? [subject.customerId] : []), ...emails];
  let auditEntries = 0;
  // Details carry ids, not addresses (audit.server.ts); an address can only be the actor.
  const where: Prisma.AuditLogWhereInput[] = [];
  if (subject.customerId) where.push({ detail: { contains: subject.customerId } });
  for (const part of chunks(emails)) where.push({ actor: { in: part } });
  if (where.length) {
    const rows = await tx.auditLog.findMany({ where: { shop, OR: where }, select: { id: true, actor: true, detail: true } });
    for (const row of rows) {
      const detail = row.detail === null ? null : needles.reduce((text, n) => replaceAll(text, n, "[erased]"), row.detail);
      const actor = needles.some((n) => row.actor.toLowerCase() === n.toLowerCase()) ? "customer" : row.actor;
      if (detail === row.detail && actor === row.actor) continue;
      await tx.auditLog.update({ where: { id: row.id }, data: { detail, actor } });
      auditEntries += 1;
    }
  }
  const requests = subject.customerId
    ? (await tx.complianceRequest.updateMany({ where: { shop, customerId: subject.customerId }, data: { customerId: null, orderIds: null } })).count
    : 0;
  return { auditEntries, requests };
}

// Case-insensitive, as SQLite's LIKE matched it; the needle is literal text.
function replaceAll(text: string, needle: string, by: string): string {
  return text.replace(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), by);
}
