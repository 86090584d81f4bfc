// Sends due follow-ups: claims them, passes each through the gates (gates.server.ts) and, when
// all let it through, the send step (send.server.ts). Claims are atomic conditional updates, so
// any number of dispatchers can share one database; a claim is a lease, so a dispatcher killed
// mid-send loses nothing.
import { randomUUID } from "node:crypto";
import { DEFAULT_RETRY_POLICY } from "~/domain/retry";
import { logger as rootLogger } from "~/platform/logger.server";
import { dispatchObserved } from "~/platform/metrics.server";
import { uncountEmail } from "../billing/email-count.server";
import { claimFollowUp } from "./dispatch-sql.server";
import { DISPATCH_GATES, type Delivery, type DispatchContext } from "./gates.server";
import { createFollowUpRecords } from "./records.server";
import { sendFollowUp } from "./send.server";
import { newPassCache, type ClaimedFollowUp, type DispatcherDeps, type DispatchSummary, type Outcome, type PassCache, type SingleDispatch } from "./types";

export type {
  ConsentAnswer,
  ConsentRequest,
  DispatcherDeps,
  DispatchSummary,
  FactsAnswer,
  FactsRequest,
  RecommendationRequest,
  RenderRequest,
  SingleDispatch,
  UnsubscribeRequest,
} from "./types";

const JOB_CACHE_MS = 1_000;

