// Sends due follow-ups. Claims are atomic conditional updates, so any number of dispatchers
// can share one database; a claim is a lease, so a dispatcher killed mid-send loses nothing.
import { randomUUID } from "node:crypto";
import type { Flow, FlowStep, Prisma, PrismaClient, Shop } from "@prisma/client";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from "~/domain/retry";
import { fillTemplate } from "~/domain/templating";
import { SendError, type MailTransport } from "~/mail/transport";
import type { EmailCategory } from "~/domain/flows";
import { describeSkipReason } from "~/domain/skip-reasons";
import { isSuppressed } from "./suppressions.server";
import { nextAllowedTime, type SendWindow } from "~/domain/send-window";
import { stepTimeZone } from "~/domain/step-timing";
import { logger as rootLogger, type Logger } from "~/logger.server";

export interface RecommendationRequest {
  shop: string;
  productIds: string[];
  currencyCode: string;
  countryCode: string | null;
  shopCurrency: string | null;
}

export interface RenderRequest {
  template: string;
  subject: string;
  previewText: string | null;
  content: Record<string, unknown> | null;
  shop: { name: string; url: string; logoUrl: string | null; address: string | null };
  customer: { firstName: string | null };
  order: { name: string; currency: string; locale: string | null };
  recommendations: RecommendedProduct[];
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl: string | null;
}

export interface DispatcherDeps {
  prisma: PrismaClient;
  transport: MailTransport;
  recommend: (req: RecommendationRequest) => Promise<RecommendedProduct[]>;
  render: (req: RenderRequest) => Promise<{ html: string; text: string }>;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  // How long a claim lasts before another dispatcher may take the follow-up again.
  leaseMs?: number;
  // Attempts that wait for the Admin API before sending without recommendations.
  recommendationAttempts?: number;
  defaultFromEmail?: string | null;
  logger?: Logger;
  workerId?: string;
  // Marketing consent (and the shop's rule for service emails), asked just before sending.
  checkConsent?: (req: ConsentRequest) => Promise<{ allowed: boolean; reason: string }>;
  // List-Unsubscribe headers and the footer link for one recipient of one follow-up.
  unsubscribe?: (req: UnsubscribeRequest) => { pageUrl: string; headers: Record<string, string> } | null;
  // A shop with its own SendGrid key sends through it.
  transportFor?: (shop: Shop) => MailTransport;
  streams?: Partial<Record<EmailCategory, { ipPool?: string; asmGroupId?: number }>>;
}

export interface ConsentRequest {
  shop: string;
  customerId: string | null;
  email: string;
  category: EmailCategory;
  // The shop's settings.
  marketingConsentRequired: boolean;
  serviceEmailsAllowed: boolean;
}

export interface UnsubscribeRequest {
  shop: string;
  email: string;
  followUpId: string;
  category: EmailCategory;
  lang: string | null;
}

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

type Outcome = "sent" | "retried" | "failed" | "skipped" | "lost";

interface Claim {
  id: string;
  token: string;
  attempt: number;
}

type ClaimedFollowUp = Prisma.FollowUpGetPayload<{ include: { order: true } }> & { claim: Claim };

// Shop and flow state read once per pass: a pass lasts well under a second.
interface PassCache {
  shops: Map<string, Promise<Shop | null>>;
  steps: Map<string, Promise<(FlowStep & { flow: Flow }) | null>>;
}

