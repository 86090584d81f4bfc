// What an unsubscribe link does: Suppression rows (checked before every send), an AuditLog row
// per change, and for "all" the customer's marketing consent in Shopify, so the shop and
// Afterglow agree.
//
// The Shopify half may fail (Admin API down, token revoked). The suppression is written first
// and stands on its own; the suppression's `detail` records the pending Shopify change, and
// retryPendingConsentSyncs() tries again later. Keeping the pending state on the row itself
// means a resubscribe, which deletes the row, also cancels the pending change.
import type { PrismaClient, Suppression } from "@prisma/client";
import type { EmailMarketingState, MarketingOptInLevel } from "~/domain/consent";
import {
  normalizeEmail,
  suppressionScopeFor,
  type SuppressionScope,
  type UnsubscribeChoice,
  type UnsubscribeTokenPayload,
} from "~/domain/unsubscribe";
import {
  ConsentUpdateRejectedError,
  fetchCustomerEmailConsent,
  updateCustomerEmailConsent,
} from "~/adapters/shopify-admin/consent.server";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { suppressionLookupEmails } from "../compliance/hashed-emails.server";
import { recordCustomerConsent } from "./consent.server";
import { addSuppression, removeSuppression } from "./suppressions.server";

export type UnsubscribeVia = "one-click" | "page" | "mailto";

export type ShopifySyncState = "not_needed" | "done" | "pending" | "failed" | "no_customer";

export interface UnsubscribeDeps {
  prisma: PrismaClient;
  // The shop's Admin API client; by default from its stored offline token, with few retries so
  // the person on the page is not kept waiting (what fails is retried later anyway).
  clientFor?: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
  logger?: Logger;
}

export interface UnsubscribeResult {
  scope: SuppressionScope;
  changed: boolean; // false: the address was already suppressed for this scope
  shopify: ShopifySyncState;
}

export interface ResubscribeResult {
  removed: SuppressionScope[];
  shopify: "not_needed" | "restored" | "failed";
}

// Kept as JSON in Suppression.detail for rows this module writes.
interface UnsubscribeDetail {
  via?: UnsubscribeVia;
  category?: string;
  shopifySync?: ShopifySyncState;
  customerId?: string;
  previousState?: EmailMarketingState | null;
  previousOptInLevel?: MarketingOptInLevel | null;
  attempts?: number;
  lastError?: string;
  nextAttemptAt?: string;
}

export const UNSUBSCRIBED_REASON = "unsubscribed";
const PENDING_MARKER = '"shopifySync":"pending"';
const MAX_SYNC_ATTEMPTS = 10;
const SYNC_BACKOFF_BASE_MS = 60_000;
const SYNC_BACKOFF_MAX_MS = 6 * 60 * 60_000;

function defaultClientFor(prisma: PrismaClient) {
  return (shop: string) => adminClientForShop({ prisma, shop, maxRetries: 1, timeoutMs: 5_000 });
}

function parseDetail(detail: string | null): UnsubscribeDetail {
  if (!detail) return {};
  try {
    const parsed = JSON.parse(detail) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as UnsubscribeDetail) : {};
  } catch {
    return {};
  }
}

// Which of the address's unsubscribes are in force, for the page.
export async function unsubscribeStatus({
  prisma,
  shop,
  email,
}: {
  prisma: PrismaClient;
  shop: string;
  email: string;
}): Promise<SuppressionScope | null> {
  const rows = await prisma.suppression.findMany({
    // A customer erased since keeps the suppression under a one-way hash of the address.
    where: { shop, email: { in: suppressionLookupEmails(email) }, reason: UNSUBSCRIBED_REASON },
    select: { scope: true },
  });
  if (rows.some((r) => r.scope === "all")) return "all";
  return rows.length ? "marketing" : null;
}

