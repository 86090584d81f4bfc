import type { RecommendedProduct } from "../app/domain/recommendations.types";

export interface EmailShop {
  name: string;
  url: string; // storefront, e.g. https://example.myshopify.com
  logoUrl?: string | null;
  address?: string | null; // one line, shown in the footer
  accentColor?: string | null;
}

export interface ThankYouEmailProps {
  shop: EmailShop;
  customer: { firstName?: string | null };
  order: { name: string; currency: string };
  recommendations: RecommendedProduct[];
  // UTM campaign tags added to every product link.
  utm: { source: string; medium: string; campaign: string; content?: string };
  // Footer link; marketing emails always carry one.
  unsubscribeUrl?: string | null;
  previewText?: string;
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

export interface EmailDiscount {
  code: string;
  percentage: number; // 1–100
  expiresOn: string | null; // already formatted for the email's language
}

// What every follow-up template renders: content already resolved for the customer's locale,
// variables filled (as plain text) and conditional blocks decided. Built by app/email/compose.ts.
export interface FollowUpEmailProps {
  template: "thank-you" | "care-guide" | "review-request" | "cross-sell" | "replenishment";
  lang: "en" | "pl" | "de" | "fr" | "es";
  // Locale for prices and dates, e.g. "pl-PL".
  locale: string;
  shop: EmailShop & { fontFamily?: string | null };
  orderName: string;
  previewText: string;
  heading: string;
  blocks: import("../app/domain/content").FilledBlock[];
  recommendations: RecommendedProduct[];
  // Care guide and review request: the order's products; replenishment: its consumables.
  purchased: Array<PurchasedProduct & { linkUrl: string | null }>;
  discount: EmailDiscount | null;
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl?: string | null;
}
