// What the emails render, self-contained: the app builds these props (app/email/compose.ts) and
// imports these types from here, never the other way round, so `email dev` needs nothing else.

export type RecommendationSource = "complementary" | "related" | "best_seller";

export interface Money {
  amount: string; // decimal string, as the Admin API gives it
  currencyCode: string;
}

// A recommended product as the email shows it.
export interface RecommendedProduct {
  id: string;
  title: string;
  url: string; // storefront URL, UTM tags not yet added
  imageUrl: string | null;
  imageAlt: string | null;
  price: Money;
  source: RecommendationSource;
}

export interface EmailShop {
  name: string;
  url: string; // storefront, e.g. https://example.myshopify.com
  logoUrl?: string | null;
  address?: string | null; // one line, shown in the footer
  accentColor?: string | null;
}

// A product the customer bought, as the care guide, review request and replenishment show it.
export interface PurchasedProduct {
  id: string;
  title: string;
  url: string | null; // the product page; null when it has none
  imageUrl: string | null;
  imageAlt: string | null;
  productType: string | null;
  tags: string[];
}

// A review request's star: the link that opens the product's review form at `rating` stars,
// and its text alternative in the email's language ("Rate 4 out of 5").
export interface RatingLink {
  rating: number; // 1–5
  url: string; // UTM tags not yet added
  label: string;
}

// The customer's code with the words of its box, already in the email's language.
export interface EmailDiscount {
  code: string;
  percentage: number; // 1–100
  expiresOn: string | null; // already formatted for the email's language
  heading: string; // "15% off your next order"
  codeLabel: string; // "Your code"
  terms: string; // "Valid until December 12, 2026, for one order."
}

// The merchant's blocks with variables filled (as plain text) and conditions decided.
export type FilledBlock =
  | { type: "text"; paragraphs: string[] }
  | { type: "button"; text: string; url: string }
  // link: where the picture opens, or null
  | { type: "image"; url: string; alt: string; link: string | null }
  | { type: "links"; heading: string | null; links: Array<{ text: string; url: string }> }
  | { type: "products"; heading: string | null }
  | { type: "discount" };

// The fixed words of every follow-up (buttons, headings, footer) in the email's language.
export interface EmailLabels {
  orderLine: string; // "Order #1042"
  recommendationsHeading: string;
  viewProduct: string;
  purchasedHeading: string;
  writeReview: string;
  reorder: string;
  visitStore: string;
  unsubscribePrompt: string;
  unsubscribe: string;
}

export type EmailTemplate = "thank-you" | "care-guide" | "review-request" | "cross-sell" | "replenishment";

// What every follow-up template renders: content already resolved for the customer's locale,
// variables filled and conditional blocks decided, the fixed words passed in as labels.
export interface FollowUpEmailProps {
  template: EmailTemplate;
  lang: "en" | "pl" | "de" | "fr" | "es";
  // Locale for prices and dates, e.g. "pl-PL".
  locale: string;
  shop: EmailShop & { fontFamily?: string | null };
  orderName: string;
  previewText: string;
  heading: string;
  blocks: FilledBlock[];
  labels: EmailLabels;
  recommendations: RecommendedProduct[];
  // Care guide and review request: the order's products; replenishment: its consumables.
  purchased: Array<PurchasedProduct & { linkUrl: string | null; ratingLinks?: RatingLink[] }>;
  discount: EmailDiscount | null;
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl?: string | null;
}
