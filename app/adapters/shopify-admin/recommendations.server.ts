// Reads what the recommendation engine needs from the Admin API and asks it what to recommend.
import {
  DEFAULT_RECOMMENDATION_LIMIT,
  pickRecommendations,
  toProductGid,
} from "~/domain/recommendations";
import type { CandidateProduct, RecommendedProduct } from "~/domain/recommendations.types";
import type {
  CollectionBestSellersQuery,
  CollectionBestSellersQueryVariables,
  CustomerPurchaseHistoryQuery,
  CustomerPurchaseHistoryQueryVariables,
  RecommendationCandidateFragment,
  RecommendationInputsQuery,
  RecommendationInputsQueryVariables,
} from "~/types/admin.generated";
import type { CountryCode } from "~/types/admin.types";
import { TtlCache, type TtlCacheOptions } from "./cache";
import type { AdminClient } from "./client.server";
import { COLLECTION_BEST_SELLERS_QUERY, CUSTOMER_PURCHASE_HISTORY_QUERY, RECOMMENDATION_INPUTS_QUERY } from "./queries";

// A few purchased products per request keeps the requested query cost well under Shopify's
// 1,000-point single-query maximum: each one asks for up to 12 referenced products (about 180 points).
const INPUTS_BATCH_SIZE = 3;
const BEST_SELLER_COLLECTIONS_MAX = 3;
const BEST_SELLERS_PER_COLLECTION = 8;
// The customer's newest orders and lines that are read; older ones come from our own order rows.
export const PURCHASE_HISTORY_ORDERS = 10;
export const PURCHASE_HISTORY_LINES = 25;

export interface ProductRecommendationInputs {
  productId: string;
  complementary: CandidateProduct[];
  related: CandidateProduct[];
  collectionIds: string[];
}

export type RecommendationCacheEntry =
  | { kind: "product"; inputs: ProductRecommendationInputs }
  | { kind: "collection"; bestSellers: CandidateProduct[] }
  | { kind: "history"; productIds: string[] };

export type RecommendationCache = TtlCache<RecommendationCacheEntry>;

export function createRecommendationCache(options?: TtlCacheOptions): RecommendationCache {
  return new TtlCache<RecommendationCacheEntry>(options);
}

const sharedRecommendationCache = createRecommendationCache();

export interface PricingContext {
  key: string; // part of the cache key: prices differ per country
  variables: { country: CountryCode | null; withContextualPricing: boolean };
}

// Shop prices are in the shop's currency; an order paid in another currency shows the
// customer's market price, which Shopify resolves from the country (contextualPricing).
export function pricingContext({
  currencyCode,
  countryCode,
  shopCurrency,
}: {
  currencyCode: string;
  countryCode?: string | null;
  shopCurrency: string;
}): PricingContext {
  const country = countryCode?.trim().toUpperCase();
  const differs = currencyCode.trim().toUpperCase() !== shopCurrency.trim().toUpperCase();
  if (differs && country && /^[A-Z]{2}$/.test(country)) {
    // The generated enum is a declaration only; Shopify checks the code itself.
    return { key: `country:${country}`, variables: { country: country as CountryCode, withContextualPricing: true } };
  }
  return { key: "shop", variables: { country: null, withContextualPricing: false } };
}

export async function fetchRecommendations({
  client,
  productIds,
  currencyCode,
  countryCode,
  shopCurrency,
  cache = sharedRecommendationCache,
  limit = DEFAULT_RECOMMENDATION_LIMIT,
  sourceOrder,
  boughtBeforeProductIds = [],
}: {
  client: AdminClient;
  productIds: readonly (string | number)[];
  boughtBeforeProductIds?: readonly (string | number)[]; // the customer's earlier orders
  currencyCode: string; // the order's currency
  countryCode?: string | null; // where the order ships or bills to
  shopCurrency: string;
  cache?: RecommendationCache;
  limit?: number;
  sourceOrder?: readonly string[]; // learned per shop; the default order otherwise
}): Promise<RecommendedProduct[]> {
  const purchased = unique(productIds.map(toProductGid));
  if (purchased.length === 0 || limit <= 0) return [];
  const pricing = pricingContext({ currencyCode, countryCode, shopCurrency });

  const inputs = await loadProductInputs({ client, productIds: purchased, pricing, cache });
  const complementary = inputs.flatMap((i) => i.complementary);
  const related = inputs.flatMap((i) => i.related);
  let bestSellers: CandidateProduct[] = [];
  let picked = pickRecommendations({ purchasedProductIds: purchased, boughtBeforeProductIds, complementary, related, bestSellers, limit, sourceOrder });

  // Best sellers only fill what the merchant's own recommendations leave empty, so they are fetched last.
  const collectionIds = unique(inputs.flatMap((i) => i.collectionIds)).slice(0, BEST_SELLER_COLLECTIONS_MAX);
  for (const collectionId of collectionIds) {
    if (picked.length >= limit) break;
    bestSellers = bestSellers.concat(await loadBestSellers({ client, collectionId, pricing, cache }));
    picked = pickRecommendations({ purchasedProductIds: purchased, boughtBeforeProductIds, complementary, related, bestSellers, limit, sourceOrder });
  }
  return picked;
}

