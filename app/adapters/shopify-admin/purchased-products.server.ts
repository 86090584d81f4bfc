// The purchased products as the care guide, review request and replenishment reminder show them.
import type { PurchasedProduct } from "../../../emails/types";
import type { PurchasedProductsQuery, PurchasedProductsQueryVariables } from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { PURCHASED_PRODUCTS_QUERY } from "./queries";

const MAX_PRODUCTS = 20;

/**
 * Products in the order of `productIds`; deleted ones are left out. A product not on the online
 * store gets a link built from its handle on the storefront, the page Shopify would show.
 */
export async function fetchPurchasedProducts({
  client,
  productIds,
  storefrontUrl,
}: {
  client: AdminClient;
  productIds: string[];
  storefrontUrl: string;
}): Promise<PurchasedProduct[]> {
  const ids = [...new Set(productIds)].slice(0, MAX_PRODUCTS);
  if (ids.length === 0) return [];
  const data = await client.request<PurchasedProductsQuery, PurchasedProductsQueryVariables>(PURCHASED_PRODUCTS_QUERY, { ids });
  const products: PurchasedProduct[] = [];
  for (const node of data.nodes) {
    if (!node || !("id" in node) || !node.id) continue;
    const image = node.featuredMedia?.preview?.image ?? null;
    products.push({
      id: node.id,
      title: node.title,
      url: node.onlineStoreUrl ?? (node.handle ? `${storefrontUrl.replace(/\/$/, "")}/products/${node.handle}` : null),
      imageUrl: image?.url ?? null,
      imageAlt: image?.altText ?? null,
      productType: node.productType || null,
      tags: node.tags,
    });
  }
  return products;
}
