// SendGrid's Event Webhook and Postmark's webhooks, on one path: each event stored once (keyed by
// provider and the provider's own id), put on its follow-up's timeline, and turned into
// suppressions where it means the shop must stop emailing an address.
import { isUniqueViolation } from "../../platform/db-errors.server";
import type { MessageEvent, Prisma, PrismaClient } from "@prisma/client";
import {
  dedupeKey,
  describeEvent,
  eventDetail,
  normaliseEmail,
  parseSendGridEvents,
  suppressionEffect,
  xMessageIdCandidates,
  type ParsedSendGridBatch,
  type SendGridEvent,
  type SuppressionThresholds,
} from "~/domain/sendgrid-events";
import { addSuppression, removeSuppression } from "../consent/suppressions.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { config, type Config } from "~/platform/config.server";
import { DEFAULT_SUPPRESSION_THRESHOLDS } from "~/domain/sendgrid-events";
import { providerOf } from "~/db.server";
import { flowTriggerFireStatement } from "../flow-triggers/fires.server";
import { flowTriggersForEvents } from "../flow-triggers/events.server";
import { parsePostmarkEvents } from "~/domain/postmark-events";

// SUPPRESS_AFTER_BLOCKS and SUPPRESS_AFTER_DEFERRALS, over the domain's 30-day window.
export function suppressionThresholds(events: Config["events"]): SuppressionThresholds {
  return { blocks: events.suppressAfterBlocks, deferrals: events.suppressAfterDeferrals, windowDays: DEFAULT_SUPPRESSION_THRESHOLDS.windowDays };
}

export interface SendGridEventsSummary {
  received: number; // items in the batch
  stored: number;
  duplicates: number; // already stored (a redelivery) or repeated within the batch
  unknown: number; // event types we do not handle; ignored
  unknownTypes: Record<string, number>;
  invalid: number; // items that are not events; ignored
  matched: number; // stored events put on a follow-up's timeline
  unmatched: number; // stored events no follow-up could be found for
  suppressed: number; // suppressions added
  lifted: number; // marketing unsubscribes lifted by a resubscribe
}

type Db = Pick<
  PrismaClient,
  "messageEvent" | "followUp" | "shop" | "order" | "customerConsent" | "suppression" | "flow" | "flowStep" | "flowTriggerUse" | "$transaction"
>;
type Tx = Prisma.TransactionClient;

interface MatchedFollowUp {
  id: string;
  shop: string;
  recipient: string;
  messageId: string | null;
}

interface Incoming {
  event: SendGridEvent;
  key: string;
}

const CHUNK = 400;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}


interface ReceiveInput {
  prisma: Db;
  events: unknown[];
  now?: Date;
  thresholds?: SuppressionThresholds;
  logger?: Logger;
}

export function receiveSendGridEvents(input: ReceiveInput): Promise<SendGridEventsSummary> {
  return receiveMailEvents({ ...input, batch: parseSendGridEvents(input.events), provider: "SendGrid" });
}

// Postmark posts one event at a time; the same store takes it.
export function receivePostmarkEvents(input: ReceiveInput): Promise<SendGridEventsSummary> {
  return receiveMailEvents({ ...input, batch: parsePostmarkEvents(input.events), provider: "Postmark" });
}

async function receiveMailEvents({
  prisma,
  events,
  batch,
  provider,
  now = new Date(),
  thresholds = suppressionThresholds(config().events),
  logger = rootLogger,
}: ReceiveInput & { batch: ParsedSendGridBatch; provider: string }): Promise<SendGridEventsSummary> {
  const summary: SendGridEventsSummary = {
    received: events.length,
    stored: 0,
    duplicates: 0,
    unknown: batch.unknownCount,
    unknownTypes: batch.unknown,
    invalid: batch.invalid,
    matched: 0,
    unmatched: 0,
    suppressed: 0,
    lifted: 0,
  };
  // SendGrid can repeat an event inside one POST too.
  const unique = new Map<string, Incoming>();
  for (const event of batch.events) {
    const key = dedupeKey(event);
    if (unique.has(key)) summary.duplicates += 1;
    else unique.set(key, { event, key });
  }
  // A concurrent delivery of the same events may commit between our read and our write;
  // then read again, and its rows count as duplicates.
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await storeBatch({ prisma, incoming: [...unique.values()], now, thresholds });
      Object.assign(summary, { ...outcome, duplicates: summary.duplicates + outcome.duplicates });
      break;
    } catch (err) {
      if (isUniqueViolation(err) && attempt < 3) continue;
      throw err;
    }
  }
  if (summary.unknown > 0) {
    logger.warn(`ignored ${provider} event types we do not handle`, { component: "mail-events", unknownTypes: summary.unknownTypes });
  }
  return summary;
}

