// A realistic example order for `email dev` and the admin editor's preview: Juniper & Pine,
// a home-goods shop, and Maya's order #1042.
import type { RecommendedProduct } from "../app/domain/recommendations.types";
import type { EmailContent } from "../app/domain/content";
import type { TemplateId } from "../app/domain/templates";
import { composeEmail, type ComposeInput } from "../app/email/compose";
import type { FollowUpEmailProps, PurchasedProduct } from "./types";

const storefront = "https://juniper-and-pine.myshopify.com";

export const SAMPLE_SHOP = {
  name: "Juniper & Pine",
  url: storefront,
  logoUrl: `${storefront}/cdn/shop/files/juniper-and-pine-logo.png?v=1718035200`,
  address: "128 Alder Street, Portland, OR 97209, United States",
  timeZone: "America/Los_Angeles",
};

export const SAMPLE_PURCHASED: PurchasedProduct[] = [
  {
    id: "gid://shopify/Product/8012345678801",
    title: "Cedar & Sage Soy Candle",
    url: `${storefront}/products/cedar-sage-soy-candle`,
    imageUrl: `${storefront}/cdn/shop/files/cedar-sage-candle.jpg?v=1718035201`,
    imageAlt: "Amber glass candle with a wooden lid",
    productType: "Candle",
    tags: ["consumable", "soy"],
  },
  {
    id: "gid://shopify/Product/8012345678802",
    title: "Walnut Serving Board",
    url: `${storefront}/products/walnut-serving-board`,
    imageUrl: `${storefront}/cdn/shop/files/walnut-board.jpg?v=1718035205`,
    imageAlt: null,
    productType: "Kitchen",
    tags: ["wood"],
  },
];

export const SAMPLE_RECOMMENDATIONS: RecommendedProduct[] = [
  {
    id: "gid://shopify/Product/8012345678902",
    title: "Linen Tea Towel Set",
    url: `${storefront}/products/linen-tea-towel-set`,
    imageUrl: `${storefront}/cdn/shop/files/linen-tea-towels.jpg?v=1718035202`,
    imageAlt: "Three folded linen tea towels in oat, moss and clay",
    price: { amount: "32.5", currencyCode: "USD" },
    source: "complementary",
  },
  {
    id: "gid://shopify/Product/8012345678903",
    title: "Hand-thrown Stoneware Mug",
    url: `${storefront}/products/stoneware-mug?variant=45012345678901`,
    imageUrl: `${storefront}/cdn/shop/files/stoneware-mug.jpg?v=1718035203`,
    imageAlt: null,
    price: { amount: "28.0", currencyCode: "USD" },
    source: "related",
  },
  {
    id: "gid://shopify/Product/8012345678904",
    title: "Beeswax Food Wraps (3-pack)",
    url: `${storefront}/products/beeswax-food-wraps`,
    imageUrl: `${storefront}/cdn/shop/files/beeswax-wraps.jpg?v=1718035204`,
    imageAlt: "Beeswax wraps in a botanical print",
    price: { amount: "18.0", currencyCode: "USD" },
    source: "best_seller",
  },
];

// Example merchant content that shows what each template can do.
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
          { text: "Candle care FAQ", url: `${storefront}/pages/faq#candles` },
          { text: "Wood care FAQ", url: `${storefront}/pages/faq#wood` },
        ],
      },
    ],
  },
  "cross-sell": { discount: { percentage: 15, expiresInDays: 14 } },
  replenishment: { consumables: { productTypes: ["Candle"] } },
};

export function sampleComposeInput(template: TemplateId, overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    template,
    content: SAMPLE_CONTENT[template] ?? null,
    customerLocale: "en-US",
    shopLocale: "en",
    brand: { accentColor: "#2f5d50" },
    shop: SAMPLE_SHOP,
    customer: { firstName: "Maya", firstTimeCustomer: true },
    order: { name: "#1042", currency: "USD", totalPrice: "86.50", countryCode: "US" },
    purchased: SAMPLE_PURCHASED,
    recommendations: SAMPLE_RECOMMENDATIONS,
    discount:
      template === "cross-sell" ? { code: "THANKS-7QK2M9XD", percentage: 15, endsAt: new Date("2026-12-12T08:00:00Z") } : null,
    utm: { source: "afterglow", medium: "email", campaign: template },
    unsubscribeUrl: `${storefront}/apps/afterglow/unsubscribe?token=pv_3b1f9c2e`,
    ...overrides,
  };
}

export function samplePreviewProps(template: TemplateId): FollowUpEmailProps {
  return composeEmail(sampleComposeInput(template)).props;
}
