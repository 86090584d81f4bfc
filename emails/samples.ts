// The one sample order, for `email dev` and the admin editor's preview: Juniper & Pine, a
// home-goods shop, and Maya's order #1042. Plain data, so the emails need nothing from the app.
import type { EmailLabels, EmailTemplate, FilledBlock, FollowUpEmailProps, PurchasedProduct, RecommendedProduct } from "./types";

const storefront = "https://juniper-and-pine.myshopify.com";

export const SAMPLE_SHOP = {
  name: "Juniper & Pine",
  url: storefront,
  logoUrl: `${storefront}/cdn/shop/files/juniper-and-pine-logo.png?v=1718035200`,
  address: "128 Alder Street, Portland, OR 97209, United States",
  timeZone: "America/Los_Angeles",
  accentColor: "#2f5d50",
};

export const SAMPLE_ORDER = {
  name: "#1042",
  currency: "USD",
  totalPrice: "86.50",
  countryCode: "US",
  locale: "en-US",
  // Maya's first order at the shop.
  customer: { firstName: "Maya", ordersCount: 1 },
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

// The code a cross-sell step of 15 % for 14 days made for this order.
export const SAMPLE_DISCOUNT = { code: "THANKS-7QK2M9XD", percentage: 15, endsAt: new Date("2026-12-12T08:00:00Z") };

export const SAMPLE_UNSUBSCRIBE_URL = `${storefront}/apps/afterglow/unsubscribe?token=pv_3b1f9c2e`;

// ---- What `email dev` shows: each template as the app renders it for the sample order, in English ----

const LABELS: EmailLabels = {
  orderLine: `Order ${SAMPLE_ORDER.name}`,
  recommendationsHeading: "You might also like",
  viewProduct: "View product",
  purchasedHeading: "Your order",
  writeReview: "Write a review",
  reorder: "Order again",
  visitStore: "Visit our store",
  unsubscribePrompt: "Don't want these emails?",
  unsubscribe: "Unsubscribe",
};

const text = (paragraph: string): FilledBlock => ({ type: "text", paragraphs: [paragraph] });
const products: FilledBlock = { type: "products", heading: null };

const WORDS: Record<EmailTemplate, { heading: string; previewText: string; blocks: FilledBlock[] }> = {
  "thank-you": {
    heading: "Thank you, Maya",
    previewText: "Thank you for your order #1042 from Juniper & Pine",
    blocks: [
      text(
        "We're so glad you chose Juniper & Pine. Your order is in good hands, and we hope you love it as much as we enjoyed putting it together.",
      ),
      products,
    ],
  },
  "care-guide": {
    heading: "How to care for your new things",
    previewText: "A few tips for your order #1042",
    blocks: [
      text("Hi Maya, a few tips to enjoy your purchase for years."),
      text("Candles: on the first light, let the wax melt to the edge (about 2 hours). Trim the wick to 5 mm before each use."),
      text("Wood: wash by hand, dry at once, and oil it once a month."),
      products,
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
  "review-request": {
    heading: "What do you think, Maya?",
    previewText: "Your review helps other shoppers at Juniper & Pine",
    blocks: [
      text("It's been a little while since your order #1042 arrived. A short review helps other shoppers and means a lot to us."),
      products,
    ],
  },
  "cross-sell": {
    heading: "You might love these too",
    previewText: "Goes well with your last order from Juniper & Pine",
    blocks: [text("Based on your order #1042, we think these would make a great match."), { type: "discount" }, products],
  },
  replenishment: {
    heading: "Running low?",
    previewText: "Reorder in a few clicks from Juniper & Pine",
    blocks: [
      text("Hi Maya, it has been a while since your order #1042. If you are running low, you can order again in a few clicks."),
      products,
    ],
  },
};

export function samplePreviewProps(template: EmailTemplate): FollowUpEmailProps {
  const showsRecommendations = template === "thank-you" || template === "cross-sell";
  // The reminder lists the consumables only (the candle); the review request links to reviews.
  const purchased = (template === "replenishment" ? SAMPLE_PURCHASED.slice(0, 1) : SAMPLE_PURCHASED).map((p) => ({
    ...p,
    linkUrl: template === "review-request" && p.url ? `${p.url}#reviews` : p.url,
    ...(template === "review-request" && p.url
      ? { ratingLinks: [1, 2, 3, 4, 5].map((rating) => ({ rating, url: `${p.url}?rating=${rating}#reviews`, label: `Rate ${rating} out of 5` })) }
      : {}),
  }));
  return {
    template,
    lang: "en",
    locale: SAMPLE_ORDER.locale,
    shop: {
      name: SAMPLE_SHOP.name,
      url: SAMPLE_SHOP.url,
      logoUrl: SAMPLE_SHOP.logoUrl,
      address: SAMPLE_SHOP.address,
      accentColor: SAMPLE_SHOP.accentColor,
      fontFamily: null,
    },
    orderName: SAMPLE_ORDER.name,
    ...WORDS[template],
    labels: LABELS,
    recommendations: showsRecommendations ? SAMPLE_RECOMMENDATIONS : [],
    purchased,
    discount:
      template === "cross-sell"
        ? {
            code: SAMPLE_DISCOUNT.code,
            percentage: SAMPLE_DISCOUNT.percentage,
            expiresOn: "December 12, 2026",
            heading: "15% off your next order",
            codeLabel: "Your code",
            terms: "Valid until December 12, 2026, for one order.",
          }
        : null,
    utm: { source: "afterglow", medium: "email", campaign: template },
    unsubscribeUrl: SAMPLE_UNSUBSCRIBE_URL,
  };
}