async function findExisting(prisma: Db, incoming: Incoming[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const part of chunks(incoming)) {
    const ids = part.map((i) => i.event.sgEventId).filter((id): id is string => !!id);
    const rows = await prisma.messageEvent.findMany({
      where: { OR: [{ dedupeKey: { in: part.map((i) => i.key) } }, ...(ids.length ? [{ sgEventId: { in: ids } }] : [])] },
      select: { sgEventId: true, dedupeKey: true },
    });
    for (const r of rows) {
      seen.add(r.dedupeKey);
      if (r.sgEventId) seen.add(`id:${r.sgEventId}`);
    }
  }
  return seen;
}

// custom_args.followUpId (Postmark: Metadata) first; for sends without it, the X-Message-Id that
// sg_message_id starts with, or Postmark's MessageID as the API gave it.
const messageIdCandidates = (e: SendGridEvent) => (e.provider === "postmark" ? (e.sgMessageId ? [e.sgMessageId] : []) : xMessageIdCandidates(e.sgMessageId));

async function matchFollowUps(prisma: Db, events: SendGridEvent[]): Promise<Map<SendGridEvent, MatchedFollowUp>> {
  const select = { id: true, shop: true, recipient: true, messageId: true } as const;
  const matched = new Map<SendGridEvent, MatchedFollowUp>();
  const ids = [...new Set(events.map((e) => e.followUpId).filter((id): id is string => !!id))];
  const byId = new Map<string, MatchedFollowUp>();
  for (const part of chunks(ids)) {
    for (const f of await prisma.followUp.findMany({ where: { id: { in: part } }, select })) byId.set(f.id, f);
  }
  const rest: SendGridEvent[] = [];
  for (const e of events) {
    const f = e.followUpId ? byId.get(e.followUpId) : undefined;
    if (f) matched.set(e, f);
    else rest.push(e);
  }
  const candidates = [...new Set(rest.flatMap(messageIdCandidates))];
  const byMessageId = new Map<string, MatchedFollowUp>();
  for (const part of chunks(candidates)) {
    for (const f of await prisma.followUp.findMany({ where: { messageId: { in: part } }, select })) {
      if (f.messageId && !byMessageId.has(f.messageId)) byMessageId.set(f.messageId, f);
    }
  }
  for (const e of rest) {
    const f = messageIdCandidates(e)
      .map((id) => byMessageId.get(id))
      .find((x) => !!x);
    if (f) matched.set(e, f);
  }
  return matched;
}