export async function unsubscribe({
  token,
  choice,
  via,
  ...deps
}: UnsubscribeDeps & {
  token: UnsubscribeTokenPayload;
  choice: UnsubscribeChoice;
  via: UnsubscribeVia;
}): Promise<UnsubscribeResult> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const shop = token.shop;
  const email = normalizeEmail(token.email);
  const scope = suppressionScopeFor(token.category, choice);
  // Idempotent: a second click, or the provider retrying its POST, finds the row and changes nothing.
  const { suppression: row, created: changed } = await addSuppression(prisma, {
    shop,
    email,
    scope,
    reason: UNSUBSCRIBED_REASON,
    source: token.followUpId,
    detail: JSON.stringify({ via, category: token.category } satisfies UnsubscribeDetail),
  });
  if (changed) {
    await audit(prisma, {
      shop,
      actor: "customer",
      action: "email.unsubscribed",
      detail: { suppressionId: row.id, scope, followUpId: token.followUpId, category: token.category, via },
      at: now(),
    });
  }

  if (scope !== "all" || row.reason !== UNSUBSCRIBED_REASON) return { scope, changed, shopify: "not_needed" };
  const detail = parseDetail(row.detail);
  // A click on a row whose Shopify change is still pending is a good moment to try again.
  if (changed || detail.shopifySync === "pending" || detail.shopifySync === undefined) {
    return { scope, changed, shopify: await syncUnsubscribeToShopify({ ...deps, row, followUpId: token.followUpId }) };
  }
  return { scope, changed, shopify: detail.shopifySync };
}

async function customerIdFor(prisma: PrismaClient, row: Suppression, followUpId: string | null): Promise<string | null> {
  if (followUpId) {
    const followUp = await prisma.followUp.findFirst({
      where: { id: followUpId, shop: row.shop },
      select: { order: { select: { customerId: true } } },
    });
    if (followUp?.order.customerId) return followUp.order.customerId;
  }
  // The follow-up may be gone (order redacted); our consent copy also knows who has the address.
  const consent = await prisma.customerConsent.findFirst({
    where: { shop: row.shop, email: row.email },
    orderBy: { updatedAt: "desc" },
    select: { customerId: true },
  });
  return consent?.customerId ?? null;
}

// Sets the customer's Shopify consent to UNSUBSCRIBED for an "all" suppression and records the
// outcome on the row.
async function syncUnsubscribeToShopify({
  prisma,
  row,
  followUpId,
  clientFor = defaultClientFor(prisma),
  now = () => new Date(),
  logger = rootLogger,
}: UnsubscribeDeps & { row: Suppression; followUpId: string | null }): Promise<ShopifySyncState> {
  const detail = parseDetail(row.detail);
  const save = async (next: UnsubscribeDetail) => {
    // updateMany: a resubscribe may have deleted the row meanwhile, and then there is nothing to record.
    await prisma.suppression.updateMany({ where: { id: row.id }, data: { detail: JSON.stringify(next) } });
  };
  const customerId = detail.customerId ?? (await customerIdFor(prisma, row, followUpId));
  const log = logger.child({ component: "unsubscribe", shop: row.shop, customerId, suppressionId: row.id });
  if (!customerId) {
    // A guest order: Shopify has no customer whose consent could change.
    await save({ ...detail, shopifySync: "no_customer" });
    return "no_customer";
  }

  const attempts = (detail.attempts ?? 0) + 1;
  try {
    const client = await clientFor(row.shop);
    const before = await fetchCustomerEmailConsent(client, customerId);
    if (!before) throw new ConsentUpdateRejectedError(row.shop, customerId, [{ field: ["customerId"], message: "Customer not found", code: null }]);
    let after = before;
    // Only these states can be set; INVALID and REDACTED addresses receive nothing anyway.
    const settable = before.email && before.marketingState && !["UNSUBSCRIBED", "INVALID", "REDACTED"].includes(before.marketingState);
    if (settable) after = await updateCustomerEmailConsent(client, { customerId, marketingState: "UNSUBSCRIBED" });
    if (after.marketingState) {
      await recordCustomerConsent({ prisma, shop: row.shop, customerId, email: after.email, state: after.marketingState, at: after.updatedAt, force: true });
    }
    await save({
      ...detail,
      shopifySync: "done",
      customerId,
      previousState: before.marketingState,
      previousOptInLevel: before.optInLevel,
      attempts,
      lastError: undefined,
      nextAttemptAt: undefined,
    });
    await audit(prisma, {
      shop: row.shop,
      actor: "system",
      action: "consent.shopify_unsubscribed",
      detail: { suppressionId: row.id, customerId, previousState: before.marketingState, changed: Boolean(settable) },
      at: now(),
    });
    return "done";
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hopeless = err instanceof ConsentUpdateRejectedError || attempts >= MAX_SYNC_ATTEMPTS;
    const state: ShopifySyncState = hopeless ? "failed" : "pending";
    const retryAt = new Date(now().getTime() + Math.min(SYNC_BACKOFF_MAX_MS, SYNC_BACKOFF_BASE_MS * 2 ** (attempts - 1)));
    await save({
      ...detail,
      shopifySync: state,
      customerId,
      attempts,
      lastError: message,
      nextAttemptAt: hopeless ? undefined : retryAt.toISOString(),
    });
    await audit(prisma, {
      shop: row.shop,
      actor: "system",
      action: "consent.shopify_sync_failed",
      detail: { suppressionId: row.id, customerId, attempts, error: message, willRetry: !hopeless },
      at: now(),
    });
    log.warn(
      hopeless
        ? "the unsubscribe could not be copied to Shopify; the suppression stands, change the customer's consent in the Shopify admin"
        : "the unsubscribe could not be copied to Shopify yet; the suppression stands and it will be retried",
      { attempts, err },
    );
    return state;
  }
}

