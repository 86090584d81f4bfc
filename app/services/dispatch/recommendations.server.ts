// What to recommend in one order's email: the shop's learned order of recommendation sources,
// then the Admin API. The dispatcher sends with it; the editor's preview shows it.
import type { PrismaClient } from "@prisma/client";
import { orderSources, seededRng } from "~/domain/bandit";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { fetchRecommendations, type RecommendationCache } from "~/adapters/shopify-admin/recommendations.server";
import { shopSourcePreferences } from "../analytics/attribution.server";

export const RECOMMENDATIONS_PER_EMAIL = 4;

export async function recommendForOrder({
  prisma,
  client,
  cache,
  shop,
  productIds,
  currencyCode,
  countryCode,
  shopCurrency,
}: {
  prisma: PrismaClient;
  client: AdminClient;
  cache?: RecommendationCache;
  shop: string;
  productIds: string[];
  currencyCode: string;
  countryCode: string | null;
  shopCurrency: string | null;
}): Promise<RecommendedProduct[]> {
  // The shop's learned preference decides which source leads this email.
  const preferences = await shopSourcePreferences(prisma, shop).catch(() => null);
  const sourceOrder = preferences ? orderSources({ preferences, rng: seededRng((Math.random() * 2 ** 32) >>> 0) }) : undefined;
  return fetchRecommendations({
    client,
    productIds,
    currencyCode,
    countryCode: countryCode ?? undefined,
    shopCurrency: shopCurrency ?? currencyCode,
    cache,
    limit: RECOMMENDATIONS_PER_EMAIL,
    sourceOrder,
  });
}
