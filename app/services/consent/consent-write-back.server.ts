// Customers' consent changes written back to Shopify, where the merchant and the shop's other
// apps see them (Shopify's API terms ask apps to sync consent). An unsubscribe from marketing
// becomes UNSUBSCRIBED, a resubscribe SUBSCRIBED again.
//
// Each wish is a ConsentWriteBack row first and a call to Shopify second, so one Shopify could
// not take (down, throttled) waits in the database and survives a restart; the housekeeping
// chore works due rows with a capped exponential backoff. A customer has one row holding the
// latest wish: an older one never replaces a newer one, and a row is removed after its write
// only if no newer wish arrived meanwhile, so the customer's last click is what Shopify keeps.
import type { ConsentWriteBack, PrismaClient } from "@prisma/client";
import type { MarketingOptInLevel } from "~/domain/consent";
import { nextAttempt, type RetryPolicy } from "~/domain/retry";
import {
  ConsentUpdateRejectedError,
  fetchCustomerEmailConsent,
  updateCustomerEmailConsent,
  type CustomerEmailConsent,
} from "~/adapters/shopify-admin/consent.server";
import { AdminApiError, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { adminClientForShop, ShopNotConnectedError } from "~/adapters/shopify-admin/index.server";
import { config } from "~/platform/config.server";
import { isUniqueViolation } from "~/platform/db-errors.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { recordCustomerConsent } from "./consent.server";

export type WrittenState = "SUBSCRIBED" | "UNSUBSCRIBED";

export interface ConsentWriteBackDeps {
  prisma: PrismaClient;
  // The shop's Admin API client; by default from its stored offline token, with few retries so
  // the person on the unsubscribe page is not kept waiting (what fails is retried later anyway).
  clientFor?: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
  logger?: Logger;
  // Waits between attempts; by default CONSENT_WRITE_BACK_BACKOFF_MS doubling up to six hours.
  retry?: RetryPolicy;
}

// What became of one attempt: written (or nothing to change), waiting for a retry, given up
// (Shopify refused, or it stayed unreachable through every attempt), or overtaken by a newer wish.
export type WriteBackOutcome = "done" | "pending" | "failed" | "superseded";

export function consentWriteBackPolicy(baseDelayMs = config().housekeeping.consentWriteBackBackoffMs): RetryPolicy {
  // 20 doublings from a minute, capped at six hours: about four days of trying.
  return { maxAttempts: 20, baseDelayMs, maxDelayMs: Math.max(baseDelayMs, 6 * 60 * 60_000) };
}

function defaultClientFor(prisma: PrismaClient) {
  return (shop: string) => adminClientForShop({ prisma, shop, maxRetries: 1, timeoutMs: 5_000 });
}

// Records the customer's wish unless a newer one is already waiting. Returns the row to work,
// or null when an older wish lost to a newer one.
export async function requestConsentWriteBack(
  prisma: PrismaClient,
  wish: {
    shop: string;
    customerId: string;
    marketingState: WrittenState;
    optInLevel?: MarketingOptInLevel | null;
    requestedAt: Date;
    suppressionId?: string | null;
  },
): Promise<ConsentWriteBack | null> {
  const data = {
    marketingState: wish.marketingState,
    optInLevel: wish.marketingState === "SUBSCRIBED" ? (wish.optInLevel ?? "SINGLE_OPT_IN") : null,
    requestedAt: wish.requestedAt,
    suppressionId: wish.suppressionId ?? null,
    attempts: 0,
    nextAttemptAt: wish.requestedAt,
    lastError: null,
  };
  const where = { shop: wish.shop, customerId: wish.customerId };
  for (let attempt = 0; attempt < 2; attempt++) {
    const { count } = await prisma.consentWriteBack.updateMany({ where: { ...where, requestedAt: { lte: wish.requestedAt } }, data });
    if (count > 0) return prisma.consentWriteBack.findUnique({ where: { shop_customerId: where } });
    if (await prisma.consentWriteBack.count({ where })) return null;
    try {
      return await prisma.consentWriteBack.create({ data: { ...where, ...data } });
    } catch (err) {
      // Another request created it a moment ago; apply ours through the guarded update.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return null;
}

// Drops a wish that has not reached Shopify yet, unless a newer one replaced it meanwhile.
export async function cancelConsentWriteBack(prisma: PrismaClient, row: Pick<ConsentWriteBack, "id" | "requestedAt">): Promise<boolean> {
  const { count } = await prisma.consentWriteBack.deleteMany({ where: { id: row.id, requestedAt: row.requestedAt } });
  return count > 0;
}

export function pendingConsentWriteBack(prisma: PrismaClient, shop: string, customerId: string) {
  return prisma.consentWriteBack.findUnique({ where: { shop_customerId: { shop, customerId } } });
}

// Kept as JSON in the unsubscribe's Suppression.detail, so a resubscribe knows what to restore.
export interface WriteBackRecord {
  shopifySync?: "done" | "pending" | "failed" | "no_customer";
  customerId?: string;
  previousState?: string | null;
  previousOptInLevel?: string | null;
  attempts?: number;
  lastError?: string;
  nextAttemptAt?: string;
}

async function noteOnSuppression(prisma: PrismaClient, suppressionId: string | null, note: WriteBackRecord) {
  if (!suppressionId) return;
  const row = await prisma.suppression.findUnique({ where: { id: suppressionId }, select: { detail: true } });
  if (!row) return; // resubscribed meanwhile
  let detail: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.detail ?? "{}") as unknown;
    if (parsed && typeof parsed === "object") detail = parsed as Record<string, unknown>;
  } catch {
    // a detail this module did not write: start afresh
  }
  const next = { ...detail, ...note };
  for (const key of Object.keys(note) as (keyof WriteBackRecord)[]) if (note[key] === undefined) delete next[key];
  await prisma.suppression.updateMany({ where: { id: suppressionId }, data: { detail: JSON.stringify(next) } });
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ConsentUpdateRejectedError || err instanceof ShopNotConnectedError) return false;
  if (err instanceof AdminApiError) return err.retryable;
  // A network failure before any answer, or our own database: worth another try.
  return true;
}

