// Which products a follow-up recommends, from what the Admin API told us about them.
import type {
  CandidateProduct,
  RecommendationSource,
  RecommendedProduct,
} from "./recommendations.types";

export const DEFAULT_RECOMMENDATION_LIMIT = 4;

export type ExclusionReason = "in_order" | "bought_before" | "not_active" | "not_on_online_store" | "out_of_stock";

const PRODUCT_GID_PREFIX = "gid://shopify/Product/";

// Webhook payloads carry numeric product ids, the Admin API GIDs; compare them as GIDs.
export function toProductGid(id: string | number): string {
  const text = String(id).trim();
  return /^\d+$/.test(text) ? `${PRODUCT_GID_PREFIX}${text}` : text;
}

export function exclusionReason(
  product: CandidateProduct,
  purchasedProductIds: ReadonlySet<string>,
  boughtBeforeProductIds: ReadonlySet<string> = new Set(),
): ExclusionReason | null {
  const id = toProductGid(product.id);
  if (purchasedProductIds.has(id)) return "in_order";
  // A customer who already has it is not helped by being offered it again.
  if (boughtBeforeProductIds.has(id)) return "bought_before";
  if (product.status !== "ACTIVE") return "not_active";
  // Shopify gives no onlineStoreUrl to products not published to the Online Store.
  if (!product.onlineStoreUrl) return "not_on_online_store";
  if (!product.availableForSale) return "out_of_stock";
  // Like Search & Discovery's complementary rule: "continue selling when out of stock" is not stock.
  if (product.tracksInventory && (product.totalInventory ?? 0) <= 0) return "out_of_stock";
  return null;
}

export function pickRecommendations({
  purchasedProductIds,
  boughtBeforeProductIds = [],
  complementary,
  related,
  bestSellers,
  limit = DEFAULT_RECOMMENDATION_LIMIT,
  sourceOrder,
}: {
  purchasedProductIds: readonly (string | number)[];
  // Products in the customer's earlier orders (customerPurchaseHistory); never offered again.
  boughtBeforeProductIds?: readonly (string | number)[];
  complementary: readonly CandidateProduct[];
  related: readonly CandidateProduct[];
  bestSellers: readonly CandidateProduct[]; // of the purchased products' collections
  limit?: number;
  // Which source leads, as the shop's bandit learned it (app/domain/bandit.ts); sources it
  // does not name keep their default place after the named ones.
  sourceOrder?: readonly string[];
}): RecommendedProduct[] {
  const max = Math.max(0, Math.floor(limit));
  const purchased = new Set(purchasedProductIds.map(toProductGid));
  const boughtBefore = new Set(boughtBeforeProductIds.map(toProductGid));
  const seen = new Set<string>();
  const picked: RecommendedProduct[] = [];
  const defaults: [RecommendationSource, readonly CandidateProduct[]][] = [
    ["complementary", complementary],
    ["related", related],
    ["best_seller", bestSellers],
  ];
  const rank = (s: string) => {
    const i = sourceOrder?.indexOf(s) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sources = sourceOrder ? [...defaults].sort((a, b) => rank(a[0]) - rank(b[0])) : defaults;
  for (const [source, products] of sources) {
    for (const product of products) {
      if (picked.length >= max) return picked;
      const id = toProductGid(product.id);
      if (seen.has(id)) continue;
      seen.add(id);
      if (exclusionReason(product, purchased, boughtBefore)) continue;
      picked.push({
        id,
        title: product.title,
        url: product.onlineStoreUrl as string,
        imageUrl: product.imageUrl,
        imageAlt: product.imageAlt,
        price: product.price,
        source,
      });
    }
  }
  return picked;
}