async function storeBatch({
  prisma,
  incoming,
  now,
  thresholds,
}: {
  prisma: Db;
  incoming: Incoming[];
  now: Date;
  thresholds: SuppressionThresholds;
}): Promise<Omit<SendGridEventsSummary, "received" | "unknown" | "unknownTypes" | "invalid">> {
  const seen = await findExisting(prisma, incoming);
  const fresh = incoming.filter((i) => !seen.has(i.key) && !(i.event.sgEventId && seen.has(`id:${i.event.sgEventId}`)));
  const outcome = { stored: 0, duplicates: incoming.length - fresh.length, matched: 0, unmatched: 0, suppressed: 0, lifted: 0 };
  if (fresh.length === 0) return outcome;

  const matched = await matchFollowUps(
    prisma,
    fresh.map((i) => i.event),
  );
  // A shop named only by custom_args must still be one we know (not redacted, not a typo).
  const namedShops = [...new Set(fresh.filter((i) => !matched.has(i.event) && i.event.shop).map((i) => i.event.shop!))];
  const knownShops = new Set(
    namedShops.length
      ? (await prisma.shop.findMany({ where: { domain: { in: namedShops } }, select: { domain: true } })).map((s) => s.domain)
      : [],
  );

  const shopOf = (event: SendGridEvent, followUp: MatchedFollowUp | undefined) =>
    followUp?.shop ?? (event.shop && knownShops.has(event.shop) ? event.shop : null);
  const held = await heldAddresses(
    prisma,
    fresh.filter((i) => !matched.has(i.event) && i.event.email).map((i) => ({ shop: shopOf(i.event, undefined), email: i.event.email! })),
  );

  const rows = fresh.map(({ event, key }) => {
    const followUp = matched.get(event);
    const shop = shopOf(event, followUp);
    const address = event.email ?? (followUp ? normaliseEmail(followUp.recipient) : null);
    // An event of no follow-up we hold keeps its address only while the shop still holds it:
    // after a customer's erasure, SendGrid's late events must not bring the address back.
    const kept = !!followUp || (!!shop && !!address && held.has(`${shop}\n${address}`));
    const email = kept ? address : null;
    const scrub = (text: string | null) => (kept || !address || text === null ? text : text.split(address).join("[erased]"));
    return {
      event,
      followUp,
      address,
      data: {
        sgEventId: event.sgEventId,
        dedupeKey: key,
        shop,
        followUpId: followUp?.id ?? null,
        messageId: event.sgMessageId,
        provider: event.provider,
        event: event.event,
        email,
        reason: scrub(event.reason),
        detail: scrub(JSON.stringify(eventDetail(event))),
        machineOpen: event.machineOpen,
        occurredAt: event.occurredAt,
        receivedAt: now,
      } satisfies Prisma.MessageEventCreateManyInput,
    };
  });

  // Clicks, bounces and spam reports Shopify Flow hears about, for shops whose workflows listen.
  const flowTriggers = await flowTriggersForEvents(
    prisma,
    rows.map((r) => ({ event: r.event, dedupeKey: r.data.dedupeKey, followUpId: r.data.followUpId, shop: r.data.shop })),
  );
  const dialect = providerOf(prisma);

  await prisma.$transaction(
    async (tx) => {
      await tx.messageEvent.createMany({ data: rows.map((r) => r.data) });
      for (const input of flowTriggers) await flowTriggerFireStatement(tx, input, { at: now, dialect });
      const notes = await applySuppressions(tx, { rows, now, thresholds, outcome });
      const timeline = rows
        .filter((r) => r.followUp)
        .map((r) => ({
          followUpId: r.followUp!.id,
          type: r.event.event,
          detail: [describeEvent(r.event), notes.get(r.event)].filter(Boolean).join(" "),
          at: r.event.occurredAt,
        }));
      if (timeline.length) await tx.followUpEvent.createMany({ data: timeline });
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  outcome.stored = rows.length;
  outcome.matched = rows.filter((r) => r.followUp).length;
  outcome.unmatched = rows.length - outcome.matched;
  return outcome;
}

// Which of these addresses each shop still holds: on an order, a follow-up, a consent copy or a
// suppression written with the address. A shop-less event's address is held by nobody.
async function heldAddresses(prisma: Db, wanted: { shop: string | null; email: string }[]): Promise<Set<string>> {
  const byShop = new Map<string, Set<string>>();
  for (const { shop, email } of wanted) {
    if (shop) byShop.set(shop, (byShop.get(shop) ?? new Set()).add(email));
  }
  const held = new Set<string>();
  for (const [shop, set] of byShop) {
    for (const part of chunks([...set])) {
      const found = [
        ...(await prisma.order.findMany({ where: { shop, email: { in: part } }, select: { email: true } })).map((r) => r.email),
        ...(await prisma.followUp.findMany({ where: { shop, recipient: { in: part } }, select: { recipient: true } })).map((r) => r.recipient),
        ...(await prisma.customerConsent.findMany({ where: { shop, email: { in: part } }, select: { email: true } })).map((r) => r.email),
        ...(await prisma.suppression.findMany({ where: { shop, email: { in: part } }, select: { email: true } })).map((r) => r.email),
      ];
      for (const email of found) if (email) held.add(`${shop}\n${normaliseEmail(email)}`);
    }
  }
  return held;
}

interface StoredRow {
  event: SendGridEvent;
  address: string | null; // the event's address, also when it is not stored
  data: Pick<MessageEvent, "shop" | "email" | "dedupeKey" | "sgEventId">;
}

// Returns a sentence per event whose suppression changed, for its timeline entry.
async function applySuppressions(
  tx: Tx,
  {
    rows,
    now,
    thresholds,
    outcome,
  }: {
    rows: StoredRow[];
    now: Date;
    thresholds: SuppressionThresholds;
    outcome: { suppressed: number; lifted: number };
  },
): Promise<Map<SendGridEvent, string>> {
  const notes = new Map<SendGridEvent, string>();
  const since = new Date(now.getTime() - thresholds.windowDays * 86_400_000);
  const counted = new Map<string, { shop: string; email: string; counter: "blocks" | "deferrals"; last: StoredRow }>();
  // In the order they happened, so an unsubscribe and a resubscribe in one batch end right.
  const ordered = [...rows].sort((a, b) => a.event.timestamp - b.event.timestamp);
  for (const row of ordered) {
    const { shop } = row.data;
    const email = row.address;
    if (!shop || !email) continue;
    // Not stored (an erased address): a suppression is kept as a keyed hash; nothing to count.
    const erased = row.data.email === null;
    const effect = suppressionEffect(row.event);
    const source = row.event.provider === "postmark" ? row.data.dedupeKey : `sendgrid:${row.data.sgEventId ?? row.data.dedupeKey}`;
    if (effect.kind === "suppress") {
      // SendGrid does not promise order: a resubscribe that happened later wins.
      if (effect.scope === "marketing" && (await happenedLater(tx, { shop, email, event: "group_resubscribe", after: row.event.occurredAt }))) {
        continue;
      }
      const detail = erased && effect.detail ? effect.detail.split(email).join("[erased]") : effect.detail;
      const { created } = await addSuppression(tx, { shop, email, scope: effect.scope, reason: effect.reason, source, detail, hashed: erased });
      if (created) {
        outcome.suppressed += 1;
        notes.set(row.event, effect.scope === "marketing" ? "Marketing emails to this address are now suppressed." : "This address is now suppressed for the shop.");
      }
    } else if (effect.kind === "lift") {
      if (await happenedLater(tx, { shop, email, event: "group_unsubscribe", after: row.event.occurredAt })) continue;
      const removed = await removeSuppression(tx, { shop, email, scope: effect.scope, reason: effect.reason });
      if (removed > 0) {
        outcome.lifted += removed;
        notes.set(row.event, "The marketing unsubscribe was lifted.");
      }
    } else if (effect.kind === "count" && !erased) {
      counted.set(`${shop}\n${email}\n${effect.counter}`, { shop, email, counter: effect.counter, last: row });
    }
  }
  for (const { shop, email, counter, last } of counted.values()) {
    const n = counter === "blocks" ? await countBlocks(tx, { shop, email, since }) : await countDeferrals(tx, { shop, email, since });
    const threshold = counter === "blocks" ? thresholds.blocks : thresholds.deferrals;
    if (n < threshold) continue;
    const what = counter === "blocks" ? "blocked deliveries" : "deferrals without a later delivery";
    const { created } = await addSuppression(tx, {
      shop,
      email,
      scope: "all",
      reason: "blocked",
      source: last.event.provider === "postmark" ? last.data.dedupeKey : `sendgrid:${last.data.sgEventId ?? last.data.dedupeKey}`,
      detail: `${n} ${what} in ${thresholds.windowDays} days; the last: ${last.event.reason ?? "no reason given"}`.slice(0, 500),
    });
    if (created) {
      outcome.suppressed += 1;
      notes.set(last.event, `This address is now suppressed for the shop after ${n} ${what} in ${thresholds.windowDays} days.`);
    }
  }
  return notes;
}

async function happenedLater(tx: Tx, { shop, email, event, after }: { shop: string; email: string; event: string; after: Date }) {
  return !!(await tx.messageEvent.findFirst({ where: { shop, email, event, occurredAt: { gt: after } }, select: { id: true } }));
}

async function countBlocks(tx: Tx, { shop, email, since }: { shop: string; email: string; since: Date }): Promise<number> {
  const bounces = await tx.messageEvent.findMany({
    where: { shop, email, event: "bounce", occurredAt: { gte: since } },
    select: { detail: true },
  });
  return bounces.filter((b) => {
    try {
      return (JSON.parse(b.detail ?? "{}") as { type?: string }).type === "blocked";
    } catch {
      return false;
    }
  }).length;
}

// SendGrid retries a deferred message for days; a deferral followed by delivery shows the
// address works, so only deferrals of messages never delivered count.
async function countDeferrals(tx: Tx, { shop, email, since }: { shop: string; email: string; since: Date }): Promise<number> {
  const rows = await tx.messageEvent.findMany({
    where: { shop, email, event: { in: ["deferred", "delivered"] }, occurredAt: { gte: since } },
    select: { event: true, messageId: true },
  });
  const delivered = new Set(rows.filter((r) => r.event === "delivered" && r.messageId).map((r) => r.messageId));
  return rows.filter((r) => r.event === "deferred" && !(r.messageId && delivered.has(r.messageId))).length;
}
