// Messages: every follow-up of one shop with filters and search, one follow-up's detail
// (rendered email, reason, timeline), and the merchant's two actions on it: cancel a scheduled
// one, retry a failed one. Every query names the shop, so another shop's id finds nothing.
import type { Prisma, PrismaClient } from "@prisma/client";
import { followUpTimeline } from "./timeline.server";
import { audit } from "../compliance/audit.server";
import { followUpsScheduled } from "../intake/follow-ups-scheduled.server";
import { MESSAGE_STATUSES, statusLabel } from "~/components/message-status";
import { formatDateTime } from "~/components/shop-time";
import { previewDocument, previewRecommendations, previewStep, type StepDraft } from "../flows/flow-editor.server";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { stepVariants } from "~/domain/stored-rows";
import { isFailureCode } from "~/domain/failure-codes";
import { flowTimeZone } from "~/domain/scheduling";
import { deliveryProblem, describeTimelineEntry, explainFailure, type DeliveryFacts, type FailureExplanation, type RecordedFailure, type TimelineTone } from "~/domain/message-wording";
import { isSuppressed } from "../consent/suppressions.server";
import { senderInUse } from "../shop/sender-in-use.server";
import { DateTime } from "luxon";

export const CANCELLED_BY_MERCHANT = "Cancelled by the merchant.";
const PAGE_SIZE = 25;

export interface MessageFilters {
  status?: string | null;
  flowId?: string | null;
  from?: string | null; // YYYY-MM-DD, due on or after
  to?: string | null; // YYYY-MM-DD, due on or before (whole day, UTC)
  q?: string | null; // order name or recipient, part of either
}

// The shop's zone: "due on 3 Oct" means the shop's 3 Oct, as every date on the page is shown.
export interface MessageListOptions {
  timeZone?: string | null;
}

export interface MessageRow {
  id: string;
  order: string;
  recipient: string;
  flow: string;
  step: string;
  status: string;
  isTest: boolean;
  dueAt: string;
  sentAt: string | null;
  reason: string | null;
}

function day(text: string | null | undefined, endOfDay: boolean, timeZone: string): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  let d = DateTime.fromISO(text, { zone: timeZone });
  if (!d.isValid) d = DateTime.fromISO(text, { zone: "UTC" }); // a zone this runtime does not know
  if (!d.isValid) return null;
  return (endOfDay ? d.endOf("day") : d.startOf("day")).toJSDate();
}

export function messageWhere(shop: string, f: MessageFilters, { timeZone }: MessageListOptions = {}): Prisma.FollowUpWhereInput {
  const zone = timeZone || "UTC";
  const from = day(f.from, false, zone);
  const to = day(f.to, true, zone);
  const q = f.q?.trim();
  return {
    shop,
    ...(f.status && (MESSAGE_STATUSES as readonly string[]).includes(f.status) ? { status: f.status } : {}),
    ...(f.flowId ? { flowId: f.flowId } : {}),
    ...(from || to ? { dueAt: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
    ...(q
      ? { OR: [{ recipient: { contains: q.toLowerCase() } }, { order: { name: { contains: q.startsWith("#") || !/^\d+$/.test(q) ? q : `#${q}` } } }] }
      : {}),
  };
}

// Newest first; the cursor is the last row's id, only honoured if it is this shop's row.
// `anyFollowUps` tells an empty search from a shop that has sent nothing yet.
export async function listMessages(
  prisma: PrismaClient,
  {
    shop,
    filters,
    cursor = null,
    pageSize = PAGE_SIZE,
  }: { shop: string; filters: MessageFilters; cursor?: string | null; pageSize?: number },
): Promise<{ rows: MessageRow[]; nextCursor: string | null; flows: { id: string; name: string }[]; anyFollowUps: boolean }> {
  const timeZone = (await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } }))?.ianaTimezone ?? null;
  const where = messageWhere(shop, filters, { timeZone });
  const start = cursor ? await prisma.followUp.findFirst({ where: { shop, id: cursor }, select: { id: true } }) : null;
  const [found, flows, anyFollowUp] = await Promise.all([
    prisma.followUp.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: pageSize + 1,
      ...(start ? { cursor: { id: start.id }, skip: 1 } : {}),
      include: { order: { select: { name: true } } },
    }),
    prisma.flow.findMany({ where: { shop }, select: { id: true, name: true }, orderBy: { createdAt: "asc" } }),
    prisma.followUp.findFirst({ where: { shop }, select: { id: true } }),
  ]);
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const page = found.slice(0, pageSize);
  const [steps, explain] = await Promise.all([stepNames(prisma, shop, page.map((f) => f.stepId)), failureExplainer(prisma, shop, page)]);
  return {
    rows: page.map((f) => ({
      id: f.id,
      order: f.order.name,
      recipient: f.recipient,
      flow: flowName.get(f.flowId) ?? "Deleted flow",
      step: steps.get(f.stepId) ?? "Deleted step",
      status: f.status,
      isTest: f.isTest,
      dueAt: f.dueAt.toISOString(),
      sentAt: f.sentAt?.toISOString() ?? null,
      // A failure's cause in the merchant's words; the error itself is on the follow-up's page.
      reason: listReason(f, explain),
    })),
    nextCursor: found.length > pageSize ? page[page.length - 1].id : null,
    flows,
    anyFollowUps: anyFollowUp !== null,
  };
}

