// Sends the FlowTriggerFire rows waiting for Shopify Flow, from the housekeeping chore of every
// process that runs one. A row is claimed with a lease before it is sent, so two workers never
// send the same row; Shopify's answer is written only while the claim is still ours, so a row is
// marked sent once. A failure that may pass (Shopify down, throttled, a network error) waits for
// a capped exponential backoff; a refusal (unknown handle, payload refused, shop uninstalled) or
// the last attempt leaves the row failed. Either way the row keeps its error.
import { randomUUID } from "node:crypto";
import type { FlowTriggerFire, PrismaClient } from "@prisma/client";
import { nextAttempt, type RetryPolicy } from "~/domain/retry";
import { AdminApiError, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { adminClientForShop, ShopNotConnectedError } from "~/adapters/shopify-admin/index.server";
import { FlowTriggerRejectedError, receiveFlowTrigger } from "~/adapters/shopify-admin/flow-triggers.server";
import { config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";

export interface FlowTriggerSendDeps {
  prisma: PrismaClient;
  // The shop's Admin API client; by default from its offline token, with few retries of its own
  // (the row's backoff does the waiting).
  clientFor?: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
  logger?: Logger;
  retry?: RetryPolicy;
  // How long a claim holds a row: past it, another worker may take the row over.
  leaseMs?: number;
  limit?: number;
}

export interface FlowTriggerSendSummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  lost: number; // the claim ran out and another worker took the row over
}

export function flowTriggerRetryPolicy(baseDelayMs = config().housekeeping.flowTriggerBackoffMs): RetryPolicy {
  // 12 doublings from 30 s, capped at an hour: about half a day of trying.
  return { maxAttempts: 12, baseDelayMs, maxDelayMs: Math.max(baseDelayMs, 60 * 60_000) };
}

// Longer than a request with its own retries can take (10 s timeout, one retry, backoff).
export const FLOW_TRIGGER_LEASE_MS = 2 * 60_000;

function defaultClientFor(prisma: PrismaClient) {
  return (shop: string) => adminClientForShop({ prisma, shop, maxRetries: 1, timeoutMs: 10_000 });
}

function isRetryable(err: unknown): boolean {
  if (err instanceof FlowTriggerRejectedError || err instanceof ShopNotConnectedError) return false;
  if (err instanceof AdminApiError) return err.retryable;
  return true; // no answer at all (network), or our database: worth another try
}

// Due rows, and rows whose claim ran out (a worker died holding them).
const takeable = (at: Date) => ({
  OR: [
    { status: "pending", nextAttemptAt: { lte: at } },
    { status: "sending", leaseUntil: { lt: at } },
  ],
});

async function claim(prisma: PrismaClient, id: string, { at, leaseMs }: { at: Date; leaseMs: number }): Promise<FlowTriggerFire | null> {
  const token = randomUUID();
  const { count } = await prisma.flowTriggerFire.updateMany({
    where: { id, ...takeable(at) },
    data: { status: "sending", claimToken: token, leaseUntil: new Date(at.getTime() + leaseMs), attempts: { increment: 1 } },
  });
  if (count !== 1) return null;
  return prisma.flowTriggerFire.findFirst({ where: { id, claimToken: token } });
}

// Written only while the claim is ours; false when another worker has taken the row over.
async function settle(prisma: PrismaClient, row: FlowTriggerFire, data: Partial<FlowTriggerFire>): Promise<boolean> {
  const { count } = await prisma.flowTriggerFire.updateMany({
    where: { id: row.id, claimToken: row.claimToken },
    data: { ...data, claimToken: null, leaseUntil: null },
  });
  return count === 1;
}

export async function sendDueFlowTriggers({ limit = 50, ...deps }: FlowTriggerSendDeps): Promise<FlowTriggerSendSummary> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const clientFor = deps.clientFor ?? defaultClientFor(prisma);
  const policy = deps.retry ?? flowTriggerRetryPolicy();
  const leaseMs = deps.leaseMs ?? FLOW_TRIGGER_LEASE_MS;
  const log = (deps.logger ?? rootLogger).child({ component: "flow-triggers" });
  const summary: FlowTriggerSendSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, lost: 0 };

  const due = await prisma.flowTriggerFire.findMany({ where: takeable(now()), orderBy: { nextAttemptAt: "asc" }, take: limit, select: { id: true } });
  for (const { id } of due) {
    const row = await claim(prisma, id, { at: now(), leaseMs });
    if (!row) continue; // another worker has it
    summary.claimed += 1;
    const rlog = log.child({ shop: row.shop, trigger: row.trigger, flowTriggerFireId: row.id });
    try {
      if (!row.payload) throw new FlowTriggerRejectedError(row.shop, row.trigger, [{ field: null, message: row.lastError ?? "no payload was stored" }]);
      await receiveFlowTrigger(await clientFor(row.shop), { handle: row.trigger, payload: JSON.parse(row.payload) as Record<string, unknown> });
      const ok = await settle(prisma, row, { status: "sent", sentAt: now(), lastError: null });
      if (ok) summary.sent += 1;
      else summary.lost += 1;
      if (!ok) rlog.warn("Flow took the trigger after this worker's claim ran out; another worker holds the row");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Never sooner than Shopify said it could answer (a throttled bucket's refill, Retry-After).
      const hint = err instanceof AdminApiError && err.retryAfterMs ? new Date(now().getTime() + err.retryAfterMs) : null;
      const decision = isRetryable(err) ? nextAttempt({ attempt: row.attempts, now: now(), policy, notBefore: hint }) : { retry: false, at: null };
      const data: Partial<FlowTriggerFire> =
        decision.retry && decision.at
          ? { status: "pending", nextAttemptAt: decision.at, lastError: message }
          : { status: "failed", lastError: isRetryable(err) ? `${message} Gave up after ${row.attempts} attempts.` : message };
      const ok = await settle(prisma, row, data);
      if (!ok) summary.lost += 1;
      else if (data.status === "pending") summary.retried += 1;
      else summary.failed += 1;
      rlog.warn(data.status === "pending" ? "Flow trigger not sent yet; it will be retried" : "Flow trigger could not be sent; the row keeps the error", {
        attempts: row.attempts,
        nextAttemptAt: decision.at,
        err,
      });
    }
  }
  return summary;
}
