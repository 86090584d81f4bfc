// Reads and changes a customer's email marketing consent in Shopify, where the merchant and
// every other app see it.
import {
  normalizeMarketingState,
  normalizeOptInLevel,
  type EmailMarketingState,
  type MarketingOptInLevel,
} from "~/domain/consent";
import type {
  CustomerEmailConsentsQuery,
  CustomerEmailConsentsQueryVariables,
  CustomerEmailConsentQuery,
  CustomerEmailConsentQueryVariables,
  CustomerEmailConsentUpdateMutation,
  CustomerEmailConsentUpdateMutationVariables,
  OrderBuyerQuery,
  OrderBuyerQueryVariables,
} from "~/types/admin.generated";
import type { CustomerEmailMarketingState, CustomerMarketingOptInLevel } from "~/types/admin.types";
import type { AdminClient } from "./client.server";
import { CUSTOMER_EMAIL_CONSENT_QUERY, CUSTOMER_EMAIL_CONSENTS_QUERY, CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION, ORDER_BUYER_QUERY } from "./queries";

export interface CustomerEmailConsent {
  customerId: string;
  // null when the customer has no email address: then there is no consent to read or change.
  email: string | null;
  marketingState: EmailMarketingState | null;
  optInLevel: MarketingOptInLevel | null;
  updatedAt: Date | null;
}

type EmailAddressFields = {
  emailAddress?: string | null;
  marketingState?: unknown;
  marketingOptInLevel?: unknown;
  marketingUpdatedAt?: unknown;
} | null | undefined;

function toConsent(customerId: string, address: EmailAddressFields): CustomerEmailConsent {
  const updatedAt = address?.marketingUpdatedAt ? new Date(String(address.marketingUpdatedAt)) : null;
  return {
    customerId,
    email: address?.emailAddress ? address.emailAddress.trim().toLowerCase() : null,
    marketingState: normalizeMarketingState(address?.marketingState),
    optInLevel: normalizeOptInLevel(address?.marketingOptInLevel),
    updatedAt: updatedAt && !Number.isNaN(updatedAt.getTime()) ? updatedAt : null,
  };
}

// null when Shopify has no such customer (deleted, or the id belongs to another shop).
export async function fetchCustomerEmailConsent(
  client: AdminClient,
  customerId: string,
): Promise<CustomerEmailConsent | null> {
  const { customer } = await client.request<CustomerEmailConsentQuery, CustomerEmailConsentQueryVariables>(
    CUSTOMER_EMAIL_CONSENT_QUERY,
    { id: customerId },
  );
  return customer ? toConsent(customer.id, customer.defaultEmailAddress) : null;
}

export interface OrderBuyer {
  orderId: string;
  // The address the order was placed with, lower case; null when there was none.
  email: string | null;
  // null for an order without a customer.
  customer: CustomerEmailConsent | null;
}

// null when Shopify has no such order in this shop (another shop's id finds nothing).
export async function fetchOrderBuyer(client: AdminClient, orderId: string): Promise<OrderBuyer | null> {
  const { order } = await client.request<OrderBuyerQuery, OrderBuyerQueryVariables>(ORDER_BUYER_QUERY, { id: orderId });
  if (!order) return null;
  return {
    orderId: order.id,
    email: order.email ? order.email.trim().toLowerCase() : null,
    customer: order.customer ? toConsent(order.customer.id, order.customer.defaultEmailAddress) : null,
  };
}

// Shopify's limit for nodes(ids:).
export const MAX_CONSENTS_PER_REQUEST = 250;

// Many customers in one request: each id maps to its consent, or to null when Shopify has no
// such customer (deleted, or another shop's).
export async function fetchCustomerEmailConsents(
  client: AdminClient,
  customerIds: string[],
): Promise<Map<string, CustomerEmailConsent | null>> {
  const found = new Map<string, CustomerEmailConsent | null>(customerIds.map((id) => [id, null]));
  for (let i = 0; i < customerIds.length; i += MAX_CONSENTS_PER_REQUEST) {
    const ids = customerIds.slice(i, i + MAX_CONSENTS_PER_REQUEST);
    const { nodes } = await client.request<CustomerEmailConsentsQuery, CustomerEmailConsentsQueryVariables>(CUSTOMER_EMAIL_CONSENTS_QUERY, { ids });
    for (const node of nodes) {
      if (node && "id" in node && "defaultEmailAddress" in node) found.set(node.id, toConsent(node.id, node.defaultEmailAddress));
    }
  }
  return found;
}

// Shopify answered, but refused the change (unknown customer, no email address, bad input):
// trying again will not help.
export class ConsentUpdateRejectedError extends Error {
  override readonly name = "ConsentUpdateRejectedError";
  readonly shop: string;
  readonly customerId: string;
  readonly userErrors: { field: string[] | null; message: string; code: string | null }[];

  constructor(shop: string, customerId: string, userErrors: ConsentUpdateRejectedError["userErrors"]) {
    super(
      `Shopify refused to change the email marketing consent of ${customerId} in ${shop}: ` +
        `${userErrors.map((e) => `${e.message}${e.field ? ` (${e.field.join(".")})` : ""}`).join("; ") || "no reason given"}. ` +
        "Check the customer in the Shopify admin.",
    );
    this.shop = shop;
    this.customerId = customerId;
    this.userErrors = userErrors;
  }
}

export async function updateCustomerEmailConsent(
  client: AdminClient,
  {
    customerId,
    marketingState,
    optInLevel,
    consentUpdatedAt,
  }: {
    customerId: string;
    marketingState: Extract<EmailMarketingState, "SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING">;
    optInLevel?: MarketingOptInLevel | null;
    consentUpdatedAt?: Date;
  },
): Promise<CustomerEmailConsent> {
  const data = await client.request<CustomerEmailConsentUpdateMutation, CustomerEmailConsentUpdateMutationVariables>(
    CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION,
    {
      input: {
        customerId,
        emailMarketingConsent: {
          // The generated enums are declarations only; Shopify checks the values itself.
          marketingState: marketingState as CustomerEmailMarketingState,
          ...(optInLevel ? { marketingOptInLevel: optInLevel as CustomerMarketingOptInLevel } : {}),
          ...(consentUpdatedAt ? { consentUpdatedAt: consentUpdatedAt.toISOString() } : {}),
        },
      },
    },
  );
  const result = data.customerEmailMarketingConsentUpdate;
  const userErrors = (result?.userErrors ?? []).map((e) => ({
    field: e.field ?? null,
    message: e.message,
    code: e.code ? String(e.code) : null,
  }));
  if (userErrors.length || !result?.customer) throw new ConsentUpdateRejectedError(client.shop, customerId, userErrors);
  return toConsent(result.customer.id, result.customer.defaultEmailAddress);
}