// One order's follow-ups, as the order page's block in the Shopify admin lists them
// (extensions/order-follow-ups): in the order they go out, times in the shop's time zone.
export interface OrderFollowUpRow {
  id: string;
  flow: string;
  step: string;
  status: string;
  statusLabel: string;
  // When it went out, or is (was) due: "Dec 7, 2026, 1:05 PM" in the shop's zone.
  when: string;
  reason: string | null;
  canCancel: boolean;
}

export async function orderFollowUps(prisma: PrismaClient, { shop, orderId }: { shop: string; orderId: string }): Promise<{ order: string; timeZone: string; rows: OrderFollowUpRow[] } | null> {
  const order = await prisma.order.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { id: true, name: true } });
  if (!order) return null;
  const [found, shopRow] = await Promise.all([
    prisma.followUp.findMany({ where: { shop, orderRef: order.id, isTest: false }, orderBy: [{ dueAt: "asc" }, { id: "asc" }] }),
    prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } }),
  ]);
  const timeZone = shopRow?.ianaTimezone || "UTC";
  const flows = await prisma.flow.findMany({ where: { shop, id: { in: [...new Set(found.map((f) => f.flowId))] } }, select: { id: true, name: true } });
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const [steps, explain] = await Promise.all([stepNames(prisma, shop, found.map((f) => f.stepId)), failureExplainer(prisma, shop, found)]);
  return {
    order: order.name,
    timeZone,
    rows: found.map((f) => ({
      id: f.id,
      flow: flowName.get(f.flowId) ?? "Deleted flow",
      step: steps.get(f.stepId) ?? "Deleted step",
      status: f.status,
      statusLabel: statusLabel(f.status),
      when: formatDateTime(f.sentAt ?? f.dueAt, timeZone),
      reason: listReason(f, explain),
      canCancel: f.status === "scheduled",
    })),
  };
}

// What the list says beside the status: a skip's reason, or a failure's cause in the merchant's
// words, the same words as the follow-up's page (the error itself is there).
function listReason(f: FailedRow & { skipReason: string | null }, explain: (f: FailedRow) => FailureExplanation | null): string | null {
  if (f.status === "failed") return explain(f)?.cause ?? null;
  if (f.status === "scheduled" && f.lastError) return `Trying again later. ${explainFailure({ error: f.lastError }).cause}`;
  return f.skipReason;
}

// A step as the flow editor names it: "Step 2".
async function stepNames(prisma: PrismaClient, shop: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const steps = await prisma.flowStep.findMany({ where: { id: { in: [...new Set(ids)] }, flow: { shop } }, select: { id: true, position: true } });
  return new Map(steps.map((s) => [s.id, `Step ${s.position + 1}`]));
}

