// Gathers everything a follow-up email is made of before it is rendered: the step's content and
// A/B variant decoded, the purchased products' pages, a cross-sell's discount code. Rendering
// (render.server.ts) then only turns these inputs into HTML and text; it asks nothing of Shopify
// and writes nothing. The dispatcher and the preview prepare the same request with other sources.
import type { PrismaClient } from "@prisma/client";
import type { RenderRequest } from "~/services/dispatch/dispatcher.server";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { createFollowUpDiscount } from "~/adapters/shopify-admin/discounts.server";
import { fetchPurchasedProducts } from "~/adapters/shopify-admin/purchased-products.server";
import { InvalidContentError, parseBrand, parseContent, type EmailContent } from "~/domain/content";
import { stepVariants } from "~/domain/stored-rows";
import { templateDefinition } from "~/domain/templates";
import type { PurchasedProduct } from "../../emails/types";
import { stepContent, type FollowUpInput } from "./compose";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DiscountCodeRequest {
  followUpId: string;
  shop: string;
  orderName: string;
  customerId: string | null;
  percentage: number;
  endsAt: Date;
}

export interface PrepareDeps {
  // The order's products with their pages, types and tags. Default: the stored line items
  // (no page links or images).
  purchasedProducts?: (req: RenderRequest) => Promise<PurchasedProduct[]>;
  // A new code for a step with a discount whose follow-up has none yet. Default: none, and the
  // email goes out without a code.
  issueDiscountCode?: (req: DiscountCodeRequest) => Promise<string>;
  now?: () => Date;
}

interface StoredLineItem {
  productId?: string | null;
  title?: string | null;
  productType?: string | null;
  productTags?: string[] | null;
}

/** The order's products as its stored line items describe them (Order.lineItems JSON). */
export function lineItemProducts(lineItems: string | null): PurchasedProduct[] {
  if (!lineItems) return [];
  let items: unknown;
  try {
    items = JSON.parse(lineItems);
  } catch {
    return [];
  }
  if (!Array.isArray(items)) return [];
  const seen = new Set<string>();
  const products: PurchasedProduct[] = [];
  for (const item of items as StoredLineItem[]) {
    const id = item?.productId;
    if (!id || seen.has(id) || !item.title) continue;
    seen.add(id);
    products.push({
      id,
      title: item.title,
      url: null,
      imageUrl: null,
      imageAlt: null,
      productType: item.productType ?? null,
      tags: Array.isArray(item.productTags) ? item.productTags : [],
    });
  }
  return products;
}

// FlowStep.variants, decoded and checked where every reader decodes it (app/domain/stored-rows.ts).
function variantContent(variants: string | null, key: string | null, followUpId: string): EmailContent | null {
  if (!variants || !key) return null;
  const test = stepVariants({ id: `(the step of follow-up ${followUpId})`, variants });
  const index = test?.variants.findIndex((v) => v.key === key) ?? -1;
  const variant = test?.variants[index];
  if (!variant) return null;
  let content: EmailContent;
  try {
    content = parseContent(variant.content ?? null) ?? {};
  } catch (err) {
    // Problems point at the variant's own fields, as the editor shows them.
    if (err instanceof InvalidContentError)
      throw new InvalidContentError(err.problems.map((p) => ({ ...p, path: `/variants/variants/${index}/content${p.path}` })));
    throw err;
  }
  return {
    ...content,
    ...(variant.subject ? { subject: variant.subject } : {}),
    ...(variant.previewText ? { previewText: variant.previewText } : {}),
  };
}

/** Everything the email needs, asked for before rendering; throws InvalidContentError for bad content. */
export async function prepareFollowUp(req: RenderRequest, deps: PrepareDeps = {}): Promise<FollowUpInput> {
  const now = deps.now ?? (() => new Date());
  const definition = templateDefinition(req.template);
  const template = definition.id;
  const content = stepContent({
    template,
    subject: req.subject,
    previewText: req.previewText,
    content: parseContent(req.content),
  });
  const variant = variantContent(req.variants, req.variantKey, req.followUpId);

  // Asked for only when the template shows them: a thank-you never waits on the Admin API.
  const purchased =
    definition.needs.purchasedProducts && deps.purchasedProducts
      ? await deps.purchasedProducts(req)
      : lineItemProducts(req.order.lineItems);

  let discount: FollowUpInput["discount"] = null;
  const settings = content?.discount;
  if (definition.needs.discount && settings) {
    // Counted from the due time, so a retry shows the same date for the same code.
    let endsAt = new Date(req.dueAt.getTime() + settings.expiresInDays * DAY_MS);
    if (endsAt.getTime() <= now().getTime() + DAY_MS) endsAt = new Date(now().getTime() + settings.expiresInDays * DAY_MS);
    const code =
      req.discountCode ??
      (deps.issueDiscountCode
        ? await deps.issueDiscountCode({
            followUpId: req.followUpId,
            shop: req.shop.domain,
            orderName: req.order.name,
            customerId: req.customer.id,
            percentage: settings.percentage,
            endsAt,
          })
        : null);
    if (code) discount = { code, percentage: settings.percentage, endsAt };
  }

  return {
    template,
    content,
    variant,
    customerLocale: req.order.locale,
    shopLocale: req.shop.primaryLocale,
    brand: parseBrand(req.shop.brand),
    shop: {
      name: req.shop.name,
      url: req.shop.url,
      logoUrl: req.shop.logoUrl,
      address: req.shop.address,
      timeZone: req.shop.timeZone,
    },
    customer: {
      firstName: req.customer.firstName,
      firstTimeCustomer: req.customer.ordersCount == null ? null : req.customer.ordersCount <= 1,
    },
    order: {
      name: req.order.name,
      currency: req.order.currency,
      totalPrice: req.order.totalPrice,
      countryCode: req.order.countryCode,
    },
    purchased,
    recommendations: req.recommendations,
    discount,
    utm: req.utm,
    unsubscribeUrl: req.unsubscribeUrl,
    review: req.review ?? null,
  };
}

/** The order's products from the Admin API, with line items filling in products deleted since. */
export function purchasedFromShopify(adminClient: (shop: string) => Promise<AdminClient>) {
  return async (req: RenderRequest): Promise<PurchasedProduct[]> => {
    const stored = lineItemProducts(req.order.lineItems);
    const fetched = await fetchPurchasedProducts({
      client: await adminClient(req.shop.domain),
      productIds: req.order.productIds,
      storefrontUrl: req.shop.url,
    });
    return [...fetched, ...stored.filter((p) => !fetched.some((f) => f.id === p.id))];
  };
}

/** Makes the follow-up's single-use code in Shopify and keeps it on the follow-up. */
export function discountCodesFromShopify({
  prisma,
  adminClient,
  now = () => new Date(),
}: {
  prisma: PrismaClient;
  adminClient: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
}) {
  return async (req: DiscountCodeRequest): Promise<string> => {
    const created = await createFollowUpDiscount({
      client: await adminClient(req.shop),
      followUpId: req.followUpId,
      orderName: req.orderName,
      percentage: req.percentage,
      endsAt: req.endsAt,
      customerId: req.customerId,
      now: now(),
    });
    // Kept before sending: a failed send retried later shows the same code.
    await prisma.followUp.updateMany({
      where: { id: req.followUpId, discountCode: null },
      data: { discountCode: created.code },
    });
    return created.code;
  };
}
