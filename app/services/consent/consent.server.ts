// Consent before a send: Shopify's current answer when it can be had, our CustomerConsent copy
// when it cannot, and the copy kept current by customers_email_marketing_consent/update.
import { isUniqueViolation } from "../../platform/db-errors.server";
import type { PrismaClient } from "@prisma/client";
import {
  consentFromWebhook,
  GUEST_DECISION,
  InvalidConsentPayloadError,
  marketingDecision,
  type ConsentDecision,
  type EmailMarketingState,
} from "~/domain/consent";
import { fetchCustomerEmailConsent, type CustomerEmailConsent } from "~/adapters/shopify-admin/consent.server";
import { AdminApiError, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { recordDelivery, type WebhookDeliveryInfo } from "../intake/intake.server";

export interface MarketingConsentCheck extends ConsentDecision {
  // Where the answer came from: Shopify just now, our copy (Admin API unavailable), or nowhere.
  source: "shopify" | "afterglow_copy" | "none";
  // Shopify did not answer (down, throttled) and Afterglow has no copy: nobody said no, so the
  // send should wait and ask again. retryAfterMs: when Shopify said it could answer, if it did.
  unavailable?: { reason: string; retryAfterMs: number | null };
}

type ConsentRecordOutcome = "created" | "updated" | "stale";


// Keeps our copy of one customer's consent. `at` is when the consent changed; an older change
// never overwrites a newer one unless `force` (a fresh read of Shopify's current state).
export async function recordCustomerConsent({
  prisma,
  shop,
  customerId,
  email,
  state,
  at,
  force = false,
}: {
  prisma: PrismaClient;
  shop: string;
  customerId: string;
  email: string | null;
  state: EmailMarketingState;
  at: Date | null;
  force?: boolean;
}): Promise<ConsentRecordOutcome> {
  // An erased customer keeps no address with us either.
  const data = {
    marketingState: state,
    consentUpdatedAt: at,
    email: state === "REDACTED" ? null : (email ?? undefined),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const guard = force || !at ? {} : { OR: [{ consentUpdatedAt: null }, { consentUpdatedAt: { lte: at } }] };
    const { count } = await prisma.customerConsent.updateMany({ where: { shop, customerId, ...guard }, data });
    if (count > 0) return "updated";
    const exists = await prisma.customerConsent.count({ where: { shop, customerId } });
    if (exists) return "stale";
    try {
      await prisma.customerConsent.create({ data: { shop, customerId, ...data, email: data.email ?? null } });
      return "created";
    } catch (e) {
      // Another delivery created it a moment ago; apply ours through the guarded update.
      if (!isUniqueViolation(e)) throw e;
    }
  }
  return "stale";
}

// Read just before a marketing send. The order's email must be the customer's default email
// address: that is the address Shopify's consent belongs to.
export async function checkMarketingConsent({
  prisma,
  client,
  readConsent,
  shop,
  customerId,
  email,
  logger = rootLogger,
}: {
  prisma: PrismaClient;
  // null (or a rejected promise) when no client can be made: the check falls back to our copy.
  client: AdminClient | Promise<AdminClient> | null;
  // Reads Shopify's answer instead of a request of its own (a ConsentReader's batched reads).
  readConsent?: (customerId: string) => Promise<CustomerEmailConsent | null>;
  shop: string;
  customerId: string | null | undefined;
  email: string | null | undefined;
  logger?: Logger;
}): Promise<MarketingConsentCheck> {
  if (!customerId) return { ...GUEST_DECISION, source: "none" };
  const recipient = email?.trim().toLowerCase() || null;

  let unavailable: string;
  let transient: AdminApiError | null = null;
  try {
    let consent: CustomerEmailConsent | null;
    if (readConsent) consent = await readConsent(customerId);
    else if (!client) throw new Error("no Admin API client for the shop");
    else consent = await fetchCustomerEmailConsent(await client, customerId);
    if (!consent) {
      return { allowed: false, state: null, reason: "The customer no longer exists in Shopify.", source: "shopify" };
    }
    if (!consent.email || !consent.marketingState) {
      return { allowed: false, state: null, reason: "The customer has no email address in Shopify, so no email marketing consent.", source: "shopify" };
    }
    await recordCustomerConsent({
      prisma,
      shop,
      customerId,
      email: consent.email,
      state: consent.marketingState,
      at: consent.updatedAt,
      force: true,
    });
    if (recipient && recipient !== consent.email) return { ...addressMismatch(consent.marketingState), source: "shopify" };
    return { ...marketingDecision(consent.marketingState, "Shopify"), source: "shopify" };
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
    if (err instanceof AdminApiError && err.retryable) transient = err;
    logger.warn("marketing consent read from Afterglow's copy: Shopify Admin API unavailable", { shop, customerId, err });
  }

  const copy = await prisma.customerConsent.findUnique({ where: { shop_customerId: { shop, customerId } } });
  const why = `Shopify Admin API unavailable: ${unavailable}`;
  if (!copy) {
    const reason = `${why}; Afterglow has no copy of this customer's consent.`;
    if (transient) return { allowed: false, state: null, reason, source: "none", unavailable: { reason: unavailable, retryAfterMs: transient.retryAfterMs } };
    return { allowed: false, state: null, reason, source: "none" };
  }
  const state = copy.marketingState as EmailMarketingState;
  if (recipient && copy.email && recipient !== copy.email) {
    const mismatch = addressMismatch(state);
    return { ...mismatch, reason: `${mismatch.reason} ${why}; used Afterglow's copy.`, source: "afterglow_copy" };
  }
  const decision = marketingDecision(state, `Afterglow's copy from ${copy.updatedAt.toISOString()}; ${why}`);
  return { ...decision, source: "afterglow_copy" };
}

function addressMismatch(state: EmailMarketingState): ConsentDecision {
  return {
    allowed: false,
    state,
    reason: "The order's email address is not the customer's email address in Shopify, so its marketing consent is unknown.",
  };
}

export type ConsentWebhookOutcome = ConsentRecordOutcome | "ignored";

// customers_email_marketing_consent/update. Safe to run twice: the same change applies again
// to the same values, and an older change arriving late is dropped.
export async function receiveConsentWebhook({
  prisma,
  delivery,
  payload,
  logger = rootLogger,
}: {
  prisma: PrismaClient;
  delivery: WebhookDeliveryInfo;
  payload: unknown;
  logger?: Logger;
}): Promise<ConsentWebhookOutcome> {
  const log = logger.child({ shop: delivery.shop, topic: delivery.topic, webhookId: delivery.webhookId });
  const shop = await prisma.shop.findUnique({ where: { domain: delivery.shop }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) {
    // Nothing is sent for a shop that is not connected, so its customers' data is not kept either.
    await recordDelivery({ prisma, delivery, outcome: "ignored: the shop is not connected" });
    return "ignored";
  }
  let update;
  try {
    update = consentFromWebhook(payload);
  } catch (err) {
    if (!(err instanceof InvalidConsentPayloadError)) throw err;
    // Acknowledged rather than failed: Shopify would retry the same unusable body for hours.
    log.warn("consent webhook ignored", { problems: err.problems });
    await recordDelivery({ prisma, delivery, outcome: `ignored: ${err.message}` });
    return "ignored";
  }
  // Without consent_updated_at, when Shopify says the change happened orders the deliveries.
  const triggeredAt = delivery.triggeredAt ? new Date(delivery.triggeredAt) : null;
  const at = update.consentUpdatedAt ?? (triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null);
  const outcome = await recordCustomerConsent({
    prisma,
    shop: delivery.shop,
    customerId: update.customerId,
    email: update.email,
    state: update.state,
    at,
  });
  await recordDelivery({ prisma, delivery, outcome: `consent ${update.state}: ${outcome}` });
  log.info("customer consent received", { customerId: update.customerId, state: update.state, outcome });
  return outcome;
}