// Tries the Shopify half of "all" unsubscribes again. Meant to run now and then (every few
// minutes); each row waits for its own backoff.
export async function retryPendingConsentSyncs({
  limit = 50,
  ...deps
}: UnsubscribeDeps & { limit?: number }): Promise<{ attempted: number; done: number; pending: number; failed: number }> {
  const now = deps.now ?? (() => new Date());
  const rows = await deps.prisma.suppression.findMany({
    where: { scope: "all", reason: UNSUBSCRIBED_REASON, detail: { contains: PENDING_MARKER } },
    // Rows wait for Shopify only while it is unreachable, so there are few; not-due ones are skipped below.
    orderBy: { createdAt: "asc" },
  });
  const result = { attempted: 0, done: 0, pending: 0, failed: 0 };
  for (const row of rows) {
    if (result.attempted >= limit) break;
    const due = parseDetail(row.detail).nextAttemptAt;
    if (due && Date.parse(due) > now().getTime()) continue;
    result.attempted += 1;
    const state = await syncUnsubscribeToShopify({ ...deps, row, followUpId: row.source });
    if (state === "done") result.done += 1;
    else if (state === "pending") result.pending += 1;
    else result.failed += 1;
  }
  return result;
}

// Undoes this address's unsubscribes (never bounces or spam reports). If an "all" unsubscribe
// had changed the customer's consent in Shopify from SUBSCRIBED, it is set back: the person
// holding the link asked for it, as they asked for the unsubscribe.
export async function resubscribe({
  token,
  via,
  ...deps
}: UnsubscribeDeps & { token: UnsubscribeTokenPayload; via: UnsubscribeVia }): Promise<ResubscribeResult> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const clientFor = deps.clientFor ?? defaultClientFor(prisma);
  const log = (deps.logger ?? rootLogger).child({ component: "unsubscribe", shop: token.shop });
  const rows = await prisma.suppression.findMany({
    where: { shop: token.shop, email: { in: suppressionLookupEmails(token.email) }, reason: UNSUBSCRIBED_REASON },
  });
  if (rows.length === 0) return { removed: [], shopify: "not_needed" };
  for (const row of rows) await removeSuppression(prisma, { shop: token.shop, id: row.id });
  const removed = rows.map((r) => r.scope as SuppressionScope);
  await audit(prisma, {
    shop: token.shop,
    actor: "customer",
    action: "email.resubscribed",
    detail: { suppressionIds: rows.map((r) => r.id), scopes: removed, followUpId: token.followUpId, via },
    at: now(),
  });

  const all = rows.find((r) => r.scope === "all");
  const detail = parseDetail(all?.detail ?? null);
  if (detail.shopifySync !== "done" || detail.previousState !== "SUBSCRIBED" || !detail.customerId) {
    return { removed, shopify: "not_needed" };
  }
  const customerId = detail.customerId;
  try {
    const client = await clientFor(token.shop);
    const after = await updateCustomerEmailConsent(client, {
      customerId,
      marketingState: "SUBSCRIBED",
      optInLevel: detail.previousOptInLevel ?? null,
    });
    if (after.marketingState) {
      await recordCustomerConsent({ prisma, shop: token.shop, customerId, email: after.email, state: after.marketingState, at: after.updatedAt, force: true });
    }
    await audit(prisma, {
      shop: token.shop,
      actor: "system",
      action: "consent.shopify_resubscribed",
      detail: { customerId },
      at: now(),
    });
    return { removed, shopify: "restored" };
  } catch (err) {
    // Not retried: a lost resubscribe leaves the customer unsubscribed, which is the safe side.
    const message = err instanceof Error ? err.message : String(err);
    await audit(prisma, {
      shop: token.shop,
      actor: "system",
      action: "consent.shopify_resubscribe_failed",
      detail: { customerId, error: message },
      at: now(),
    });
    log.warn("the resubscribe could not be copied to Shopify; the customer stays unsubscribed from marketing there", { customerId, err });
    return { removed, shopify: "failed" };
  }
}
