// What is held on one customer of one shop: read for a data request, deleted for a redaction.
import type { CustomerConsent, FollowUp, FollowUpEvent, MessageEvent, Order, OutboxMessage, Prisma, Suppression, WebhookDelivery } from "@prisma/client";
import { suppressionLookupEmails } from "./hashed-emails.server";
import { chunks, uniq, type ComplianceSubject, type Db } from "./requests.server";

// "Ada <ada@example.com>" -> ada@example.com
function addressOf(formatted: string): string {
  const m = /<([^<>]+)>\s*$/.exec(formatted);
  return (m ? m[1] : formatted).trim().toLowerCase();
}

export interface CustomerRecords {
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
export async function findCustomerRecords(db: Db, shop: string, subject: ComplianceSubject): Promise<CustomerRecords> {
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
    // An event SendGrid sent without the shop (no custom args, an unknown message) is anyone's
    // with that address: it is listed, and erased, with each shop's customer of that address.
    for (const e of await db.messageEvent.findMany({ where: { OR: [{ shop }, { shop: null }], email: { in: emails } } })) events.set(e.id, e);
  }

  const suppressions = emails.length
    ? await db.suppression.findMany({ where: { shop, email: { in: emails.flatMap((e) => suppressionLookupEmails(e)) } }, orderBy: { createdAt: "asc" } })
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
