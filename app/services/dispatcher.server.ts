// Sends due follow-ups. Claims are atomic conditional updates, so any number of dispatchers
// can share one database; a claim is a lease, so a dispatcher killed mid-send loses nothing.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from "~/domain/retry";
import { fillTemplate } from "~/domain/templating";
import { SendError, type MailTransport } from "~/mail/transport";
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

  // Takes one candidate if nobody else did: the update only matches the row as we read it.
  async function tryClaim(candidate: {
    id: string;
    status: string;
    claimToken: string | null;
    attempts: number;
  }): Promise<Claim | null> {
    const token = randomUUID();
    const at = now();
    const { count } = await prisma.followUp.updateMany({
      where: {
        id: candidate.id,
        status: candidate.status,
        claimToken: candidate.claimToken,
        attempts: candidate.attempts,
      },
      data: {
        status: "sending",
        claimToken: token,
        leaseUntil: new Date(at.getTime() + leaseMs),
        attempts: { increment: 1 },
      },
    });
    if (count !== 1) return null;
    if (candidate.status === "sending") {
      await event(candidate.id, "reclaimed", `The previous claim's lease expired; taken by ${workerId}.`, at);
    }
    return { id: candidate.id, token, attempt: candidate.attempts + 1 };
  }

  async function claimDue(limit: number): Promise<Claim[]> {
    const at = now();
    const candidates = await prisma.followUp.findMany({
      where: {
        OR: [
          { status: "scheduled", nextAttemptAt: { lte: at } },
          { status: "sending", leaseUntil: { lt: at } },
        ],
      },
      orderBy: { nextAttemptAt: "asc" },
      take: limit,
      select: { id: true, status: true, claimToken: true, attempts: true },
    });
    const claims: Claim[] = [];
    for (const c of candidates) {
      const claim = await tryClaim(c);
      if (claim) claims.push(claim);
    }
    return claims;
  }

  // Every end state is written only while we still hold the claim.
  async function finish(
    claim: Claim,
    data: Record<string, unknown>,
    ev: { type: string; detail: string | null },
  ): Promise<boolean> {
    const { count } = await prisma.followUp.updateMany({
      where: { id: claim.id, claimToken: claim.token },
      data: { ...data, claimToken: null, leaseUntil: null },
    });
    if (count === 1) await event(claim.id, ev.type, ev.detail);
    else log.warn("lost the claim before finishing", { followUpId: claim.id, outcome: ev.type });
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

  async function deliver(claim: Claim): Promise<Outcome> {
    const followUp = await prisma.followUp.findUnique({ where: { id: claim.id }, include: { order: true } });
    if (!followUp) return "lost";
    const flog = log.child({ shop: followUp.shop, orderId: followUp.orderId, followUpId: followUp.id });

    if (claim.attempt > policy.maxAttempts) {
      // Crashed or stuck on every attempt (e.g. killed mid-send each time).
      const detail = `Gave up after ${policy.maxAttempts} attempts; the last one did not finish.`;
      return (await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail })) ? "failed" : "lost";
    }

    // Re-checked just before sending: things change between scheduling and the due time.
    const shop = await prisma.shop.findUnique({ where: { domain: followUp.shop } });
    if (!shop || shop.uninstalledAt) return skip(claim, "cancelled", "The app was uninstalled from the shop.");
    if (!shop.sendingEnabled) return skip(claim, "skipped", "Sending is turned off for this shop.");
    if (followUp.order.cancelledAt) return skip(claim, "cancelled", "The order was cancelled.");
    const step = await prisma.flowStep.findUnique({ where: { id: followUp.stepId }, include: { flow: true } });
    if (!step) return skip(claim, "skipped", "The flow step was deleted.");
    if (!step.flow.active) return skip(claim, "skipped", `The flow "${step.flow.name}" was turned off.`);
    if (!followUp.recipient) return skip(claim, "skipped", "The order has no email address to send to.");

    const fromEmail = shop.senderEmail ?? deps.defaultFromEmail ?? shop.email;
    if (!fromEmail) {
      const detail = "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).";
      return (await finish(claim, { status: "failed", lastError: detail }, { type: "failed", detail })) ? "failed" : "lost";
    }

    const order = followUp.order;
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
        unsubscribeUrl: null,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      flog.error("rendering failed", { err });
      return retryOrFail(claim, `The email could not be rendered: ${why}`);
    }

    try {
      const result = await deps.transport.send({
        shop: followUp.shop,
        followUpId: followUp.id,
        to: { email: followUp.recipient, ...(order.firstName ? { name: order.firstName } : {}) },
        from: { email: fromEmail, name: shop.senderName ?? shop.name ?? undefined },
        ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
        subject,
        html: rendered.html,
        text: rendered.text,
        categories: ["afterglow", `flow:${step.flow.key}`],
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
        { type: "sent", detail: `Accepted by ${result.transport}${result.messageId ? ` as ${result.messageId}` : ""}.` },
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
    const claims = await claimDue(limit);
    summary.claimed = claims.length;
    for (const claim of claims) {
      let outcome: Outcome;
      try {
        outcome = await deliver(claim);
      } catch (err) {
        // A database hiccup mid-way: the lease expires and another pass takes it again.
        log.error("dispatch failed unexpectedly; the claim will expire and be retried", { followUpId: claim.id, err });
        continue;
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
