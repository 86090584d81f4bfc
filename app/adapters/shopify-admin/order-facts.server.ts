// Facts about an order's products and customer that entry conditions need and no order webhook
// carries: product types, product tags, collections; customer tags and order count.
import type {
  IntakeOrderQuery,
  IntakeOrderQueryVariables,
  CustomerFactsQuery,
  CustomerFactsQueryVariables,
  OrderOfShopQuery,
  OrderOfShopQueryVariables,
  ProductFactsQuery,
  ProductFactsQueryVariables,
} from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { CUSTOMER_FACTS_QUERY, INTAKE_ORDER_QUERY, ORDER_OF_SHOP_QUERY, PRODUCT_FACTS_QUERY } from "./queries";

export interface ProductFacts {
  productType: string | null;
  tags: string[];
  collectionIds: string[];
}

// Products Shopify no longer has (deleted since the order) are simply absent from the map.
export async function fetchProductFacts(client: AdminClient, productIds: string[]): Promise<Map<string, ProductFacts>> {
  const facts = new Map<string, ProductFacts>();
  // nodes(ids:) takes at most 250 ids per call.
  for (let i = 0; i < productIds.length; i += 250) {
    const ids = productIds.slice(i, i + 250);
    const { nodes } = await client.request<ProductFactsQuery, ProductFactsQueryVariables>(PRODUCT_FACTS_QUERY, { ids });
    for (const node of nodes) {
      if (!node || !("id" in node) || !("tags" in node)) continue;
      facts.set(node.id, {
        productType: node.productType?.trim() || null,
        tags: node.tags,
        collectionIds: node.collections.nodes.map((c) => c.id),
      });
    }
  }
  return facts;
}

export interface CustomerFacts {
  tags: string[];
  numberOfOrders: number;
}

export async function fetchCustomerFacts(client: AdminClient, customerId: string): Promise<CustomerFacts | null> {
  const { customer } = await client.request<CustomerFactsQuery, CustomerFactsQueryVariables>(CUSTOMER_FACTS_QUERY, {
    id: customerId,
  });
  return customer ? { tags: customer.tags, numberOfOrders: Number(customer.numberOfOrders) } : null;
}

// Whether the shop's Admin API knows the order; null from Shopify means another shop's (or no) order.
export async function orderExistsInShop(client: AdminClient, orderId: string): Promise<boolean> {
  const { order } = await client.request<OrderOfShopQuery, OrderOfShopQueryVariables>(ORDER_OF_SHOP_QUERY, { id: orderId });
  return order !== null && order !== undefined;
}

// The order as intake keeps it (app/domain/reconciliation.ts's orderFactsFromAdminOrder reads
// it); null when the shop has no such order.
export async function fetchIntakeOrder(client: AdminClient, orderId: string): Promise<NonNullable<IntakeOrderQuery["order"]> | null> {
  const { order } = await client.request<IntakeOrderQuery, IntakeOrderQueryVariables>(INTAKE_ORDER_QUERY, { id: orderId });
  return order ?? null;
}
