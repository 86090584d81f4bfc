// Shopify's Billing API as the store simulator models it: appSubscriptionCreate on the real
// 2025-10 schema, the confirmation page where the merchant approves or declines (a POST stands in
// for their click), the subscription's status in currentAppInstallation.activeSubscriptions, and
// the signed app_subscriptions/update webhook Shopify sends the app when the status changes.
import { createHmac } from "node:crypto";
import { DateTime } from "luxon";
import { gid, legacyId, type SeedStore } from "./store";
import { sendWebhook } from "./webhooks";

export interface SimulatedPricing {
  kind: "recurring" | "usage";
  price?: { amount: string; currencyCode: string }; // recurring
  interval: "EVERY_30_DAYS" | "ANNUAL";
  cappedAmount?: { amount: string; currencyCode: string }; // usage
  terms?: string; // usage
}

export interface SimulatedSubscription {
  id: string; // gid://shopify/AppSubscription/…
  name: string;
  status: "PENDING" | "ACTIVE" | "CANCELLED" | "DECLINED" | "EXPIRED" | "FROZEN";
  test: boolean;
  trialDays: number;
  returnUrl: string;
  createdAt: string;
  updatedAt: string;
  currentPeriodEnd: string | null;
  lineItems: Array<{ id: string; pricing: SimulatedPricing }>;
}

// Where the app takes its webhooks, and the secret it verifies them with (the app's client secret).
export interface WebhookTarget {
  appUrl: string;
  secret: string;
}

export interface BillingState {
  subscriptions: SimulatedSubscription[];
  // Every app_subscriptions/update delivery made, with the app's answer.
  deliveries: Array<{ subscriptionId: string; status: string; answer: number }>;
}

const billingByStore = new WeakMap<SeedStore, BillingState>();
let nextId = 29_100_000_000;

export function billingOf(store: SeedStore): BillingState {
  let state = billingByStore.get(store);
  if (!state) {
    state = { subscriptions: [], deliveries: [] };
    billingByStore.set(store, state);
  }
  return state;
}

export const CONFIRMATION_PATH = /^\/([^/]+)\/admin\/charges\/(\d+)\/RecurringApplicationCharge\/confirm_recurring_application_charge(?:\/(approve|decline))?$/;

// Signed like Shopify's confirmation links, so a guessed id alone does not open one.
function signature(shop: string, id: string): string {
  return createHmac("sha256", "simulator-charges").update(`${shop}:${id}`).digest("base64url");
}

export function confirmationUrl(origin: string, shop: string, subscription: SimulatedSubscription): string {
  return `${origin}/${shop}/admin/charges/${legacyId(subscription.id)}/RecurringApplicationCharge/confirm_recurring_application_charge?signature=${signature(shop, subscription.id)}`;
}

export type UserError = { field: string[]; message: string };

export interface CreateInput {
  name: string;
  returnUrl: string;
  test: boolean | null;
  trialDays: number | null;
  lineItems: Array<{ plan: { appRecurringPricingDetails?: Record<string, unknown> | null; appUsagePricingDetails?: Record<string, unknown> | null } }>;
}