// One attempt at one wish.
export async function writeBackConsent({ row, ...deps }: ConsentWriteBackDeps & { row: ConsentWriteBack }): Promise<WriteBackOutcome> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const clientFor = deps.clientFor ?? defaultClientFor(prisma);
  const log = (deps.logger ?? rootLogger).child({ component: "consent-write-back", shop: row.shop, customerId: row.customerId });
  const attempts = row.attempts + 1;
  const wanted = row.marketingState as WrittenState;
  try {
    const client = await clientFor(row.shop);
    const before = await fetchCustomerEmailConsent(client, row.customerId);
    if (!before) {
      throw new ConsentUpdateRejectedError(row.shop, row.customerId, [{ field: ["customerId"], message: "Customer not found", code: null }]);
    }
    let after: CustomerEmailConsent = before;
    // A change made in Shopify after the customer's click (by the merchant, or another app) is newer: it stands.
    const newerInShopify = before.updatedAt !== null && before.updatedAt.getTime() > row.requestedAt.getTime();
    // INVALID and REDACTED addresses receive nothing anyway, and cannot be set.
    const settable = Boolean(before.email) && before.marketingState !== null && !["INVALID", "REDACTED"].includes(before.marketingState);
    const change = settable && !newerInShopify && before.marketingState !== wanted;
    if (change) {
      after = await updateCustomerEmailConsent(client, {
        customerId: row.customerId,
        marketingState: wanted,
        optInLevel: wanted === "SUBSCRIBED" ? ((row.optInLevel as MarketingOptInLevel | null) ?? "SINGLE_OPT_IN") : null,
        // When the customer clicked, for a write that waited; a fresh one takes Shopify's own clock,
        // which refuses a time ahead of it (ours may run a little fast).
        consentUpdatedAt: now().getTime() - row.requestedAt.getTime() > 60_000 ? row.requestedAt : undefined,
      });
    }
    if (after.marketingState) {
      await recordCustomerConsent({ prisma, shop: row.shop, customerId: row.customerId, email: after.email, state: after.marketingState, at: after.updatedAt, force: true });
    }
    if (wanted === "UNSUBSCRIBED") {
      await noteOnSuppression(prisma, row.suppressionId, {
        shopifySync: "done",
        customerId: row.customerId,
        previousState: before.marketingState,
        previousOptInLevel: before.optInLevel,
        attempts,
        lastError: undefined,
        nextAttemptAt: undefined,
      });
    }
    await audit(prisma, {
      shop: row.shop,
      actor: "system",
      action: wanted === "UNSUBSCRIBED" ? "consent.shopify_unsubscribed" : "consent.shopify_resubscribed",
      detail: { suppressionId: row.suppressionId, customerId: row.customerId, previousState: before.marketingState, changed: change, newerInShopify },
      at: now(),
    });
    const removed = await cancelConsentWriteBack(prisma, row);
    return removed ? "done" : "superseded";
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Never sooner than Shopify said it could answer (a throttled bucket's refill, Retry-After).
    const hint = err instanceof AdminApiError && err.retryAfterMs ? new Date(now().getTime() + err.retryAfterMs) : null;
    const decision = isRetryable(err)
      ? nextAttempt({ attempt: attempts, now: now(), policy: deps.retry ?? consentWriteBackPolicy(), notBefore: hint })
      : { retry: false, at: null };
    let still: boolean;
    if (decision.retry && decision.at) {
      const { count } = await prisma.consentWriteBack.updateMany({
        where: { id: row.id, requestedAt: row.requestedAt },
        data: { attempts, nextAttemptAt: decision.at, lastError: message },
      });
      still = count > 0;
    } else {
      still = await cancelConsentWriteBack(prisma, row);
    }
    if (!still) return "superseded";
    if (wanted === "UNSUBSCRIBED") {
      await noteOnSuppression(prisma, row.suppressionId, {
        shopifySync: decision.retry ? "pending" : "failed",
        customerId: row.customerId,
        attempts,
        lastError: message,
        nextAttemptAt: decision.at?.toISOString(),
      });
    }
    await audit(prisma, {
      shop: row.shop,
      actor: "system",
      action: wanted === "UNSUBSCRIBED" ? "consent.shopify_sync_failed" : "consent.shopify_resubscribe_failed",
      detail: { suppressionId: row.suppressionId, customerId: row.customerId, attempts, error: message, willRetry: decision.retry },
      at: now(),
    });
    log.warn(
      decision.retry
        ? `the customer's ${wanted} consent could not be written to Shopify yet; it will be retried`
        : `the customer's ${wanted} consent could not be written to Shopify; change it in the Shopify admin`,
      { attempts, nextAttemptAt: decision.at, err },
    );
    return decision.retry ? "pending" : "failed";
  }
}

// Works the wishes that are due, oldest click first. Run by the housekeeping chore.
export async function workDueConsentWriteBacks({
  limit = 50,
  ...deps
}: ConsentWriteBackDeps & { limit?: number }): Promise<{ attempted: number; done: number; pending: number; failed: number }> {
  const now = deps.now ?? (() => new Date());
  const rows = await deps.prisma.consentWriteBack.findMany({
    where: { nextAttemptAt: { lte: now() } },
    orderBy: { requestedAt: "asc" },
    take: limit,
  });
  const result = { attempted: 0, done: 0, pending: 0, failed: 0 };
  for (const row of rows) {
    result.attempted += 1;
    const outcome = await writeBackConsent({ ...deps, row });
    if (outcome === "done" || outcome === "superseded") result.done += 1;
    else result[outcome] += 1;
  }
  return result;
}
