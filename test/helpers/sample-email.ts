// The sample order (emails/samples.ts) as the input of renderFollowUp, with example merchant
// content that shows what each template can do: what `email dev` shows, and what the email
// tests vary one field at a time.
import type { EmailContent } from "~/domain/content";
import type { TemplateId } from "~/domain/templates";
import type { FollowUpInput } from "~/email/compose";
import {
  SAMPLE_DISCOUNT,
  SAMPLE_ORDER,
  SAMPLE_PURCHASED,
  SAMPLE_RECOMMENDATIONS,
  SAMPLE_SHOP,
  SAMPLE_UNSUBSCRIBE_URL,
} from "../../emails/samples";

export const SAMPLE_CONTENT: Partial<Record<TemplateId, EmailContent>> = {
  "care-guide": {
    blocks: [
      { type: "text", text: 'Hi {{ customer.first_name | default: "there" }}, a few tips to enjoy your purchase for years.' },
      {
        type: "conditional",
        when: { productTypes: ["Candle"] },
        blocks: [
          {
            type: "text",
            text: "Candles: on the first light, let the wax melt to the edge (about 2 hours). Trim the wick to 5 mm before each use.",
          },
        ],
      },
      {
        type: "conditional",
        when: { productTags: ["wood"] },
        blocks: [{ type: "text", text: "Wood: wash by hand, dry at once, and oil it once a month." }],
      },
      { type: "products" },
      {
        type: "links",
        heading: "Questions?",
        links: [
          { text: "Candle care FAQ", url: `${SAMPLE_SHOP.url}/pages/faq#candles` },
          { text: "Wood care FAQ", url: `${SAMPLE_SHOP.url}/pages/faq#wood` },
        ],
      },
    ],
  },
  "cross-sell": { discount: { percentage: SAMPLE_DISCOUNT.percentage, expiresInDays: 14 } },
  replenishment: { consumables: { productTypes: ["Candle"] } },
};

export function sampleFollowUpInput(template: TemplateId, overrides: Partial<FollowUpInput> = {}): FollowUpInput {
  return {
    template,
    content: SAMPLE_CONTENT[template] ?? null,
    customerLocale: SAMPLE_ORDER.locale,
    shopLocale: "en",
    brand: { accentColor: SAMPLE_SHOP.accentColor },
    shop: SAMPLE_SHOP,
    customer: { firstName: SAMPLE_ORDER.customer.firstName, firstTimeCustomer: SAMPLE_ORDER.customer.ordersCount <= 1 },
    order: { name: SAMPLE_ORDER.name, currency: SAMPLE_ORDER.currency, totalPrice: SAMPLE_ORDER.totalPrice, countryCode: SAMPLE_ORDER.countryCode },
    purchased: SAMPLE_PURCHASED,
    recommendations: SAMPLE_RECOMMENDATIONS,
    discount: template === "cross-sell" ? SAMPLE_DISCOUNT : null,
    utm: { source: "afterglow", medium: "email", campaign: template },
    unsubscribeUrl: SAMPLE_UNSUBSCRIBE_URL,
    ...overrides,
  };
}