// What Shopify refuses, as user errors. `unmodelled` is called for inputs the simulator does not model.
export function createSubscription(
  store: SeedStore,
  input: CreateInput,
  now: Date,
  unmodelled: (what: string) => Error,
): { subscription: SimulatedSubscription | null; userErrors: UserError[] } {
  const errors: UserError[] = [];
  const number = ++nextId;
  if (!input.name.trim()) errors.push({ field: ["name"], message: "Name can't be blank" });
  if (!/^https?:\/\/[^\s]+$/.test(input.returnUrl) || !URL.canParse(input.returnUrl)) errors.push({ field: ["returnUrl"], message: "Return url is not a valid URL" });
  if (input.trialDays !== null && input.trialDays < 0) errors.push({ field: ["trialDays"], message: "Trial days must be greater than or equal to 0" });
  if (input.lineItems.length === 0) errors.push({ field: ["lineItems"], message: "Line items must have at least one plan" });
  // Shopify never bills a development store: only test charges are taken there.
  if (store.shop.partnerDevelopment && input.test !== true) {
    errors.push({ field: ["test"], message: "Test shops and demo shops can't be charged. Create a test charge (test: true)." });
  }
  const kinds = new Set<string>();
  const lineItems: SimulatedSubscription["lineItems"] = [];
  input.lineItems.forEach((item, index) => {
    const recurring = item.plan.appRecurringPricingDetails ?? null;
    const usage = item.plan.appUsagePricingDetails ?? null;
    if ((recurring ? 1 : 0) + (usage ? 1 : 0) !== 1) {
      errors.push({ field: ["lineItems", String(index), "plan"], message: "A plan must have exactly one pricing detail" });
      return;
    }
    const kind = recurring ? "recurring" : "usage";
    if (kinds.has(kind)) errors.push({ field: ["lineItems", String(index), "plan"], message: `Only one ${kind} pricing plan can be defined` });
    kinds.add(kind);
    if (recurring) {
      if (recurring.discount != null) throw unmodelled("appRecurringPricingDetails.discount");
      const price = recurring.price as { amount: string | number; currencyCode: string };
      if (Number(price.amount) < 0) errors.push({ field: ["lineItems", String(index), "plan", "appRecurringPricingDetails", "price"], message: "Price must be greater than or equal to 0" });
      if (price.currencyCode !== "USD") throw unmodelled(`recurring prices in ${price.currencyCode} (only USD is)`);
      lineItems.push({
        id: gid("AppSubscriptionLineItem", `${number}?v=1&index=${index}`),
        pricing: { kind, price: { amount: String(price.amount), currencyCode: price.currencyCode }, interval: (recurring.interval as "EVERY_30_DAYS" | "ANNUAL" | null) ?? "EVERY_30_DAYS" },
      });
    } else {
      const capped = usage!.cappedAmount as { amount: string | number; currencyCode: string };
      const terms = String(usage!.terms ?? "");
      if (!terms.trim()) errors.push({ field: ["lineItems", String(index), "plan", "appUsagePricingDetails", "terms"], message: "Terms can't be blank" });
      if (!(Number(capped.amount) > 0)) errors.push({ field: ["lineItems", String(index), "plan", "appUsagePricingDetails", "cappedAmount"], message: "Capped amount must be greater than 0" });
      if (capped.currencyCode !== "USD") throw unmodelled(`capped amounts in ${capped.currencyCode} (only USD is)`);
      lineItems.push({
        id: gid("AppSubscriptionLineItem", `${number}?v=1&index=${index}`),
        pricing: { kind, cappedAmount: { amount: String(capped.amount), currencyCode: capped.currencyCode }, terms, interval: "EVERY_30_DAYS" },
      });
    }
  });
  if (errors.length) return { subscription: null, userErrors: errors };
  const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const subscription: SimulatedSubscription = {
    id: gid("AppSubscription", number),
    name: input.name,
    status: "PENDING",
    test: input.test === true,
    trialDays: input.trialDays ?? 0,
    returnUrl: input.returnUrl,
    createdAt: at,
    updatedAt: at,
    currentPeriodEnd: null,
    lineItems,
  };
  billingOf(store).subscriptions.push(subscription);
  return { subscription, userErrors: [] };
}

export function findByConfirmation(stores: SeedStore[], shop: string, id: string, sig: string | null) {
  const store = stores.find((s) => s.shop.myshopifyDomain === shop);
  if (!store) return null;
  const subscription = billingOf(store).subscriptions.find((s) => legacyId(s.id) === Number(id));
  if (!subscription || sig !== signature(shop, subscription.id)) return null;
  return { store, subscription };
}

// Shopify's webhook body for app_subscriptions/update: times in the shop's zone with an offset.
export function subscriptionWebhookBody(store: SeedStore, s: SimulatedSubscription) {
  const local = (iso: string) => DateTime.fromISO(iso, { zone: store.shop.ianaTimezone }).toISO({ suppressMilliseconds: true });
  const recurring = s.lineItems.find((l) => l.pricing.kind === "recurring")?.pricing;
  const usage = s.lineItems.find((l) => l.pricing.kind === "usage")?.pricing;
  return {
    app_subscription: {
      admin_graphql_api_id: s.id,
      name: s.name,
      status: s.status,
      admin_graphql_api_shop_id: store.shop.id,
      created_at: local(s.createdAt),
      updated_at: local(s.updatedAt),
      currency: (recurring?.price ?? usage?.cappedAmount)?.currencyCode ?? "USD",
      capped_amount: usage?.cappedAmount ? String(Number(usage.cappedAmount.amount).toFixed(1)) : null,
      ...(recurring?.price ? { price: Number(recurring.price.amount).toFixed(2), interval: recurring.interval.toLowerCase() } : {}),
      plan_handle: null,
    },
  };
}

