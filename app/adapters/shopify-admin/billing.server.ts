// Shopify's Billing API: asking a shop to approve a recurring subscription, reading which of the
// app's subscriptions the shop pays now, and cancelling one.
import type {
  ActiveSubscriptionsQuery,
  ActiveSubscriptionsQueryVariables,
  AppSubscriptionCancelMutation,
  AppSubscriptionCancelMutationVariables,
  AppSubscriptionCreateMutation,
  AppSubscriptionCreateMutationVariables,
} from "~/types/admin.generated";
import type { AppPricingInterval, CurrencyCode } from "~/types/admin.types";
import type { AdminClient } from "./client.server";
import { ACTIVE_SUBSCRIPTIONS_QUERY, APP_SUBSCRIPTION_CANCEL_MUTATION, APP_SUBSCRIPTION_CREATE_MUTATION } from "./queries";

export interface AppSubscriptionFacts {
  id: string; // gid://shopify/AppSubscription/…
  name: string;
  status: string;
  test: boolean;
  createdAt: Date;
  currentPeriodEnd: Date | null;
}

export class SubscriptionRefusedError extends Error {
  constructor(
    message: string,
    readonly userErrors: Array<{ field: string[] | null; message: string }>,
  ) {
    super(message);
    this.name = "SubscriptionRefusedError";
  }
}

const facts = (s: { id: string; name: string; status: string; test: boolean; createdAt: unknown; currentPeriodEnd?: unknown }): AppSubscriptionFacts => ({
  id: s.id,
  name: s.name,
  status: s.status,
  test: s.test,
  createdAt: new Date(String(s.createdAt)),
  currentPeriodEnd: s.currentPeriodEnd ? new Date(String(s.currentPeriodEnd)) : null,
});

export async function createAppSubscription(
  client: AdminClient,
  input: {
    name: string;
    returnUrl: string;
    test: boolean;
    trialDays: number;
    price: { amount: string; currencyCode: string };
    interval: "EVERY_30_DAYS" | "ANNUAL";
  },
): Promise<{ subscription: AppSubscriptionFacts; confirmationUrl: string }> {
  const data = await client.request<AppSubscriptionCreateMutation, AppSubscriptionCreateMutationVariables>(APP_SUBSCRIPTION_CREATE_MUTATION, {
    name: input.name,
    returnUrl: input.returnUrl,
    test: input.test,
    trialDays: input.trialDays,
    lineItems: [
      {
        plan: {
          appRecurringPricingDetails: {
            price: { amount: input.price.amount, currencyCode: input.price.currencyCode as CurrencyCode },
            interval: input.interval as AppPricingInterval,
          },
        },
      },
    ],
  });
  const result = data.appSubscriptionCreate;
  const errors = result?.userErrors ?? [];
  if (errors.length > 0 || !result?.appSubscription || !result.confirmationUrl) {
    throw new SubscriptionRefusedError(
      `Shopify refused the ${input.name} subscription for ${client.shop}: ` +
        `${errors.map((e) => `${e.field?.join(".") ?? "input"}: ${e.message}`).join("; ") || "no confirmation URL was returned"}.`,
      errors.map((e) => ({ field: e.field ?? null, message: e.message })),
    );
  }
  return { subscription: facts(result.appSubscription), confirmationUrl: String(result.confirmationUrl) };
}

export async function fetchActiveSubscriptions(client: AdminClient): Promise<AppSubscriptionFacts[]> {
  const data = await client.request<ActiveSubscriptionsQuery, ActiveSubscriptionsQueryVariables>(ACTIVE_SUBSCRIPTIONS_QUERY);
  return data.currentAppInstallation.activeSubscriptions.map(facts);
}

// Ends the subscription now; Shopify answers with its CANCELLED status (and sends the webhook).
export async function cancelAppSubscription(client: AdminClient, id: string): Promise<AppSubscriptionFacts> {
  const data = await client.request<AppSubscriptionCancelMutation, AppSubscriptionCancelMutationVariables>(APP_SUBSCRIPTION_CANCEL_MUTATION, { id, prorate: false });
  const result = data.appSubscriptionCancel;
  const errors = result?.userErrors ?? [];
  if (errors.length > 0 || !result?.appSubscription) {
    throw new SubscriptionRefusedError(
      `Shopify refused to cancel ${id} for ${client.shop}: ${errors.map((e) => `${e.field?.join(".") ?? "input"}: ${e.message}`).join("; ") || "no subscription was returned"}.`,
      errors.map((e) => ({ field: e.field ?? null, message: e.message })),
    );
  }
  return facts(result.appSubscription);
}
