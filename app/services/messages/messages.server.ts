// Messages: every follow-up of one shop with filters and search, one follow-up's detail
// (rendered email, reason, timeline), and the merchant's two actions on it: cancel a scheduled
// one, retry a failed one. Every query names the shop, so another shop's id finds nothing.
import type { Prisma, PrismaClient } from "@prisma/client";
import { followUpTimeline, type TimelineEntry } from "./timeline.server";
import { audit } from "../compliance/audit.server";
import { followUpsScheduled } from "../intake/follow-ups-scheduled.server";
import { MESSAGE_STATUSES } from "~/components/message-status";
import { previewDocument, previewRecommendations, previewStep, type StepDraft } from "../flows/flow-editor.server";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { stepVariants } from "~/domain/stored-rows";

export const CANCELLED_BY_MERCHANT = "Cancelled by the merchant.";
const PAGE_SIZE = 25;

export interface MessageFilters {
  status?: string | null;
  flowId?: string | null;
  from?: string | null; // YYYY-MM-DD, due on or after
  to?: string | null; // YYYY-MM-DD, due on or before (whole day, UTC)
  q?: string | null; // order name or recipient, part of either
}

export interface MessageRow {
  id: string;
  order: string;
  recipient: string;
  flow: string;
  status: string;
  isTest: boolean;
  dueAt: string;
  sentAt: string | null;
  reason: string | null;
}

function day(text: string | null | undefined, endOfDay: boolean): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = new Date(`${text}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function messageWhere(shop: string, f: MessageFilters): Prisma.FollowUpWhereInput {
  const from = day(f.from, false);
  const to = day(f.to, true);
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
export async function listMessages(
  prisma: PrismaClient,
  { shop, filters, cursor = null, pageSize = PAGE_SIZE }: { shop: string; filters: MessageFilters; cursor?: string | null; pageSize?: number },
): Promise<{ rows: MessageRow[]; nextCursor: string | null; flows: { id: string; name: string }[] }> {
  const where = messageWhere(shop, filters);
  const start = cursor ? await prisma.followUp.findFirst({ where: { shop, id: cursor }, select: { id: true } }) : null;
  const [found, flows] = await Promise.all([
    prisma.followUp.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: pageSize + 1,
      ...(start ? { cursor: { id: start.id }, skip: 1 } : {}),
      include: { order: { select: { name: true } } },
    }),
    prisma.flow.findMany({ where: { shop }, select: { id: true, name: true }, orderBy: { createdAt: "asc" } }),
  ]);
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const page = found.slice(0, pageSize);
  return {
    rows: page.map((f) => ({
      id: f.id,
      order: f.order.name,
      recipient: f.recipient,
      flow: flowName.get(f.flowId) ?? "Deleted flow",
      status: f.status,
      isTest: f.isTest,
      dueAt: f.dueAt.toISOString(),
      sentAt: f.sentAt?.toISOString() ?? null,
      reason: f.skipReason ?? f.lastError,
    })),
    nextCursor: found.length > pageSize ? page[page.length - 1].id : null,
    flows,
  };
}

export interface MessageDetail {
  id: string;
  order: { name: string; email: string | null };
  recipient: string;
  flow: { id: string; name: string } | null;
  stepKey: string;
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
  timeline: (Omit<TimelineEntry, "at"> & { at: string })[];
  canCancel: boolean;
  canRetry: boolean;
}

export async function messageDetail(prisma: PrismaClient, { shop, id }: { shop: string; id: string }): Promise<MessageDetail | null> {
  const f = await prisma.followUp.findFirst({ where: { shop, id }, include: { order: { select: { name: true, email: true } } } });
  if (!f) return null;
  const flow = await prisma.flow.findFirst({ where: { shop, id: f.flowId }, select: { id: true, name: true } });
  const timeline = await followUpTimeline(prisma, f.id);
  return {
    id: f.id,
    order: f.order,
    recipient: f.recipient,
    flow,
    stepKey: f.stepKey,
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
    timeline: timeline.map((t) => ({ ...t, at: t.at.toISOString() })),
    canCancel: f.status === "scheduled",
    canRetry: f.status === "failed" && !f.isTest,
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
export async function retryFollowUp({ prisma, shop, id, actor, now = new Date() }: { prisma: PrismaClient; shop: string; id: string; actor: string; now?: Date }) {
  const retried = await prisma.$transaction(async (tx) => {
    const { count } = await tx.followUp.updateMany({
      where: { shop, id, status: "failed", isTest: false },
      data: { status: "scheduled", nextAttemptAt: now, attempts: 0, claimToken: null, leaseUntil: null },
    });
    if (count === 0) return false;
    await tx.followUpEvent.create({ data: { followUpId: id, type: "retry_requested", detail: "Retried by the merchant.", at: now } });
    await audit(tx, { shop, actor, action: "follow_up.retried", detail: { followUpId: id } });
    return true;
  });
  if (retried) await followUpsScheduled([{ id, dueAt: now }]);
  return retried;
}