async function notify(store: SeedStore, s: SimulatedSubscription, target: WebhookTarget | null): Promise<void> {
  if (!target) return;
  const res = await sendWebhook(`${target.appUrl}/webhooks/app_subscriptions/update`, {
    topic: "app_subscriptions/update",
    shop: store.shop.myshopifyDomain,
    payload: subscriptionWebhookBody(store, s),
    secret: target.secret,
  });
  billingOf(store).deliveries.push({ subscriptionId: s.id, status: s.status, answer: res.status });
}

function setStatus(s: SimulatedSubscription, status: SimulatedSubscription["status"], now: Date) {
  s.status = status;
  s.updatedAt = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  s.currentPeriodEnd = status === "ACTIVE" ? new Date(now.getTime() + (s.trialDays + 30) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z") : null;
}

// The merchant's click on the confirmation page. Approving replaces the app's other active
// subscription (Shopify's STANDARD replacement), which is cancelled and reported too.
export async function decide(
  store: SeedStore,
  subscription: SimulatedSubscription,
  choice: "approve" | "decline",
  target: WebhookTarget | null,
  now = new Date(),
): Promise<string> {
  if (subscription.status !== "PENDING") throw new Error(`${subscription.id} is ${subscription.status}; only a PENDING subscription can be approved or declined.`);
  if (choice === "approve") {
    for (const other of billingOf(store).subscriptions) {
      if (other !== subscription && other.status === "ACTIVE") {
        setStatus(other, "CANCELLED", now);
        await notify(store, other, target);
      }
    }
  }
  setStatus(subscription, choice === "approve" ? "ACTIVE" : "DECLINED", now);
  await notify(store, subscription, target);
  const back = new URL(subscription.returnUrl);
  back.searchParams.set("charge_id", String(legacyId(subscription.id)));
  return back.toString();
}

// appSubscriptionCancel(id, prorate): the app ends one of its own subscriptions. Shopify refuses an
// id that is not this app's subscription on this shop, and one that is not active (a PENDING one is
// declined at its confirmation page, a CANCELLED one cannot end twice); a cancelled one is reported
// with app_subscriptions/update, sent after the mutation has answered, as Shopify's webhooks are.
// prorate is not modelled (the refund is Shopify's own affair).
export function cancelSubscription(
  store: SeedStore,
  id: string,
  target: WebhookTarget | null,
  now = new Date(),
): { subscription: SimulatedSubscription | null; userErrors: UserError[] } {
  const subscription = billingOf(store).subscriptions.find((s) => s.id === id);
  if (!subscription) return { subscription: null, userErrors: [{ field: ["id"], message: "Couldn't find RecurringApplicationCharge" }] };
  if (subscription.status !== "ACTIVE" && subscription.status !== "FROZEN") {
    return { subscription: null, userErrors: [{ field: ["id"], message: `The subscription is ${subscription.status.toLowerCase()} and cannot be cancelled` }] };
  }
  setStatus(subscription, "CANCELLED", now);
  const answered = { ...subscription };
  setTimeout(() => {
    notify(store, answered, target).catch(() => billingOf(store).deliveries.push({ subscriptionId: answered.id, status: answered.status, answer: 0 }));
  }, 0);
  return { subscription, userErrors: [] };
}

// What Shopify does on its own: the merchant cancels in their admin (or uninstalls), a trial or
// a FROZEN shop's subscription expires, a shop is frozen for an unpaid Shopify bill.
export async function changeStatus(store: SeedStore, id: string, status: "CANCELLED" | "EXPIRED" | "FROZEN" | "ACTIVE", target: WebhookTarget | null, now = new Date()) {
  const subscription = billingOf(store).subscriptions.find((s) => s.id === id);
  if (!subscription) throw new Error(`${store.shop.myshopifyDomain} has no subscription ${id}.`);
  setStatus(subscription, status, now);
  await notify(store, subscription, target);
}

export function confirmationPage(subscription: SimulatedSubscription, { approve, decline }: { approve: string; decline: string }): string {
  const escape = (t: string) => t.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  const price = subscription.lineItems.map((l) => (l.pricing.price ? `$${l.pricing.price.amount} every 30 days` : `usage up to $${l.pricing.cappedAmount!.amount}`)).join(" + ");
  return `<!doctype html><html><head><title>Approve subscription</title></head><body>
<h1>${escape(subscription.name)}</h1><p>${escape(price)}${subscription.test ? " (test charge)" : ""}${subscription.trialDays ? `, ${subscription.trialDays}-day trial` : ""}</p>
<form method="post" action="${escape(approve)}"><button type="submit">Approve</button></form>
<form method="post" action="${escape(decline)}"><button type="submit">Decline</button></form>
</body></html>`;
}