// One timeline step: the merchant's words, and the recorded type and text for the details view.
export interface MessageTimelineEntry {
  at: string;
  title: string;
  description: string | null;
  tone: TimelineTone;
  type: string;
  detail: string | null;
}

export interface MessageDetail {
  id: string;
  order: { name: string; email: string | null; adminId: string | null };
  recipient: string;
  flow: { id: string; name: string } | null;
  stepKey: string;
  step: string;
  status: string;
  isTest: boolean;
  variant: string | null;
  dueAt: string;
  sentAt: string | null;
  attempts: number;
  messageId: string | null;
  transport: string | null;
  skipReason: string | null;
  lastError: string | null;
  // A failed follow-up: why, in the merchant's words, and the one thing to do about it.
  failure: FailureExplanation | null;
  // A sent one that bounced or was dropped afterwards.
  deliveryProblem: string | null;
  // SendGrid's ids of the email and its events, for the details view and SendGrid's support.
  sendgridMessageIds: string[];
  timeline: MessageTimelineEntry[];
  // For a flow that sends in the customer's time: the zone its due time was read in, whose it is,
  // and the address it came from (null: the address did not tell, so the shop's). Null otherwise.
  sendTime: { of: "shop" | "customer"; timeZone: string; source: string | null } | null;
  canCancel: boolean;
  canRetry: boolean;
}

function numericId(gid: string): string | null {
  return /\/(\d+)$/.exec(gid)?.[1] ?? (/^\d+$/.test(gid) ? gid : null);
}

function factsOf(e: { reason: string | null; detail: string | null; machineOpen: boolean }): DeliveryFacts {
  let kept: Record<string, unknown> = {};
  try {
    kept = e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : {};
  } catch {
    // Cleared or older rows: the type alone still says what happened.
  }
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    reason: e.reason,
    status: text(kept.status),
    bounceType: text(kept.type),
    bounceClassification: text(kept.bounce_classification),
    url: text(kept.url),
    machineOpen: e.machineOpen,
  };
}

type FailedRow = { id: string; status: string; isTest: boolean; lastError: string | null; recipient: string; category: string };

// Each failed follow-up's explanation, for one follow-up or a page of them with a fixed number of
// queries: the code recorded with each failure, whether the recipient is suppressed now (that
// outranks the cause), and the shop's sender and SendGrid key now (a cause in the setup fixed
// since the failure makes sending again worth it).
async function failureExplainer(prisma: PrismaClient, shop: string, rows: FailedRow[]): Promise<(f: FailedRow) => FailureExplanation | null> {
  const failed = rows.filter((f) => f.status === "failed");
  if (failed.length === 0) return () => null;
  // One suppression check per address and kind of mail; a page holds few failures.
  const suppressionKey = (f: FailedRow) => `${f.recipient}|${f.category !== "service"}`;
  const [codes, domain, sender, keyChange, suppressed] = await Promise.all([
    prisma.followUpFailure.findMany({ where: { followUpId: { in: failed.map((f) => f.id) } } }),
    prisma.senderDomain.findUnique({ where: { shop }, select: { verifiedAt: true } }),
    senderInUse({ prisma, shop }),
    // The shop's own SendGrid key set or removed (by support, `afterglow`'s CLI): the last time.
    prisma.auditLog.findFirst({ where: { shop, action: { in: ["sendgrid_key.set", "sendgrid_key.removed"] } }, orderBy: { at: "desc" }, select: { at: true } }),
    Promise.all(
      [...new Map(failed.map((f) => [suppressionKey(f), f])).values()].map(
        async (f) => [suppressionKey(f), Boolean(await isSuppressed(prisma, { shop, email: f.recipient, marketing: f.category !== "service" }))] as const,
      ),
    ),
  ]);
  const recorded = new Map(codes.flatMap((c) => (isFailureCode(c.code) ? [[c.followUpId, { code: c.code, at: c.at } satisfies RecordedFailure]] : [])));
  const isSuppressedNow = new Map(suppressed);
  return (f) =>
    f.status !== "failed"
      ? null
      : explainFailure({
          error: f.isTest ? `Test send failed: ${f.lastError ?? ""}` : f.lastError,
          suppressed: isSuppressedNow.get(suppressionKey(f)) ?? false,
          failure: recorded.get(f.id) ?? null,
          senderVerifiedAt: domain?.verifiedAt ?? null,
          senderSetNow: sender !== null,
          sendKeyChangedAt: keyChange?.at ?? null,
        });
}

