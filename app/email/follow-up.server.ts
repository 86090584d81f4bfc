// The dispatcher's renderer: gathers what a template needs beyond what the dispatcher read
// (the purchased products' pages, a cross-sell's discount code), then renders.
import type { PrismaClient } from "@prisma/client";
import type { RenderRequest } from "~/services/dispatch/dispatcher.server";
import type { AdminClient } from "~/adapters/shopify-admin/client.server";
import { createFollowUpDiscount } from "~/adapters/shopify-admin/discounts.server";
import { fetchPurchasedProducts } from "~/adapters/shopify-admin/purchased-products.server";
import { parseBrand, parseContent, type EmailContent } from "~/domain/content";
import { stepVariants } from "~/domain/stored-rows";
import { templateDefinition } from "~/domain/templates";
import type { PurchasedProduct } from "../../emails/types";
import { stepContent } from "./compose";
import { renderFollowUpEmail } from "./render.server";

export interface FollowUpRendererDeps {
  // Stores a new discount code on the follow-up before the email goes out.
  prisma?: PrismaClient;
  // Without a client, purchased products come from the order's line items (no page links) and
  // cross-sells go out without a code.
  adminClient?: (shop: string) => Promise<AdminClient>;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface StoredLineItem {
  productId?: string | null;
  title?: string | null;
  productType?: string | null;
  productTags?: string[] | null;
}

function lineItemProducts(lineItems: string | null): PurchasedProduct[] {
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

// FlowStep.variants: { id, variants: [{ key, weight, subject?, previewText?, content? }] }.
function variantContent(variants: string | null, key: string | null, followUpId: string): EmailContent | null {
  if (!variants || !key) return null;
  const test = stepVariants({ id: `(the step of follow-up ${followUpId})`, variants });
  const variant = test?.variants.find((v) => v.key === key);
  if (!variant) return null;
  const content = parseContent(variant.content ?? null) ?? {};
  return {
    ...content,
    ...(variant.subject ? { subject: variant.subject } : {}),
    ...(variant.previewText ? { previewText: variant.previewText } : {}),
  };
}

export function createFollowUpRenderer(deps: FollowUpRendererDeps = {}) {
  const now = deps.now ?? (() => new Date());

  return async function renderForDispatch(
    req: RenderRequest,
  ): Promise<{ subject: string; html: string; text: string }> {
    const definition = templateDefinition(req.template);
    const template = definition.id;
    const content = stepContent({
      template,
      subject: req.subject,
      previewText: req.previewText,
      content: parseContent(req.content),
    });
    // Asked for only when this template needs the Admin API: a thank-you never waits on it.
    const adminClient = () => (deps.adminClient ? deps.adminClient(req.shop.domain) : Promise.resolve(null));

    let purchased = lineItemProducts(req.order.lineItems);
    const client = definition.needs.purchasedProducts ? await adminClient() : null;
    if (client) {
      const fetched = await fetchPurchasedProducts({
        client,
        productIds: req.order.productIds,
        storefrontUrl: req.shop.url,
      });
      // The Admin API's facts win; line items fill in products deleted since the order.
      purchased = [...fetched, ...purchased.filter((p) => !fetched.some((f) => f.id === p.id))];
    }

    let discount: { code: string; percentage: number; endsAt: Date } | null = null;
    const settings = content?.discount;
    if (definition.needs.discount && settings) {
      // Counted from the due time, so a retry shows the same date for the same code.
      let endsAt = new Date(req.dueAt.getTime() + settings.expiresInDays * DAY_MS);
      if (endsAt.getTime() <= now().getTime() + DAY_MS)
        endsAt = new Date(now().getTime() + settings.expiresInDays * DAY_MS);
      if (req.discountCode) {
        discount = {
          code: req.discountCode,
          percentage: settings.percentage,
          endsAt,
        };
      } else {
        const client = await adminClient();
        if (client) {
          const created = await createFollowUpDiscount({
            client,
            followUpId: req.followUpId,
            orderName: req.order.name,
            percentage: settings.percentage,
            endsAt,
            customerId: req.customer.id,
            now: now(),
          });
          // Kept before sending: a failed send retried later shows the same code.
          await deps.prisma?.followUp.updateMany({
            where: { id: req.followUpId, discountCode: null },
            data: { discountCode: created.code },
          });
          discount = {
            code: created.code,
            percentage: settings.percentage,
            endsAt,
          };
        }
      }
    }

    const email = await renderFollowUpEmail({
      template,
      content,
      variant: variantContent(req.variants, req.variantKey, req.followUpId),
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
    });
    return { subject: email.subject, html: email.html, text: email.text };
  };
}