export function createDispatcher(deps: DispatcherDeps) {
  const prisma = deps.prisma;
  const now = deps.now ?? (() => new Date());
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const leaseMs = deps.leaseMs ?? 120_000;
  const recommendationAttempts = deps.recommendationAttempts ?? 3;
  const workerId = deps.workerId ?? `dispatcher-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? rootLogger).child({ component: "dispatcher", workerId });

  async function event(followUpId: string, type: string, detail: string | null, at = now()) {
    await prisma.followUpEvent.create({ data: { followUpId, type, detail, at } });
  }

  // Claims a batch in one conditional UPDATE: a row is taken only if it is still due (or its
  // lease ran out) at that instant, so two dispatchers never take the same follow-up. Rows
  // another dispatcher took meanwhile simply do not match.
  async function claimDue(limit: number): Promise<ClaimedFollowUp[]> {
    const at = now();
    const due = {
      OR: [
        { status: "scheduled", nextAttemptAt: { lte: at } },
        { status: "sending", leaseUntil: { lt: at } },
      ],
    };
    // Another dispatcher may take the very rows we picked between our read and our update;
    // then pick again rather than report that nothing is due.
    let candidates: { id: string; status: string }[] = [];
    const token = randomUUID();
    for (let round = 0; round < 5; round++) {
      candidates = await prisma.followUp.findMany({
        where: due,
        orderBy: { nextAttemptAt: "asc" },
        take: limit,
        select: { id: true, status: true },
      });
      if (candidates.length === 0) return [];
      const { count } = await prisma.followUp.updateMany({
        where: { id: { in: candidates.map((c) => c.id) }, ...due },
        data: { status: "sending", claimToken: token, leaseUntil: new Date(at.getTime() + leaseMs), attempts: { increment: 1 } },
      });
      if (count > 0) break;
    }
    const claimed = await prisma.followUp.findMany({ where: { claimToken: token }, include: { order: true } });
    const reclaimed = new Set(candidates.filter((c) => c.status === "sending").map((c) => c.id));
    const taken = claimed.filter((f) => reclaimed.has(f.id));
    if (taken.length) {
      await prisma.followUpEvent.createMany({
        data: taken.map((f) => ({
          followUpId: f.id,
          type: "reclaimed",
          detail: `The previous claim's lease expired; taken by ${workerId}.`,
          at,
        })),
      });
    }
    return claimed.map((f) => ({ ...f, claim: { id: f.id, token, attempt: f.attempts } }));
  }

  // Every end state is written only while we still hold the claim.
  // `ev` null: the row itself is the record (a sent follow-up carries sentAt and the message id).
  async function finish(
    claim: Claim,
    data: Record<string, unknown>,
    ev: { type: string; detail: string | null } | null,
  ): Promise<boolean> {
    const { count } = await prisma.followUp.updateMany({
      where: { id: claim.id, claimToken: claim.token },
      data: { ...data, claimToken: null, leaseUntil: null },
    });
    if (count === 1 && ev) await event(claim.id, ev.type, ev.detail);
    if (count !== 1) log.warn("lost the claim before finishing", { followUpId: claim.id, outcome: ev?.type ?? "sent" });
    return count === 1;
  }

  async function skip(claim: Claim, status: "cancelled" | "skipped", reason: string): Promise<Outcome> {
    return (await finish(claim, { status, skipReason: reason }, { type: status, detail: reason })) ? "skipped" : "lost";
  }

  async function retryOrFail(claim: Claim, error: string, notBefore?: Date | null): Promise<Outcome> {
    const decision = nextAttempt({ attempt: claim.attempt, now: now(), policy, notBefore });
    if (decision.retry && decision.at) {
      const ok = await finish(
        claim,
        { status: "scheduled", nextAttemptAt: decision.at, lastError: error },
        { type: "retry", detail: `${error} Next attempt at ${decision.at.toISOString()}.` },
      );
      return ok ? "retried" : "lost";
    }
    const detail = `${error} Gave up after ${claim.attempt} attempts.`;
    const ok = await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail });
    return ok ? "failed" : "lost";
  }

  async function deliver(followUp: ClaimedFollowUp, cache: PassCache): Promise<Outcome> {
    const claim = followUp.claim;
    const flog = log.child({ shop: followUp.shop, orderId: followUp.orderId, followUpId: followUp.id });

    if (claim.attempt > policy.maxAttempts) {
      // Crashed or stuck on every attempt (e.g. killed mid-send each time).
      const detail = `Gave up after ${policy.maxAttempts} attempts; the last one did not finish.`;
      return (await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail })) ? "failed" : "lost";
    }

    // Re-checked just before sending: things change between scheduling and the due time.
    if (!cache.shops.has(followUp.shop))
      cache.shops.set(followUp.shop, prisma.shop.findUnique({ where: { domain: followUp.shop } }));
    const shop = await cache.shops.get(followUp.shop)!;
    if (!shop || shop.uninstalledAt) return skip(claim, "cancelled", "The app was uninstalled from the shop.");
    if (!shop.sendingEnabled) return skip(claim, "skipped", "Sending is turned off for this shop.");
    // Paused for deliverability: held (no attempt used) until the merchant resumes sending.
    if (shop.sendingPausedAt) {
      const held = `Held: sending is paused (${shop.sendingPausedReason ?? "deliverability"}). Resume it on the Analytics page.`;
      const at = new Date(now().getTime() + 15 * 60_000);
      return (await finish(claim, { status: "scheduled", nextAttemptAt: at, attempts: claim.attempt - 1, lastError: held }, null)) ? "retried" : "lost";
    }
    // Read again now, not with the claim: orders/cancelled may have landed a moment ago.
    const current = await prisma.order.findUnique({ where: { id: followUp.orderRef }, select: { cancelledAt: true } });
    if (!current || current.cancelledAt) return skip(claim, "cancelled", "The order was cancelled.");
    if (!cache.steps.has(followUp.stepId))
      cache.steps.set(followUp.stepId, prisma.flowStep.findUnique({ where: { id: followUp.stepId }, include: { flow: true } }));
    const step = await cache.steps.get(followUp.stepId)!;
    if (!step) return skip(claim, "skipped", "The flow step was deleted.");
    if (!step.flow.active) return skip(claim, "skipped", `The flow "${step.flow.name}" was turned off.`);
    if (!followUp.recipient) return skip(claim, "skipped", "The order has no email address to send to.");

    // A retry or a late pass can land outside the step's send window: wait for it to open,
    // without counting an attempt.
    if (step.sendWindow) {
      const window = nextAllowedTime({
        at: now(),
        window: JSON.parse(step.sendWindow) as SendWindow,
        timeZone: stepTimeZone({ customerTimeZone: null, shopTimeZone: shop.ianaTimezone }),
      });
      if (window.moved) {
        const ok = await finish(
          claim,
          { status: "scheduled", nextAttemptAt: window.at, attempts: claim.attempt - 1 },
          { type: "moved", detail: window.reason },
        );
        return ok ? "retried" : "lost";
      }
    }

    const category = (step.category === "service" ? "service" : "marketing") as EmailCategory;
    const marketing = category === "marketing";
    const suppression = await isSuppressed(prisma, { shop: followUp.shop, email: followUp.recipient, marketing });
    if (suppression) {
      const scope = suppression.scope === "marketing" ? "marketing" : "all";
      const reason =
        suppression.reason === "unsubscribed"
          ? describeSkipReason({ code: "unsubscribed", scope, source: "suppression" })
          : describeSkipReason({ code: "suppressed", suppression: suppression.reason, scope });
      return skip(claim, "skipped", reason);
    }
    if (deps.checkConsent) {
      const consent = await deps.checkConsent({
        shop: followUp.shop,
        customerId: followUp.order.customerId,
        email: followUp.recipient,
        category,
        marketingConsentRequired: shop.marketingConsentRequired,
        serviceEmailsAllowed: shop.serviceEmailsAllowed,
      });
      if (!consent.allowed) return skip(claim, "skipped", consent.reason);
    }

    const fromEmail = shop.senderEmail ?? deps.defaultFromEmail ?? shop.email;
    if (!fromEmail) {
      const detail = "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).";
      return (await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail })) ? "failed" : "lost";
    }

    const order = followUp.order;
    const links =
      deps.unsubscribe?.({
        shop: followUp.shop,
        email: followUp.recipient,
        followUpId: followUp.id,
        category,
        lang: order.locale,
      }) ?? null;
    const productIds = JSON.parse(order.productIds) as string[];
    let recommendations: RecommendedProduct[] = [];
    try {
      recommendations = await deps.recommend({
        shop: followUp.shop,
        productIds,
        currencyCode: order.currency,
        countryCode: order.countryCode,
        shopCurrency: order.shopCurrency ?? shop.currencyCode,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (claim.attempt < recommendationAttempts) {
        flog.warn("recommendations unavailable; will retry the follow-up", { attempt: claim.attempt, err });
        return retryOrFail(claim, `Recommendations could not be loaded: ${why}`);
      }
      // The email is still worth sending; a thank-you without products beats none.
      flog.warn("recommendations unavailable after retries; sending without them", { attempt: claim.attempt, err });
      await event(claim.id, "recommendations_unavailable", `Sent without recommendations: ${why}`);
    }

    const values = {
      "customer.first_name": order.firstName,
      "order.name": order.name,
      "shop.name": shop.name ?? shop.domain,
    };
    const storefront = shop.storefrontUrl ?? `https://${shop.domain}`;
    let rendered: { html: string; text: string };
    const subject = fillTemplate(step.subject, values);
    try {
      rendered = await deps.render({
        template: followUp.template,
        subject,
        previewText: step.previewText ? fillTemplate(step.previewText, values) : null,
        content: step.content ? (JSON.parse(step.content) as Record<string, unknown>) : null,
        shop: { name: shop.name ?? shop.domain, url: storefront, logoUrl: shop.logoUrl, address: shop.address },
        customer: { firstName: order.firstName },
        order: { name: order.name, currency: order.currency, locale: order.locale },
        recommendations,
        utm: { source: "afterglow", medium: "email", campaign: step.flow.key, content: step.key },
        unsubscribeUrl: links?.pageUrl ?? null,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      flog.error("rendering failed", { err });
      return retryOrFail(claim, `The email could not be rendered: ${why}`);
    }

    try {
      const transport = deps.transportFor?.(shop) ?? deps.transport;
      const stream = deps.streams?.[category] ?? {};
      const result = await transport.send({
        shop: followUp.shop,
        followUpId: followUp.id,
        to: { email: followUp.recipient, ...(order.firstName ? { name: order.firstName } : {}) },
        from: { email: fromEmail, name: shop.senderName ?? shop.name ?? undefined },
        ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
        subject,
        html: rendered.html,
        text: rendered.text,
        categories: ["afterglow", category, `flow:${step.flow.key}`],
        ...(links ? { headers: links.headers } : {}),
        ...(stream.ipPool ? { ipPool: stream.ipPool } : {}),
        ...(stream.asmGroupId ? { asmGroupId: stream.asmGroupId } : {}),
        customArgs: {
          followUpId: followUp.id,
          shop: followUp.shop,
          flow: step.flow.key,
          step: step.key,
        },
      });
      const sentAt = now();
      const ok = await finish(
        claim,
        { status: "sent", sentAt, messageId: result.messageId, transport: result.transport, lastError: null },
        null,
      );
      flog.info("follow-up sent", {
        transport: result.transport,
        messageId: result.messageId,
        attempt: claim.attempt,
        lateMs: sentAt.getTime() - followUp.dueAt.getTime(),
        recommendations: recommendations.length,
      });
      return ok ? "sent" : "lost";
    } catch (err) {
      if (err instanceof SendError && err.kind === "permanent") {
        const detail = `${err.message}${err.details ? ` (${err.details})` : ""}`;
        flog.warn("send failed permanently", { status: err.status, err });
        const ok = await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail });
        return ok ? "failed" : "lost";
      }
      const why = err instanceof Error ? err.message : String(err);
      flog.warn("send failed; will retry", { status: err instanceof SendError ? err.status : undefined, err });
      return retryOrFail(claim, `Sending failed: ${why}`, err instanceof SendError ? err.retryAt : null);
    }
  }

  async function runOnce({ limit = 50 }: { limit?: number } = {}): Promise<DispatchSummary> {
    const summary: DispatchSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    const claimed = await claimDue(limit);
    summary.claimed = claimed.length;
    const cache: PassCache = { shops: new Map(), steps: new Map() };
    for (const followUp of claimed) {
      let outcome: Outcome;
      try {
        outcome = await deliver(followUp, cache);
      } catch (err) {
        // Not a send error (a bug, a bad setting): retried with backoff like one, and kept with
        // its error when attempts run out. If even that write fails, the lease expiring retries it.
        const why = err instanceof Error ? err.message : String(err);
        log.error("dispatch failed unexpectedly", { followUpId: followUp.id, err });
        outcome = await retryOrFail(followUp.claim, `Unexpected error: ${why}`).catch(() => "lost" as const);
      }
      if (outcome !== "lost") summary[outcome] += 1;
    }
    return summary;
  }

  // Drains everything due now (used by `dispatch --once` and the demo).
  async function drain({ limit = 50 }: { limit?: number } = {}): Promise<DispatchSummary> {
    const total: DispatchSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    for (;;) {
      const s = await runOnce({ limit });
      for (const k of Object.keys(total) as (keyof DispatchSummary)[]) total[k] += s[k];
      if (s.claimed === 0) return total;
    }
  }

  return { runOnce, drain, workerId };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
