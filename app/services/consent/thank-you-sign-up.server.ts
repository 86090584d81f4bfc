// The email sign-up on the shop's thank-you and order status pages (extensions/thank-you-opt-in):
// what the block shows for one order, and the buyer's tick of "Send me care tips and offers".
//
// The session token proves only the shop. The order and the address it was placed with are what
// the buyer has in front of them; both must match Shopify's order (and the logged-in customer,
// when the token names one) before anything is read out or changed. A mismatch answers as an
// unknown order, so the endpoint tells nobody which orders exist.
import type { PrismaClient } from "@prisma/client";
import { fetchOrderBuyer, type OrderBuyer } from "~/adapters/shopify-admin/consent.server";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { careGuideTiming, canSignUp, thankYouPageContent, type ThankYouPageContent } from "~/domain/thank-you-page";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { exportFlows } from "../flows/flows.server";
import { loadOfferEmailSignUp } from "../shop/thank-you-settings.server";
import { audit } from "../compliance/audit.server";
import { recordCustomerConsent } from "./consent.server";
import { requestConsentWriteBack, writeBackConsent, type ConsentWriteBackDeps, type WriteBackOutcome } from "./consent-write-back.server";

export interface BuyerClaim {
  shop: string;
  orderId: string; // gid://shopify/Order/…, from the page's order
  email: string; // the buyer's address, from the page
  // The logged-in customer from the session token's sub, if any.
  customerId: string | null;
}

async function buyerOf(client: AdminClient, claim: BuyerClaim): Promise<OrderBuyer | null> {
  const buyer = await fetchOrderBuyer(client, claim.orderId);
  if (!buyer) return null;
  const email = claim.email.trim().toLowerCase();
  if (!email || buyer.email !== email) return null;
  if (claim.customerId && buyer.customer?.customerId !== claim.customerId) return null;
  return buyer;
}

export type OfferAnswer = { found: false } | { found: true; content: ThankYouPageContent | null };

// What the block shows for this order: nothing (offer off, or the customer cannot sign up), or
// the checkbox with the "what happens next" lines.
export async function thankYouOffer({ prisma, client, claim }: { prisma: PrismaClient; client: AdminClient; claim: BuyerClaim }): Promise<OfferAnswer> {
  const buyer = await buyerOf(client, claim);
  if (!buyer) return { found: false };
  const [offerEnabled, shop, flows] = await Promise.all([
    loadOfferEmailSignUp(prisma, claim.shop),
    prisma.shop.findUnique({ where: { domain: claim.shop }, select: { email: true, serviceEmailsAllowed: true } }),
    exportFlows(prisma, claim.shop),
  ]);
  const content = thankYouPageContent({
    offerEnabled,
    marketingState: buyer.customer?.email ? buyer.customer.marketingState : null,
    careGuide: careGuideTiming(flows.flows),
    serviceEmailsAllowed: shop?.serviceEmailsAllowed ?? true,
    contactEmail: shop?.email ?? null,
  });
  return { found: true, content };
}

export type SignUpAnswer =
  | { outcome: "not_found" }
  // Offer turned off, or nothing to subscribe (no customer, no address, bounced, erased).
  | { outcome: "not_offered"; reason: string }
  | { outcome: "subscribed" | "already_subscribed"; shopify: WriteBackOutcome | "unchanged" };

/**
 * The buyer ticked the box: email marketing consent, single opt-in, as of now. Our copy first (so
 * the next send has it even while Shopify is unreachable), then Shopify through the consent
 * write-back, which keeps and retries a write Shopify could not take.
 */
export async function signUpFromThankYouPage({
  prisma,
  client,
  claim,
  now = new Date(),
  logger = rootLogger,
  retry,
}: {
  prisma: PrismaClient;
  client: AdminClient;
  claim: BuyerClaim;
  now?: Date;
  logger?: Logger;
  retry?: ConsentWriteBackDeps["retry"];
}): Promise<SignUpAnswer> {
  const buyer = await buyerOf(client, claim);
  if (!buyer) return { outcome: "not_found" };
  if (!(await loadOfferEmailSignUp(prisma, claim.shop))) return { outcome: "not_offered", reason: "The shop does not offer the email sign-up on its thank-you page." };
  const customer = buyer.customer;
  if (!customer || !customer.email) return { outcome: "not_offered", reason: "The order has no customer with an email address to subscribe." };
  if (customer.marketingState === "SUBSCRIBED") return { outcome: "already_subscribed", shopify: "unchanged" };
  if (!canSignUp(customer.marketingState)) {
    return { outcome: "not_offered", reason: `The customer's email marketing state is ${customer.marketingState ?? "unknown"}, which a sign-up cannot change.` };
  }

  await recordCustomerConsent({ prisma, shop: claim.shop, customerId: customer.customerId, email: customer.email, state: "SUBSCRIBED", at: now });
  const row = await requestConsentWriteBack(prisma, {
    shop: claim.shop,
    customerId: customer.customerId,
    marketingState: "SUBSCRIBED",
    optInLevel: "SINGLE_OPT_IN",
    requestedAt: now,
  });
  await audit(prisma, {
    shop: claim.shop,
    actor: "customer",
    action: "consent.thank_you_page_subscribed",
    detail: { customerId: customer.customerId, orderId: claim.orderId, previousState: customer.marketingState },
    at: now,
  });
  // A newer wish of the same customer already waits (a click on an unsubscribe link since): it stands.
  if (!row) return { outcome: "subscribed", shopify: "superseded" };
  const shopify = await writeBackConsent({ prisma, row, clientFor: async () => client, now: () => now, logger, retry });
  logger.info("customer subscribed on the thank-you page", { shop: claim.shop, customerId: customer.customerId, shopify });
  return { outcome: "subscribed", shopify };
}
