// The shop facts an email needs: who sends it, in which currency and time zone, and the
// postal address the footer must show.
import type { ShopProfileQuery, ShopProfileQueryVariables, TestSendRecipientsQuery, TestSendRecipientsQueryVariables } from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { SHOP_PROFILE_QUERY, TEST_SEND_RECIPIENTS_QUERY } from "./queries";

export interface ShopProfile {
  name: string;
  email: string; // where customers write to: the shop's contact email, else the owner's
  ownerEmail: string; // the account owner's, where Shopify writes
  currencyCode: string;
  ianaTimezone: string;
  storefrontUrl: string;
  address: string | null; // one line
  primaryLocale: string | null; // the language the storefront speaks first, e.g. "en"
  publishedLocales: string[]; // every language buyers can see, the primary first
  logoUrl: string | null; // the Admin API exposes no shop logo; the merchant sets one in Afterglow
  // A Partner development store (shop.plan.partnerDevelopment): it can only be charged test charges.
  developmentStore: boolean;
}

export async function fetchShopProfile(client: AdminClient): Promise<ShopProfile> {
  const { shop, shopLocales } = await client.request<ShopProfileQuery, ShopProfileQueryVariables>(SHOP_PROFILE_QUERY);
  const address = (shop.billingAddress?.formatted ?? [])
    .map((line) => line.trim())
    .filter(Boolean)
    .join(", ");
  return {
    name: shop.name,
    email: shop.contactEmail || shop.email,
    ownerEmail: shop.email,
    currencyCode: shop.currencyCode,
    ianaTimezone: shop.ianaTimezone,
    storefrontUrl: shop.primaryDomain.url,
    address: address || null,
    primaryLocale: shopLocales.find((l) => l.primary)?.locale ?? null,
    publishedLocales: [...shopLocales].sort((a, b) => Number(b.primary) - Number(a.primary)).map((l) => l.locale),
    logoUrl: null,
    developmentStore: shop.plan.partnerDevelopment,
  };
}

// The owner's address (Shopify writes to it) and the public contact address, read fresh: a test
// email may go to these and nowhere else.
export async function fetchShopAddresses(client: AdminClient): Promise<{ ownerEmail: string; contactEmail: string }> {
  const { shop } = await client.request<TestSendRecipientsQuery, TestSendRecipientsQueryVariables>(TEST_SEND_RECIPIENTS_QUERY);
  return { ownerEmail: shop.email, contactEmail: shop.contactEmail };
}
