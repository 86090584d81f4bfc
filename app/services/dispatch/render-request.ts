// The parts of the renderer's request that a sent follow-up and its preview build alike, so the
// merchant previews the shop, customer and link tags the send will use.
import type { Order, Shop } from "@prisma/client";
import { flowUtm } from "~/domain/marketing-activities";
import type { RenderRequest } from "./types";

export type RenderShop = Pick<
  Shop,
  "domain" | "name" | "storefrontUrl" | "logoUrl" | "address" | "primaryLocale" | "ianaTimezone" | "brand"
>;

// A shop that set no storefront domain is reached at its myshopify.com address.
export const storefrontOf = (shop: Pick<Shop, "domain" | "storefrontUrl">) => shop.storefrontUrl ?? `https://${shop.domain}`;

export function renderShop(shop: RenderShop): RenderRequest["shop"] {
  return {
    domain: shop.domain,
    name: shop.name ?? shop.domain,
    url: storefrontOf(shop),
    logoUrl: shop.logoUrl,
    address: shop.address,
    primaryLocale: shop.primaryLocale,
    timeZone: shop.ianaTimezone,
    brand: shop.brand,
  };
}

export function renderCustomer(order: Pick<Order, "customerId" | "firstName" | "customerOrdersCount">): RenderRequest["customer"] {
  return { id: order.customerId, firstName: order.firstName, ordersCount: order.customerOrdersCount };
}

// Every link of a step's emails is tagged with its flow (the same UTM as the flow's marketing
// activity in Shopify), and its step and A/B variant.
export function stepUtm({ flowKey, stepKey, variantKey }: { flowKey: string; stepKey: string; variantKey: string | null }): RenderRequest["utm"] {
  return { ...flowUtm(flowKey), content: variantKey ? `${stepKey}-${variantKey}` : stepKey };
}
