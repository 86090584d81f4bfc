// What an unsubscribe link does: Suppression rows (checked before every send), an AuditLog row
// per change, and, since every choice on the page covers marketing, the customer's marketing
// consent in Shopify, so the shop's other tools stop mailing them too.
//
// The Shopify half may fail (Admin API down, throttled, token revoked). The suppression is
// written first and stands on its own; the change for Shopify waits as a ConsentWriteBack row
// (consent-write-back.server.ts) until Shopify takes it. The suppression's `detail` tells what
// became of it, and what the consent was before, so a resubscribe can restore it.
import type { PrismaClient, Suppression } from "@prisma/client";
import type { MarketingOptInLevel } from "~/domain/consent";
import {
  normalizeEmail,
  suppressionScopeFor,
  type SuppressionScope,
  type UnsubscribeChoice,
  type UnsubscribeTokenPayload,
} from "~/domain/unsubscribe";
import { logger as rootLogger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { suppressionLookupEmails } from "../compliance/hashed-emails.server";
import {
  cancelConsentWriteBack,
  pendingConsentWriteBack,
  requestConsentWriteBack,
  workDueConsentWriteBacks,
  writeBackConsent,
  type ConsentWriteBackDeps,
  type WriteBackRecord,
} from "./consent-write-back.server";
import { addSuppression, removeSuppression, type NewSuppression } from "./suppressions.server";
import { providerOf } from "~/db.server";
import { flowTriggerFireStatement, followUpFacts, triggersInUse, type FlowTriggerFireInput } from "../flow-triggers/fires.server";

export type UnsubscribeVia = "one-click" | "page" | "mailto";

export type ShopifySyncState = "not_needed" | "done" | "pending" | "failed" | "no_customer";

export type UnsubscribeDeps = ConsentWriteBackDeps;

export interface UnsubscribeResult {
  scope: SuppressionScope;
  changed: boolean; // false: the address was already suppressed for this scope
  shopify: ShopifySyncState;
}

export interface ResubscribeResult {
  removed: SuppressionScope[];
  // restored: Shopify says SUBSCRIBED again; pending: it will once Shopify answers; cancelled:
  // the unsubscribe had not reached Shopify yet and now never will.
  shopify: "not_needed" | "restored" | "pending" | "failed" | "cancelled";
}

// Kept as JSON in Suppression.detail for rows this module writes.
interface UnsubscribeDetail extends WriteBackRecord {
  via?: UnsubscribeVia;
  category?: string;
}

export const UNSUBSCRIBED_REASON = "unsubscribed";

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
  const { suppression: row, created: changed } = await addUnsubscribe(
    prisma,
    {
      shop,
      email,
      scope,
      reason: UNSUBSCRIBED_REASON,
      source: token.followUpId,
      detail: JSON.stringify({ via, category: token.category } satisfies UnsubscribeDetail),
    },
    { flowTrigger: await unsubscribeFlowTrigger(prisma, { shop, email, followUpId: token.followUpId, scope }), at: now() },
  );
  if (changed) {
    await audit(prisma, {
      shop,
      actor: "customer",
      action: "email.unsubscribed",
      detail: { suppressionId: row.id, scope, followUpId: token.followUpId, category: token.category, via },
      at: now(),
    });
  }

  // A merchant's or SendGrid's entry for the address came first; the customer's click is theirs alone.
  if (row.reason !== UNSUBSCRIBED_REASON) return { scope, changed, shopify: "not_needed" };
  const detail = parseDetail(row.detail);
  const customerId = detail.customerId ?? (await customerIdFor(prisma, row, token.followUpId));
  if (!customerId) {
    // A guest order: Shopify has no customer whose consent could change.
    if (detail.shopifySync !== "no_customer") await recordOnRow(prisma, row, { ...detail, shopifySync: "no_customer" });
    return { scope, changed, shopify: "no_customer" };
  }
  if (changed) {
    const wish = await requestConsentWriteBack(prisma, { shop, customerId, marketingState: "UNSUBSCRIBED", requestedAt: now(), suppressionId: row.id });
    if (!wish) return { scope, changed, shopify: "pending" };
    await recordOnRow(prisma, row, { ...detail, shopifySync: "pending", customerId });
    return { scope, changed, shopify: await writeOutcome(writeBackConsent({ ...deps, row: wish })) };
  }
  // A click on an unsubscribe whose Shopify change still waits is a good moment to try again.
  const waiting = await pendingConsentWriteBack(prisma, shop, customerId);
  if (waiting?.marketingState === "UNSUBSCRIBED") return { scope, changed, shopify: await writeOutcome(writeBackConsent({ ...deps, row: waiting })) };
  return { scope, changed, shopify: detail.shopifySync ?? "not_needed" };
}

// "Customer unsubscribed" for Shopify Flow, when the shop's workflows use it: the customer and the
// follow-up whose link they followed. Null when nothing is to fire (not in use, a test send).
async function unsubscribeFlowTrigger(
  prisma: PrismaClient,
  { shop, email, followUpId, scope }: { shop: string; email: string; followUpId: string | null; scope: SuppressionScope },
): Promise<Omit<FlowTriggerFireInput, "factKey"> | null> {
  if ((await triggersInUse(prisma, shop, ["customer-unsubscribed"])).size === 0) return null;
  const facts = followUpId ? (await followUpFacts(prisma, [followUpId])).get(followUpId) : undefined;
  if (followUpId && !facts) return null; // a merchant's test send, or a follow-up erased since
  // Without the follow-up, our consent copy knows who has the address.
  const consent = facts?.customerId
    ? null
    : await prisma.customerConsent.findFirst({ where: { shop, email }, orderBy: { updatedAt: "desc" }, select: { customerId: true } });
  return {
    shop,
    followUpId,
    fact: {
      trigger: "customer-unsubscribed",
      scope,
      orderId: facts?.orderId ?? null,
      customerId: facts?.customerId ?? consent?.customerId ?? null,
      flowName: facts?.flowName ?? null,
      step: facts?.step ?? null,
    },
  };
}

