// What to recommend in one order's email: the shop's learned order of recommendation sources,
// then the Admin API, leaving out what the customer bought before. The dispatcher sends with it;
// the editor's preview shows it.
import type { PrismaClient } from "@prisma/client";
import { orderSources, seededRng } from "~/domain/bandit";
import { orderProductIds } from "~/domain/stored-rows";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import {
  fetchCustomerPurchaseHistory,
  fetchRecommendations,
  type RecommendationCache,
} from "~/adapters/shopify-admin/recommendations.server";
import { shopSourcePreferences } from "../analytics/attribution.server";

export const RECOMMENDATIONS_PER_EMAIL = 4;
// Our own rows of the customer's earlier orders that are read (newest first).
export const OWN_ORDER_HISTORY_MAX = 100;

export async function recommendForOrder({
  prisma,
  client,
  cache,
  shop,
  orderId = null,
  customerId = null,
  productIds,
  currencyCode,
  countryCode,
  shopCurrency,
}: {
  prisma: PrismaClient;
  client: AdminClient;
  cache?: RecommendationCache;
  shop: string;
  orderId?: string | null; // this order, left out of the customer's history
  customerId?: string | null; // a guest checkout has no history to read
  productIds: string[];
  currencyCode: string;
  countryCode: string | null;
  shopCurrency: string | null;
}): Promise<RecommendedProduct[]> {
  // The shop's learned preference decides which source leads this email.
  const preferences = await shopSourcePreferences(prisma, shop).catch(() => null);
  const sourceOrder = preferences ? orderSources({ preferences, rng: seededRng((Math.random() * 2 ** 32) >>> 0) }) : undefined;
  const boughtBeforeProductIds = customerId
    ? await customerPurchaseHistory({ prisma, client, cache, shop, customerId, orderId })
    : [];
  return fetchRecommendations({
    client,
    productIds,
    boughtBeforeProductIds,
    currencyCode,
    countryCode: countryCode ?? undefined,
    shopCurrency: shopCurrency ?? currencyCode,
    cache,
    limit: RECOMMENDATIONS_PER_EMAIL,
    sourceOrder,
  });
}

/**
 * Every product the customer bought in earlier orders: Shopify's view of their newest orders
 * (which without read_all_orders ends 60 days back) joined with the orders we kept ourselves.
 */
export async function customerPurchaseHistory({
  prisma,
  client,
  cache,
  shop,
  customerId,
  orderId,
}: {
  prisma: PrismaClient;
  client: AdminClient;
  cache?: RecommendationCache;
  shop: string;
  customerId: string;
  orderId: string | null;
}): Promise<string[]> {
  const [fromShopify, ownRows] = await Promise.all([
    fetchCustomerPurchaseHistory({ client, customerId, cache }),
    prisma.order.findMany({
      where: { shop, customerId, ...(orderId ? { NOT: { orderId } } : {}) },
      select: { id: true, productIds: true },
      orderBy: { orderedAt: "desc" },
      take: OWN_ORDER_HISTORY_MAX,
    }),
  ]);
  return [...new Set([...fromShopify, ...ownRows.flatMap(orderProductIds)])];
}