async function followUpSendTime(
  prisma: PrismaClient,
  { shop, flowId, orderRef }: { shop: string; flowId: string; orderRef: string },
): Promise<MessageDetail["sendTime"]> {
  const flow = await prisma.flow.findFirst({ where: { shop, id: flowId }, select: { sendTimeZone: true } });
  if (flow?.sendTimeZone !== "customer") return null;
  const [kept, shopRow] = await Promise.all([
    prisma.customerTimeZone.findUnique({ where: { orderRef } }),
    prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } }),
  ]);
  const { zone, of } = flowTimeZone({ sendTimeZone: "customer", customerTimeZone: kept?.timeZone, shopTimeZone: shopRow?.ianaTimezone });
  return { of, timeZone: zone, source: of === "customer" ? (kept?.source ?? null) : null };
}

export async function messageDetail(prisma: PrismaClient, { shop, id }: { shop: string; id: string }): Promise<MessageDetail | null> {
  const f = await prisma.followUp.findFirst({ where: { shop, id }, include: { order: { select: { name: true, email: true, orderId: true } } } });
  if (!f) return null;
  const [flow, step, timeline, deliveryEvents, sendTime] = await Promise.all([
    prisma.flow.findFirst({ where: { shop, id: f.flowId }, select: { id: true, name: true } }),
    prisma.flowStep.findFirst({ where: { id: f.stepId, flow: { shop } }, select: { position: true } }),
    followUpTimeline(prisma, f.id),
    prisma.messageEvent.findMany({ where: { followUpId: f.id }, orderBy: { occurredAt: "asc" } }),
    followUpSendTime(prisma, { shop, flowId: f.flowId, orderRef: f.orderRef }),
  ]);
  // SendGrid's events are in the timeline as the follow-up's events; the stored event keeps its facts.
  const factsAt = new Map(deliveryEvents.map((e) => [`${e.event}@${e.occurredAt.getTime()}`, factsOf(e)]));
  const entries = timeline.map((t) => {
    const facts = factsAt.get(`${t.type}@${t.at.getTime()}`) ?? {};
    return { ...t, facts, ...describeTimelineEntry({ type: t.type, detail: t.detail, facts }) };
  });
  const failed = f.status === "failed";
  const failure = (await failureExplainer(prisma, shop, [f]))(f);
  return {
    id: f.id,
    order: { name: f.order.name, email: f.order.email, adminId: numericId(f.order.orderId) },
    recipient: f.recipient,
    flow,
    stepKey: f.stepKey,
    step: step ? `Step ${step.position + 1}` : "Deleted step",
    status: f.status,
    isTest: f.isTest,
    variant: f.variant,
    dueAt: f.dueAt.toISOString(),
    sentAt: f.sentAt?.toISOString() ?? null,
    attempts: f.attempts,
    messageId: f.messageId,
    transport: f.transport,
    skipReason: f.skipReason,
    lastError: f.lastError,
    failure,
    deliveryProblem: f.status === "sent" ? deliveryProblem(entries) : null,
    sendgridMessageIds: [...new Set([f.messageId, ...deliveryEvents.map((e) => e.messageId)].filter((m): m is string => Boolean(m)))],
    timeline: entries.map((t) => ({ at: t.at.toISOString(), title: t.title, description: t.description, tone: t.tone, type: t.type, detail: t.detail })),
    sendTime,
    canCancel: f.status === "scheduled",
    canRetry: failed && !f.isTest && Boolean(failure?.retryHelps),
  };
}