// The suppression and its Flow trigger in one transaction: the trigger fires only for the
// unsubscribe that created the row, once.
async function addUnsubscribe(
  prisma: PrismaClient,
  input: NewSuppression,
  { flowTrigger, at }: { flowTrigger: Omit<FlowTriggerFireInput, "factKey"> | null; at: Date },
): Promise<Awaited<ReturnType<typeof addSuppression>>> {
  if (!flowTrigger) return addSuppression(prisma, input);
  const dialect = providerOf(prisma);
  try {
    return await prisma.$transaction(async (tx) => {
      const added = await addSuppression(tx, input);
      if (added.created) await flowTriggerFireStatement(tx, { ...flowTrigger, factKey: `suppression:${added.suppression.id}` }, { at, dialect });
      return added;
    });
  } catch (err) {
    // A concurrent click created the row (on PostgreSQL the failed insert ends the transaction):
    // theirs is the unsubscribe, and theirs fired the trigger.
    const again = await prisma.suppression.findFirst({ where: { shop: input.shop, email: input.email, scope: input.scope ?? "all" } });
    if (again) return { suppression: again, created: false };
    throw err;
  }
}

async function writeOutcome(outcome: Promise<"done" | "pending" | "failed" | "superseded">): Promise<ShopifySyncState> {
  const o = await outcome;
  return o === "superseded" ? "pending" : o;
}

async function recordOnRow(prisma: PrismaClient, row: Suppression, detail: UnsubscribeDetail) {
  // updateMany: a resubscribe may have deleted the row meanwhile, and then there is nothing to record.
  await prisma.suppression.updateMany({ where: { id: row.id }, data: { detail: JSON.stringify(detail) } });
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

// Works the consent changes waiting for Shopify; the housekeeping chore runs it every
// CONSENT_RETRY_INTERVAL_MS, and each change waits for its own backoff.
export function retryPendingConsentSyncs(deps: UnsubscribeDeps & { limit?: number }) {
  return workDueConsentWriteBacks(deps);
}

// Undoes this address's unsubscribes (never bounces or spam reports). If an unsubscribe had
// changed the customer's consent in Shopify from SUBSCRIBED, it is set back, at the opt-in level
// it had: the person holding the link asked for it, as they asked for the unsubscribe. One still
// waiting for Shopify is dropped instead, so it cannot land after the resubscribe.
export async function resubscribe({
  token,
  via,
  ...deps
}: UnsubscribeDeps & { token: UnsubscribeTokenPayload; via: UnsubscribeVia }): Promise<ResubscribeResult> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const log = (deps.logger ?? rootLogger).child({ component: "unsubscribe", shop: token.shop });
  const rows = await prisma.suppression.findMany({
    where: { shop: token.shop, email: { in: suppressionLookupEmails(token.email) }, reason: UNSUBSCRIBED_REASON },
  });
  if (rows.length === 0) return { removed: [], shopify: "not_needed" };
  const at = now();
  for (const row of rows) await removeSuppression(prisma, { shop: token.shop, id: row.id });
  const removed = rows.map((r) => r.scope as SuppressionScope);
  await audit(prisma, {
    shop: token.shop,
    actor: "customer",
    action: "email.resubscribed",
    detail: { suppressionIds: rows.map((r) => r.id), scopes: removed, followUpId: token.followUpId, via },
    at,
  });

  const details = rows.map((r) => parseDetail(r.detail));
  const customerId = details.find((d) => d.customerId)?.customerId ?? (await customerIdFor(prisma, rows[0]!, token.followUpId));
  if (!customerId) return { removed, shopify: "not_needed" };
  const waiting = await pendingConsentWriteBack(prisma, token.shop, customerId);
  // Shopify has not taken an unsubscribe yet: drop it rather than undo it later.
  const cancelled = waiting?.marketingState === "UNSUBSCRIBED" && (await cancelConsentWriteBack(prisma, waiting));
  if (cancelled) log.info("an unsubscribe still waiting for Shopify was dropped by the customer's resubscribe", { customerId });
  // What the customer's consent was before an earlier of these unsubscribes reached Shopify.
  const restored = details.find((d) => d.shopifySync === "done" && d.previousState === "SUBSCRIBED");
  if (!restored) return { removed, shopify: cancelled ? "cancelled" : "not_needed" };
  const wish = await requestConsentWriteBack(prisma, {
    shop: token.shop,
    customerId,
    marketingState: "SUBSCRIBED",
    optInLevel: (restored.previousOptInLevel as MarketingOptInLevel | null | undefined) ?? null,
    requestedAt: at,
  });
  if (!wish) return { removed, shopify: "pending" };
  const outcome = await writeBackConsent({ ...deps, row: wish });
  return { removed, shopify: outcome === "done" ? "restored" : outcome === "superseded" ? "pending" : outcome };
}