async function loadProductInputs({
  client,
  productIds,
  pricing,
  cache,
}: {
  client: AdminClient;
  productIds: string[];
  pricing: PricingContext;
  cache: RecommendationCache;
}): Promise<ProductRecommendationInputs[]> {
  const keyOf = (id: string) => `${client.shop}|product|${id}|${pricing.key}`;
  const found = new Map<string, ProductRecommendationInputs>();
  for (const id of productIds) {
    const entry = cache.get(keyOf(id));
    if (entry?.kind === "product") found.set(id, entry.inputs);
  }
  const missing = productIds.filter((id) => !found.has(id));
  for (let i = 0; i < missing.length; i += INPUTS_BATCH_SIZE) {
    const ids = missing.slice(i, i + INPUTS_BATCH_SIZE);
    const data = await client.request<RecommendationInputsQuery, RecommendationInputsQueryVariables>(
      RECOMMENDATION_INPUTS_QUERY,
      { ids, ...pricing.variables },
    );
    ids.forEach((id, index) => {
      // nodes() answers null for a deleted product and {} for an id that is not a product.
      const node = data.nodes[index];
      const inputs: ProductRecommendationInputs = {
        productId: id,
        complementary: candidatesOf(node?.complementary?.references?.nodes, pricing),
        related: candidatesOf(node?.related?.references?.nodes, pricing),
        collectionIds: node?.collections?.nodes?.map((c) => c.id) ?? [],
      };
      found.set(id, inputs);
      cache.set(keyOf(id), { kind: "product", inputs });
    });
  }
  return productIds.map((id) => found.get(id) as ProductRecommendationInputs);
}

async function loadBestSellers({
  client,
  collectionId,
  pricing,
  cache,
}: {
  client: AdminClient;
  collectionId: string;
  pricing: PricingContext;
  cache: RecommendationCache;
}): Promise<CandidateProduct[]> {
  const key = `${client.shop}|collection|${collectionId}|${pricing.key}`;
  const entry = cache.get(key);
  if (entry?.kind === "collection") return entry.bestSellers;
  const data = await client.request<CollectionBestSellersQuery, CollectionBestSellersQueryVariables>(
    COLLECTION_BEST_SELLERS_QUERY,
    { id: collectionId, first: BEST_SELLERS_PER_COLLECTION, ...pricing.variables },
  );
  const bestSellers = candidatesOf(data.collection?.products.nodes, pricing);
  cache.set(key, { kind: "collection", bestSellers });
  return bestSellers;
}

/**
 * The products in a customer's newest orders (PURCHASE_HISTORY_ORDERS of them), as GIDs, cached
 * per customer in the same bounded cache as the recommendation inputs. A customer Shopify no
 * longer knows (deleted or redacted) has bought nothing we can see.
 */
export async function fetchCustomerPurchaseHistory({
  client,
  customerId,
  cache = sharedRecommendationCache,
}: {
  client: AdminClient;
  customerId: string;
  cache?: RecommendationCache;
}): Promise<string[]> {
  const key = `${client.shop}|history|${customerId}`;
  const entry = cache.get(key);
  if (entry?.kind === "history") return entry.productIds;
  const data = await client.request<CustomerPurchaseHistoryQuery, CustomerPurchaseHistoryQueryVariables>(
    CUSTOMER_PURCHASE_HISTORY_QUERY,
    { id: customerId, orders: PURCHASE_HISTORY_ORDERS, lines: PURCHASE_HISTORY_LINES },
  );
  const productIds = unique(
    (data.customer?.orders.nodes ?? []).flatMap((order) =>
      order.lineItems.nodes.flatMap((line) => (line.product?.id ? [line.product.id] : [])),
    ),
  );
  cache.set(key, { kind: "history", productIds });
  return productIds;
}

function candidatesOf(
  nodes: readonly (Partial<RecommendationCandidateFragment> | null | undefined)[] | null | undefined,
  pricing: PricingContext,
): CandidateProduct[] {
  const candidates: CandidateProduct[] = [];
  // A product_reference list may point at a deleted product (null) or, if mistyped, at something else ({}).
  for (const node of nodes ?? []) {
    if (node?.id && node.priceRangeV2) candidates.push(toCandidate(node as RecommendationCandidateFragment, pricing));
  }
  return candidates;
}

export function toCandidate(product: RecommendationCandidateFragment, pricing: PricingContext): CandidateProduct {
  const contextual = pricing.variables.withContextualPricing
    ? product.contextualPricing?.minVariantPricing?.price
    : undefined;
  const price = contextual ?? product.priceRangeV2.minVariantPrice;
  const image = product.featuredMedia?.preview?.image;
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    status: product.status,
    onlineStoreUrl: product.onlineStoreUrl ?? null,
    imageUrl: image?.url ?? null,
    imageAlt: image?.altText ?? null,
    price: { amount: String(price.amount), currencyCode: String(price.currencyCode) },
    availableForSale: product.variants.nodes.some((v) => v.availableForSale),
    totalInventory: product.totalInventory ?? null,
    tracksInventory: product.tracksInventory,
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