// The email as the dispatcher would render it now, for the detail page's iframe. The body of a
// sent email is not kept past retention, and the step may have changed since: the page says so.
export async function renderMessage(prisma: PrismaClient, { shop, id }: { shop: string; id: string }): Promise<string | null> {
  const f = await prisma.followUp.findFirst({ where: { shop, id }, include: { order: true } });
  if (!f) return null;
  const [shopRow, step] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop } }),
    prisma.flowStep.findFirst({ where: { id: f.stepId, flow: { shop } }, include: { flow: { select: { key: true } } } }),
  ]);
  if (!shopRow || !step) return null;
  const draft: Pick<StepDraft, "key" | "template" | "subject" | "previewText" | "content" | "variants"> = {
    key: step.key,
    template: f.template,
    subject: step.subject,
    previewText: step.previewText ?? "",
    content: step.content ? (JSON.parse(step.content) as Record<string, unknown>) : null,
    variants: stepVariants(step),
  };
  // The customer's variant, if the step still has it; the store's recommendations for the order,
  // as the dispatcher would pick them now (samples when Shopify does not answer).
  const variantKey = f.variant && draft.variants?.variants.some((v) => v.key === f.variant) ? f.variant : null;
  const needsProducts = !isTemplateId(f.template) || TEMPLATES[f.template].needs.recommendations;
  const picked = needsProducts ? await previewRecommendations({ prisma, shop: shopRow, real: f.order }) : null;
  // Its own due time and code: the discount shows as the customer got it.
  const rendered = await previewStep({
    prisma,
    shop: shopRow,
    flowKey: step.flow.key,
    step: draft,
    variantKey,
    ...(picked ? { recommendations: picked.products } : {}),
    order: f.order,
    dueAt: f.dueAt,
    discountCode: f.discountCode,
  });
  return previewDocument(rendered);
}

// scheduled → cancelled. The conditional update loses to a dispatcher that claimed it first.
export async function cancelFollowUp({ prisma, shop, id, actor, now = new Date() }: { prisma: PrismaClient; shop: string; id: string; actor: string; now?: Date }) {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.followUp.updateMany({
      where: { shop, id, status: "scheduled" },
      data: { status: "cancelled", skipReason: CANCELLED_BY_MERCHANT, claimToken: null, leaseUntil: null },
    });
    if (count === 0) return false;
    await tx.followUpEvent.create({ data: { followUpId: id, type: "cancelled", detail: CANCELLED_BY_MERCHANT, at: now } });
    await audit(tx, { shop, actor, action: "follow_up.cancelled", detail: { followUpId: id } });
    return true;
  });
}

// failed → scheduled now, with a fresh set of attempts; the error stays until the next outcome.
// Only when sending again can help: a bad address or a missing sender fails the same way again.
export async function retryFollowUp({
  prisma,
  shop,
  id,
  actor,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  id: string;
  actor: string;
  now?: Date;
}): Promise<{ ok: true } | { ok: false; why: string }> {
  const row = await prisma.followUp.findFirst({ where: { shop, id }, select: { id: true, status: true, isTest: true, lastError: true, recipient: true, category: true } });
  if (!row || row.status !== "failed" || row.isTest) return { ok: false, why: "Only a failed follow-up can be sent again." };
  const failure = (await failureExplainer(prisma, shop, [row]))(row)!;
  if (!failure.retryHelps) return { ok: false, why: `Sending again would fail the same way. ${failure.cause}` };
  const retried = await prisma.$transaction(async (tx) => {
    const { count } = await tx.followUp.updateMany({
      where: { shop, id, status: "failed", isTest: false },
      data: { status: "scheduled", nextAttemptAt: now, attempts: 0, claimToken: null, leaseUntil: null },
    });
    if (count === 0) return false;
    await tx.followUpEvent.create({ data: { followUpId: id, type: "retry_requested", detail: "Retried by the merchant.", at: now } });
    // Its failure is behind it; a new one is recorded if this attempt fails too.
    await tx.followUpFailure.deleteMany({ where: { followUpId: id } });
    await audit(tx, { shop, actor, action: "follow_up.retried", detail: { followUpId: id } });
    return true;
  });
  if (!retried) return { ok: false, why: "Only a failed follow-up can be sent again." };
  await followUpsScheduled([{ id, dueAt: now }]);
  return { ok: true };
}