export function createDispatcher(deps: DispatcherDeps) {
  const prisma = deps.prisma;
  const now = deps.now ?? (() => new Date());
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const leaseMs = deps.leaseMs ?? 120_000;
  const recommendationAttempts = deps.recommendationAttempts ?? 3;
  const workerId = deps.workerId ?? `dispatcher-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? rootLogger).child({ component: "dispatcher", workerId });
  const ctx: DispatchContext = { deps, prisma, now, policy, handoverEventWaitMs: deps.handoverEventWaitMs ?? 0 };
  const records = createFollowUpRecords({ prisma, now, policy, leaseMs, log });
  const { retryOrFail } = records;

  // Claims a batch in one conditional UPDATE: a row is taken only if it is still due (or its
  // lease ran out) at that instant, so two dispatchers never take the same follow-up. Rows
  // another dispatcher took meanwhile simply do not match.
  async function claimDue(limit: number, only?: string): Promise<ClaimedFollowUp[]> {
    if (only) return claimOne(only);
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
        data: claimData(token, at),
      });
      if (count > 0) break;
    }
    const claimed = await prisma.followUp.findMany({ where: { claimToken: token } });
    const reclaimed = new Set(candidates.filter((c) => c.status === "sending").map((c) => c.id));
    await noteReclaimed(claimed.filter((f) => reclaimed.has(f.id)), at);
    return claimed.map((f) => ({ ...f, claim: { id: f.id, token, attempt: f.attempts } }));
  }

  // One follow-up (a queue job): one conditional UPDATE ... RETURNING when it is simply due,
  // a second only when it is not, to take it over from a claim whose lease ran out.
  async function claimOne(id: string): Promise<ClaimedFollowUp[]> {
    const at = now();
    const token = randomUUID();
    const leaseUntil = new Date(at.getTime() + leaseMs);
    let claimed = await claimFollowUp(prisma, { id, token, at, leaseUntil, reclaim: false });
    if (claimed.length === 0) {
      claimed = await claimFollowUp(prisma, { id, token, at, leaseUntil, reclaim: true });
      await noteReclaimed(claimed, at);
    }
    return claimed.map((f) => ({ ...f, claim: { id: f.id, token, attempt: f.attempts } }));
  }

  function claimData(token: string, at: Date) {
    return { status: "sending", claimToken: token, leaseUntil: new Date(at.getTime() + leaseMs), attempts: { increment: 1 } };
  }

  async function noteReclaimed(taken: { id: string }[], at: Date) {
    if (taken.length === 0) return;
    await prisma.followUpEvent.createMany({
      data: taken.map((f) => ({
        followUpId: f.id,
        type: "reclaimed",
        detail: `The previous claim's lease expired; taken by ${workerId}.`,
        at,
      })),
    });
  }

  // The gates in order; the first that does not let the follow-up through decides its end.
  async function deliver(followUp: ClaimedFollowUp, cache: PassCache, signal?: AbortSignal): Promise<Outcome> {
    const followUpLog = log.child({ shop: followUp.shop, orderId: followUp.orderId, followUpId: followUp.id });
    const delivery: Delivery = { ctx, followUp, cache, log: followUpLog };
    for (const gate of DISPATCH_GATES) {
      const result = await gate(delivery);
      if (result.kind !== "continue") return records.settle(followUp.claim, result);
      if (result.note) await records.event(followUp.id, result.note.type, result.note.detail);
    }
    const outcome = await sendFollowUp(delivery, { records, recommendationAttempts, workerId, signal });
    // Counted but not sent after all: its place in the month goes back to the shop.
    if (delivery.counted && (outcome === "failed" || outcome === "skipped")) {
      await uncountEmail(prisma, { followUpId: followUp.id, at: now() }).catch((err: unknown) =>
        followUpLog.warn("the follow-up's place in the monthly count was not given back", { err }),
      );
    }
    return outcome;
  }

  async function runOnce({ limit = 50 }: { limit?: number } = {}): Promise<DispatchSummary> {
    const summary: DispatchSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    const claimed = await claimDue(limit);
    summary.claimed = claimed.length;
    const cache = newPassCache();
    if (deps.prefetchConsent && deps.checkConsent) await prefetchConsent(claimed, cache);
    for (const followUp of claimed) {
      let outcome: Outcome;
      try {
        outcome = await deliver(followUp, cache);
      } catch (err) {
        // Not a send error (a bug, a bad setting): retried with backoff like one, and kept with
        // its error when attempts run out. If even that write fails, the lease expiring retries it.
        const why = err instanceof Error ? err.message : String(err);
        log.error("dispatch failed unexpectedly", { followUpId: followUp.id, err });
        outcome = await retryOrFail(followUp.claim, { error: `Unexpected error: ${why}`, code: "unknown" }).catch(() => "lost" as const);
      }
      if (outcome !== "lost") summary[outcome === "returned" ? "retried" : outcome] += 1;
      dispatchObserved({ shop: followUp.shop, outcome, dueAt: followUp.dueAt, at: now() });
    }
    return summary;
  }

  // The marketing emails of shops that require consent: whose consent they will ask for. A
  // failure here only loses the head start; each send still asks.
  async function prefetchConsent(claimed: ClaimedFollowUp[], cache: PassCache) {
    try {
      const marketing = claimed.filter((f) => f.category !== "service" && !f.isTest);
      for (const shopDomain of new Set(marketing.map((f) => f.shop))) {
        if (!cache.shops.has(shopDomain)) cache.shops.set(shopDomain, prisma.shop.findUnique({ where: { domain: shopDomain } }));
        const shop = await cache.shops.get(shopDomain)!;
        if (!shop || shop.uninstalledAt || !shop.sendingEnabled || !shop.marketingConsentRequired) continue;
        const orders = await prisma.order.findMany({
          where: { id: { in: marketing.filter((f) => f.shop === shopDomain).map((f) => f.orderRef) } },
          select: { customerId: true },
        });
        const customerIds = orders.flatMap((o) => (o.customerId ? [o.customerId] : []));
        if (customerIds.length > 1) deps.prefetchConsent!(shopDomain, customerIds);
      }
    } catch (err) {
      log.warn("consent reads not started ahead; each send asks on its own", { err });
    }
  }

  // Jobs come one follow-up at a time: shop and step rows are shared between jobs for a moment,
  // so a burst does not read the same rows once per email. A change reaches sends within it.
  let sharedCache: { at: number; cache: PassCache } | null = null;
  function jobCache(): PassCache {
    const at = Date.now();
    if (!sharedCache || at - sharedCache.at > JOB_CACHE_MS) sharedCache = { at, cache: newPassCache() };
    return sharedCache.cache;
  }

  // One follow-up by id, for queues that hand out single follow-ups (a BullMQ job): the same
  // conditional claim as a batch, so a job that runs twice, or beside a poller, still sends once.
  async function dispatchFollowUp({ id, signal }: { id: string; signal?: AbortSignal }): Promise<SingleDispatch> {
    const [followUp] = await claimDue(1, id);
    if (!followUp) {
      const row = await prisma.followUp.findUnique({ where: { id }, select: { status: true, nextAttemptAt: true, leaseUntil: true } });
      if (!row) return { outcome: "gone", lookAgainAt: null };
      if (row.status === "scheduled") return { outcome: "not-due", lookAgainAt: row.nextAttemptAt };
      // Another dispatcher holds it; if that one dies, the lease runs out and it is ours to take.
      if (row.status === "sending") return { outcome: "held", lookAgainAt: row.leaseUntil };
      return { outcome: "done", lookAgainAt: null };
    }
    let outcome: Outcome;
    try {
      outcome = await deliver(followUp, jobCache(), signal);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log.error("dispatch failed unexpectedly", { followUpId: id, err });
      outcome = await retryOrFail(followUp.claim, { error: `Unexpected error: ${why}`, code: "unknown" }).catch(() => "lost" as const);
    }
    if (outcome === "retried" || outcome === "returned") {
      const row = await prisma.followUp.findUnique({ where: { id }, select: { nextAttemptAt: true } });
      return { outcome, lookAgainAt: row?.nextAttemptAt ?? now() };
    }
    // Lost: someone else finished or holds it; its lease says when to look again.
    if (outcome === "lost") return { outcome, lookAgainAt: new Date(now().getTime() + leaseMs) };
    return { outcome, lookAgainAt: null };
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

  return { runOnce, drain, dispatchFollowUp, workerId };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
