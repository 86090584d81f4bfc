// What the merchant previews, test-sends and reopens on the message page: the request the
// dispatcher would hand its renderer for this step, with the sample order (emails/samples.ts) or
// a real order, prepared and rendered by the same code. Only the data differs: the sample's
// products, and a discount code that is clearly not a real one (no code is made in Shopify).
import type { Order } from "@prisma/client";
import type { RenderRequest } from "~/services/dispatch/dispatcher.server";
import { renderCustomer, renderShop, stepUtm, storefrontOf, type RenderShop } from "~/services/dispatch/render-request";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { EXAMPLE_DISCOUNT_CODE } from "~/domain/templates";
import { SAMPLE_ORDER, SAMPLE_PURCHASED, SAMPLE_RECOMMENDATIONS, SAMPLE_SHOP } from "../../emails/samples";
import type { PurchasedProduct, RecommendedProduct } from "../../emails/types";
import { lineItemProducts, purchasedFromShopify, type PrepareDeps } from "./prepare.server";

// Shown where the customer's own single-use code goes.
export const PREVIEW_DISCOUNT_CODE = EXAMPLE_DISCOUNT_CODE;
// Stands for the follow-up id and the unsubscribe token, which a preview does not have.
const PREVIEW_ID = "preview";

// A step as it is stored (FlowStep): content decoded, variants as their JSON text.
export interface PreviewStep {
  key: string;
  template: string;
  subject: string;
  previewText: string | null;
  content: Record<string, unknown> | null;
  variants: string | null;
}

export type PreviewShop = RenderShop;

export type PreviewOrder = Pick<
  Order,
  "name" | "customerId" | "firstName" | "locale" | "currency" | "totalPrice" | "countryCode" | "productIds" | "lineItems" | "customerOrdersCount"
>;

// The sample's products as if they were the shop's: links into its storefront, prices in the
// order's currency, and no pictures (the sample's live in no real store).
function asShopProduct<T extends { url: string | null; imageUrl: string | null; imageAlt: string | null }>(product: T, storefront: string): T {
  return { ...product, url: product.url?.replace(SAMPLE_SHOP.url, storefront) ?? null, imageUrl: null, imageAlt: null };
}

export function sampleRecommendations(storefront: string, currencyCode: string): RecommendedProduct[] {
  return SAMPLE_RECOMMENDATIONS.map((p) => ({ ...asShopProduct(p, storefront), price: { ...p.price, currencyCode } }));
}

function samplePurchased(storefront: string): PurchasedProduct[] {
  return SAMPLE_PURCHASED.map((p) => asShopProduct(p, storefront));
}

// The dispatcher's unsubscribe page link, with a token that opens nothing.
function previewUnsubscribeUrl(appUrl: string, locale: string | null): string {
  const lang = locale?.trim().toLowerCase().split(/[-_]/)[0];
  const page = `${appUrl.replace(/\/+$/, "")}/unsubscribe/${PREVIEW_ID}`;
  return lang && /^[a-z]{2,3}$/.test(lang) ? `${page}?lang=${lang}` : page;
}

/** The request the dispatcher would render for this step and order (null: the sample order). */
export function previewRequest({
  shop,
  flowKey,
  step,
  variantKey = null,
  order,
  locale = null,
  recommendations,
  discountCode = null,
  dueAt,
  appUrl,
}: {
  shop: PreviewShop;
  flowKey: string;
  step: PreviewStep;
  variantKey?: string | null;
  order: PreviewOrder | null;
  // The customer locale to preview (e.g. "pl-PL"); default: the order's.
  locale?: string | null;
  // Default: the sample products.
  recommendations?: RecommendedProduct[];
  // The code a sent follow-up already carries.
  discountCode?: string | null;
  dueAt: Date;
  appUrl: string;
}): RenderRequest {
  const storefront = storefrontOf(shop);
  const currency = order?.currency ?? SAMPLE_ORDER.currency;
  // The sample's customer speaks the shop's language, as most of its customers do.
  const orderLocale = locale || (order ? order.locale : (shop.primaryLocale ?? SAMPLE_ORDER.locale));
  return {
    followUpId: PREVIEW_ID,
    template: step.template,
    subject: step.subject,
    previewText: step.previewText,
    content: step.content,
    variants: step.variants,
    variantKey,
    discountCode,
    dueAt,
    shop: renderShop(shop),
    customer: order ? renderCustomer(order) : { id: null, ...SAMPLE_ORDER.customer },
    order: order
      ? {
          name: order.name,
          currency,
          locale: orderLocale,
          totalPrice: order.totalPrice,
          countryCode: order.countryCode,
          productIds: JSON.parse(order.productIds) as string[],
          lineItems: order.lineItems,
        }
      : {
          name: SAMPLE_ORDER.name,
          currency,
          locale: orderLocale,
          totalPrice: SAMPLE_ORDER.totalPrice,
          countryCode: SAMPLE_ORDER.countryCode,
          productIds: SAMPLE_PURCHASED.map((p) => p.id),
          lineItems: null,
        },
    recommendations: recommendations ?? sampleRecommendations(storefront, currency),
    // As the dispatcher tags every link of this step's emails.
    utm: stepUtm({ flowKey, stepKey: step.key, variantKey }),
    unsubscribeUrl: previewUnsubscribeUrl(appUrl, orderLocale),
  };
}

/**
 * Where a preview's products and code come from: the sample's products, or a real order's from
 * the Admin API (its line items when Shopify does not answer: the merchant is waiting); the
 * step's own discount settings with a code that is clearly not real.
 */
export function previewPreparation({
  sample,
  adminClient,
  now,
}: {
  sample: boolean;
  adminClient?: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
}): PrepareDeps {
  const fromShopify = adminClient ? purchasedFromShopify(adminClient) : null;
  return {
    purchasedProducts: sample
      ? async (req) => samplePurchased(req.shop.url)
      : async (req) => {
          if (!fromShopify) return lineItemProducts(req.order.lineItems);
          try {
            return await fromShopify(req);
          } catch {
            return lineItemProducts(req.order.lineItems);
          }
        },
    issueDiscountCode: async () => PREVIEW_DISCOUNT_CODE,
    ...(now ? { now } : {}),
  };
}
